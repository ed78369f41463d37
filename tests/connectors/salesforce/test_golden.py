"""Golden files: recorded query pages through the connector (normaliser, folded-in rows), then the
mapping; the canonical records and failures must equal ``tests/fixtures/salesforce/*_expected.json``.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/connectors/salesforce`` and
review the diff.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import respx

from connectors.salesforce import SalesforceConnector
from connectors.sdk import ReadRequest
from hub.canonical import model_for
from hub.mapping import Mapper, SourceRef
from tests.golden import assert_golden, mapped

from .conftest import FIXTURES, REPO, UNKNOWN_ID, FakeOrg, fixture_tables, make_connector

STREAMS = [
    pytest.param(name, id=name)
    for name in ("accounts", "contacts", "opportunities", "deal_registrations", "channel_program_members")
]
_PREFIX = {"accounts": "org", "contacts": "person", "opportunities": "opp"}


def resolve(ref: SourceRef) -> str:
    """Canonical id of a fixture record ("org:001..."); ``KeyError`` for UNKNOWN_ID."""
    if ref.id == UNKNOWN_ID:
        raise KeyError(ref)
    return f"{_PREFIX[ref.object]}:{ref.id}"


@pytest.fixture(scope="module")
def mapper() -> Mapper:
    return Mapper.from_file(REPO / "mappings" / "salesforce.yaml")


@pytest.fixture
def connector(router: respx.MockRouter) -> Iterator[SalesforceConnector]:
    FakeOrg(router, fixture_tables())
    connector = make_connector(extra_fields={"accounts": ["DUNS__c", "Partner_Type__c"]})
    yield connector
    connector.close()


def _records(connector: SalesforceConnector, stream: str) -> list[dict[str, Any]]:
    return [record for page in connector.read(stream, ReadRequest(mode="full")) for record in page.records]


@pytest.mark.parametrize("stream", STREAMS)
def test_recorded_page_maps_to_expected_records(connector: SalesforceConnector, mapper: Mapper, stream: str) -> None:
    actual = mapped(mapper, stream, _records(connector, stream), resolve, "Id")
    assert_golden(actual, FIXTURES / f"{stream}_expected.json")


@pytest.mark.parametrize("stream", STREAMS)
def test_pages_have_good_and_bad_records_that_validate(
    connector: SalesforceConnector, mapper: Mapper, stream: str
) -> None:
    raws = _records(connector, stream)
    records, failures = mapper.map_page(stream, raws, resolve)
    assert records and failures and len(records) + len(failures) == len(raws)
    declared = mapper.spec.objects[stream]
    expected_fields = {*declared.fields, *declared.links} | ({"partner_roles"} if declared.partner_roles else set())
    for record in records:
        model_for(record.entity).model_validate(json.loads(json.dumps(record.fields)))
        assert set(record.fields) == expected_fields
        assert record.source_updated_at is not None and record.source_updated_at.utcoffset() is not None


def test_every_stream_has_a_mapping_and_writes_name_mapped_objects(mapper: Mapper) -> None:
    spec = SalesforceConnector.spec
    assert {s.object for s in spec.streams} == set(mapper.objects)
    for name, mapping in mapper.spec.objects.items():
        if mapping.write is not None:
            assert any(w.object == name and w.id_property == mapping.write.id_property for w in spec.writes)
