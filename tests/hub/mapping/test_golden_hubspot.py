"""Golden files: a recorded HubSpot page in, the expected canonical records and failures out.

Regenerate after an intended mapping change with ``UPDATE_GOLDEN=1 pytest tests/hub/mapping`` and
review the diff of ``tests/fixtures/hubspot/*_expected.json``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from hub.canonical import model_for
from hub.mapping import Mapper
from tests.golden import assert_golden, mapped

from .conftest import HUBSPOT_FIXTURES, resolve_fixture_ref

OBJECTS = [pytest.param(name, id=name) for name in ("companies", "contacts", "deals")]


def _page(object_name: str) -> list[dict[str, Any]]:
    return json.loads((HUBSPOT_FIXTURES / f"{object_name}_page.json").read_text())["results"]


@pytest.mark.parametrize("object_name", OBJECTS)
def test_recorded_page_maps_to_expected_records(hubspot_mapper: Mapper, object_name: str) -> None:
    actual = mapped(hubspot_mapper, object_name, _page(object_name), resolve_fixture_ref, "id")
    assert_golden(actual, HUBSPOT_FIXTURES / f"{object_name}_expected.json")


@pytest.mark.parametrize("object_name", OBJECTS)
def test_mapped_fields_are_json_and_valid_canonical_records(hubspot_mapper: Mapper, object_name: str) -> None:
    records, _ = hubspot_mapper.map_page(object_name, _page(object_name), resolve_fixture_ref)
    assert records
    for record in records:
        model = model_for(record.entity)
        model.model_validate(json.loads(json.dumps(record.fields)))
        declared = hubspot_mapper.spec.objects[object_name]
        expected_fields = {*declared.fields, *declared.links} | ({"partner_roles"} if declared.partner_roles else set())
        assert set(record.fields) == expected_fields
        assert record.source_updated_at is not None and record.source_updated_at.utcoffset() is not None


@pytest.mark.parametrize("object_name", OBJECTS)
def test_every_page_has_good_and_bad_records(hubspot_mapper: Mapper, object_name: str) -> None:
    records, failures = hubspot_mapper.map_page(object_name, _page(object_name), resolve_fixture_ref)
    assert records and failures
    assert len(records) + len(failures) == len(_page(object_name))
