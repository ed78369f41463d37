"""The hub-id holder (ADR 21 addendum) is decided when a write is planned and stored on its outbox row
(``stamp_hub_id``); the dispatcher reads it. A change of holder re-plans the cluster: a lower id that
joins takes the flag, and the old holder's waiting write is superseded."""

from __future__ import annotations

from typing import Any

from alembic import command
from sqlalchemy import select

from hub.context import Hub
from hub.db.engine import alembic_config
from hub.db.schema import outbox, source_records
from hub.writeback.dispatch import _record
from hub.writeback.targets import target
from tests.hub.ledger_helpers import write


def _company(external_id: str, name: str, domain: str, phone: str | None = None) -> dict[str, Any]:
    props = {"name": name, "domain": domain, "hs_object_id": external_id, "hs_lastmodifieddate": "2026-03-01T10:00:00Z"}
    if phone:
        props["phone"] = phone
    return {"id": external_id, "properties": props, "archived": False}


def _rows(hub: Hub) -> dict[str, list[Any]]:
    with hub.reader.connect() as conn:
        rows = conn.execute(select(outbox).where(outbox.c.source_object == "companies").order_by(outbox.c.id))
        found: dict[str, list[Any]] = {}
        for row in rows:
            found.setdefault(row.external_id, []).append(row)
        return found


def _golden(hub: Hub, external_id: str) -> str:
    with hub.reader.connect() as conn:
        return str(conn.execute(select(source_records.c.golden_id).where(source_records.c.external_id == external_id))
                   .scalar_one())  # fmt: skip


def test_the_holder_is_decided_at_planning_and_moves_to_a_lower_id_that_joins(hub: Hub) -> None:
    write(hub.engine, "companies", [_company("700", "Acme Cloud Partners", "acmecloudpartners.com")])
    first = _rows(hub)["700"]
    assert [(r.state, r.stamp_hub_id) for r in first] == [("pending", True)]
    golden = _golden(hub, "700")
    assert first[0].properties["partner_hub_id"] == golden
    tgt = target("hubspot", "companies")
    assert tgt is not None and _record(tgt, first[0]).hub_id == golden

    # a duplicate with a lower id joins the cluster (same domain): it holds the id from now on
    write(hub.engine, "companies", [_company("1000", "Acme Cloud Partners", "acmecloudpartners.com")])
    assert _golden(hub, "1000") == _golden(hub, "700")  # "1000" < "700": external ids compare as text
    rows = _rows(hub)
    assert [r.state for r in rows["700"]] == ["superseded"]  # its stamp would be refused (unique values)
    (new,) = rows["1000"]
    assert new.state == "pending" and new.stamp_hub_id is True
    assert new.properties["partner_hub_id"] == _golden(hub, "1000") and _record(tgt, new).hub_id == new.canonical_id


def test_a_waiting_write_with_the_same_values_is_replaced_when_its_record_stops_being_the_holder(hub: Hub) -> None:
    # the holder "700" already holds the cluster's id; its waiting write is only a phone number
    write(hub.engine, "companies", [_company("700", "Acme Cloud Partners", "acmecloudpartners.com", "+1 415 555 0100")])
    golden = _golden(hub, "700")
    stamped = _company("700", "Acme Cloud Partners", "acmecloudpartners.com", "+1 415 555 0100")
    stamped["properties"]["partner_hub_id"] = golden
    write(hub.engine, "companies", [stamped])
    (waiting,) = [r for r in _rows(hub)["700"] if r.state == "pending"]
    assert "partner_hub_id" not in waiting.properties and waiting.properties.get("phone")
    assert waiting.stamp_hub_id is True

    write(hub.engine, "companies", [_company("1000", "Acme Cloud Partners", "acmecloudpartners.com")])
    rows = _rows(hub)
    states = {r.id: (r.state, r.stamp_hub_id) for r in rows["700"]}
    assert states[waiting.id] == ("superseded", True)
    (now,) = [r for r in rows["700"] if r.state == "pending"]
    assert now.properties == waiting.properties and now.stamp_hub_id is False
    tgt = target("hubspot", "companies")
    assert tgt is not None and _record(tgt, now).hub_id is None  # no second record with the unique value
    assert [r.stamp_hub_id for r in rows["1000"] if r.state == "pending"] == [True]


def test_the_migration_flags_the_waiting_writes_of_holders(hub: Hub, db_url: str) -> None:
    write(hub.engine, "companies", [_company("700", "Acme Cloud Partners", "acmecloudpartners.com", "+1 415 555 0100")])
    write(hub.engine, "companies", [_company("1000", "Acme Cloud Partners", "acmecloudpartners.com")])
    before = {(r.external_id, r.state): r.stamp_hub_id for rows in _rows(hub).values() for r in rows}
    assert before[("1000", "pending")] is True and before[("700", "superseded")] is True
    config = alembic_config(db_url)
    hub.engine.dispose()
    command.downgrade(config, "0009")
    command.upgrade(config, "head")
    after = {(r.external_id, r.state): r.stamp_hub_id for rows in _rows(hub).values() for r in rows}
    # rows still to be pushed get the flag the dispatcher computed before 0010; settled ones none
    assert after == {**before, ("700", "superseded"): False}
