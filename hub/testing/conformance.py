"""The connector conformance suite: every connector gets it from one subclass.

    class TestHubSpotConformance(ConnectorConformance):
        @pytest.fixture
        def connector(self, sandbox): return HubSpotConnector(config_for(sandbox))

        @pytest.fixture
        def mapper(self): return Mapper.from_file("mappings/hubspot.yaml")

Point the connector at a live upstream (the sandbox). The suite checks: the spec is well formed
and registered; credentials are ``SecretStr`` and not in ``repr``; every stream reads a first page;
a full read ends and its resume positions chain (resuming from any page gives the same rest); the
records of every stream map to valid canonical records (failures carry a reason); incremental reads
from a cursor return only records at or after it; a webhook verifier, if any, rejects unsigned and
tampered deliveries.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any, ClassVar

import pytest
from pydantic import SecretStr

from connectors.sdk import Connector, InboundRequest, ReadRequest, SignatureError, dotted
from hub.connector_store import secret_fields
from hub.mapping import Mapper
from hub.registry import ConnectorRegistry
from hub.sync import cursor as cursors


class ConnectorConformance:
    """Subclass in a test module and provide the ``connector`` and ``mapper`` fixtures."""

    #: the largest share of a stream's first pages allowed to fail mapping (bad records on purpose)
    max_failure_share: ClassVar[float] = 0.05
    #: pages read per stream in the pagination checks
    max_pages: ClassVar[int] = 5

    def _streams(self, connector: Connector) -> list[str]:
        return [s.name for s in connector.spec.streams]

    def test_spec_is_well_formed_and_registered(self, connector: Connector) -> None:
        spec = connector.spec
        names = self._streams(connector)
        assert names and len(names) == len(set(names)), "stream names must be unique"
        assert ConnectorRegistry().get(spec.kind) is type(connector), "register it in the hub.connectors group"
        for write in spec.writes:
            assert write.object in {s.object for s in spec.streams}, f"write for unknown object {write.object}"

    def test_credentials_are_secret(self, connector: Connector) -> None:
        secrets = secret_fields(type(connector).config_model)
        assert secrets, "a connector's credentials must be SecretStr fields"
        shown = repr(connector.config) + str(connector.config)
        for name in secrets:
            value = getattr(connector.config, name)
            if isinstance(value, SecretStr) and value.get_secret_value():
                assert value.get_secret_value() not in shown

    def test_every_stream_reads_a_first_page(self, connector: Connector) -> None:
        for name in self._streams(connector):
            page = next(iter(connector.read(name, ReadRequest(mode="full"))), None)
            assert page is not None, f"{name}: no page"
            assert isinstance(page.records, list) and page.records, f"{name}: first page is empty"

    def test_pagination_ends_and_resume_positions_chain(self, connector: Connector) -> None:
        for name in self._streams(connector):
            pages = list(itertools.islice(connector.read(name, ReadRequest(mode="full")), self.max_pages + 1))
            ids = [self._key(connector, name, r) for p in pages for r in p.records]
            assert len(ids) == len(set(ids)), f"{name}: a full read returned a record twice"
            if len(pages) > 1 and pages[0].resume is not None:
                resumed = list(
                    itertools.islice(
                        connector.read(name, ReadRequest(mode="full", resume=pages[0].resume)), self.max_pages
                    )
                )
                assert resumed[0].records == pages[1].records, f"{name}: resuming after page 1 is not page 2"
            if len(pages) <= self.max_pages:
                assert pages[-1].resume is None, f"{name}: the last page must have resume=None"

    def test_records_map_to_valid_canonical_records(self, connector: Connector, mapper: Mapper) -> None:
        for name in self._streams(connector):
            spec = connector.spec.stream(name)
            if spec.object not in mapper.objects:
                continue
            raws = [r for p in itertools.islice(connector.read(name, ReadRequest(mode="full")), 2) for r in p.records]
            mapped, failures = mapper.map_page(spec.object, raws, lambda ref: f"{ref.object}:{ref.id}")
            assert len(mapped) + len(failures) == len(raws)
            assert all(f.reason for _, f in failures)
            assert len(failures) <= max(1, self.max_failure_share * len(raws)), (
                f"{name}: {len(failures)} of {len(raws)} records fail mapping, e.g. {failures[0][1].reason}"
            )

    def test_incremental_read_starts_at_the_cursor(self, connector: Connector) -> None:
        for name in self._streams(connector):
            spec = connector.spec.stream(name)
            if not (spec.supports_incremental and spec.cursor_field):
                continue
            first = next(iter(connector.read(name, ReadRequest(mode="full"))))
            values = sorted(v for v in (cursors.normalise(dotted(r, spec.cursor_field)) for r in first.records) if v)
            if not values:
                continue
            middle = values[len(values) // 2]
            floor = cursors.normalise(self._lookback(connector, middle)) or middle
            for page in itertools.islice(connector.read(name, ReadRequest(mode="incremental", cursor=middle)), 2):
                for record in page.records:
                    value = cursors.normalise(dotted(record, spec.cursor_field))
                    assert value is None or value >= floor, (
                        f"{name}: incremental read returned {value} before the cursor {middle}"
                    )

    def test_webhook_verifier_rejects_unsigned_and_tampered(self, connector: Connector) -> None:
        verifier = connector.webhook_verifier()
        if verifier is None:
            pytest.skip("the connector takes no webhooks")
        request = InboundRequest("POST", "https://hub.example/webhooks/x", {"content-type": "application/json"}, b"[]")
        with pytest.raises(SignatureError):
            verifier.verify(request, connector.webhook_secrets() or ["a-secret-value"])

    def _key(self, connector: Connector, stream: str, record: dict[str, Any]) -> Any:
        return dotted(record, connector.spec.stream(stream).primary_key)

    def _lookback(self, connector: Connector, cursor: str) -> str:
        """Connectors may re-read a little before the cursor (index lag); allow what they declare."""
        seconds = getattr(connector.config, "incremental_lookback_seconds", 0) or 0
        return (datetime.fromisoformat(cursor) - timedelta(seconds=seconds)).isoformat()
