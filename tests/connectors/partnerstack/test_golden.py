"""Golden files: a recorded PartnerStack page in (wire shape of the API reference), normalised by the
connector, mapped by mappings/partnerstack.yaml, and the expected canonical records and failures out.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/connectors/partnerstack`` and
review the diff of ``tests/fixtures/partnerstack/*_expected.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connectors.partnerstack import normalise
from hub.canonical import model_for
from hub.mapping import Mapper, SourceRef, load_mapping
from tests.golden import assert_golden, mapped

from .conftest import FIXTURE_LOOKUP, FIXTURES, fixture_items

MAPPING = Path(__file__).resolve().parents[3] / "mappings" / "partnerstack.yaml"
OBJECTS = [pytest.param(name, id=name) for name in ("partnerships", "customers", "deals", "transactions", "rewards")]


@pytest.fixture(scope="module")
def mapper() -> Mapper:
    return Mapper(load_mapping(MAPPING))


def resolve(ref: SourceRef) -> str:
    return f"{ref.object}:{ref.id}"


def _page(object_name: str) -> list[dict[str, Any]]:
    return [normalise(object_name, item, FIXTURE_LOOKUP) for item in fixture_items(object_name)]


@pytest.mark.parametrize("object_name", OBJECTS)
def test_recorded_page_maps_to_expected_records(mapper: Mapper, object_name: str) -> None:
    actual = mapped(mapper, object_name, _page(object_name), resolve, "key")
    assert_golden(actual, FIXTURES / f"{object_name}_expected.json")


@pytest.mark.parametrize("object_name", OBJECTS)
def test_mapped_records_are_valid_and_every_page_has_a_failure(mapper: Mapper, object_name: str) -> None:
    records, failures = mapper.map_page(object_name, _page(object_name), resolve)
    assert records and failures
    assert len(records) + len(failures) == len(fixture_items(object_name))
    declared = mapper.spec.objects[object_name]
    for record in records:
        model_for(record.entity).model_validate(json.loads(json.dumps(record.fields)))
        assert set(record.fields) == {*declared.fields, *declared.links}
        assert record.source_updated_at is not None and record.source_updated_at.utcoffset() is not None


def test_mapping_file_loads_and_names_the_streams() -> None:
    spec = load_mapping(MAPPING)
    assert spec.system == "partnerstack"
    assert set(spec.objects) == {"partnerships", "customers", "deals", "transactions", "rewards"}
