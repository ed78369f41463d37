"""Deletes by absence (only after a complete full read) and the mass-delete guard, against the HubSpot
sandbox over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hub import deletes as operator
from hub.connector_store import ConnectorUpdate
from hub.context import Hub
from hub.db.schema import delete_holds, ledger_entries, source_records, stream_seen
from hub.queries import stream_status
from hub.sync.deletes import HoldNotFound, cause_of_absence
from hub.sync.runner import RunResult
from sandbox.server import SandboxServer
from tests.sandbox_fixtures import hubspot_connector


def vanish(upstream: httpx.Client, object_type: str, ids: list[str]) -> None:
    """Take records out of the sandbox entirely (neither live nor archived), with their associations."""
    world = upstream.get("/_sandbox/world").json()
    section = world["hubspot"]
    gone = set(ids)
    touched = {(object_type, i) for i in gone}
    section[object_type] = [r for r in section[object_type] if r["id"] not in gone]
    section["associations"] = [
        a for a in section["associations"]
        if (a["fromType"], a["fromId"]) not in touched and (a["toType"], a["toId"]) not in touched
    ]  # fmt: skip
    assert upstream.put("/_sandbox/world", json=world).status_code == 200


def live_ids(hub: Hub, object_type: str = "companies") -> list[str]:
    with hub.reader.connect() as conn:
        query = select(source_records.c.external_id).where(
            source_records.c.source_object == object_type, source_records.c.deleted.is_(False)
        )
        return sorted(conn.execute(query).scalars())


def tombstones(hub: Hub, object_type: str = "companies") -> dict[str, Any]:
    """external id -> raw of each delete entry."""
    with hub.reader.connect() as conn:
        query = select(ledger_entries.c.external_id, ledger_entries.c.raw).where(
            ledger_entries.c.op == "delete", ledger_entries.c.source_object == object_type
        )
        return {row.external_id: row.raw for row in conn.execute(query)}


def full(hub: Hub, stream: str = "companies", **kwargs: Any) -> RunResult:
    return hub.runner.run("hs", stream, mode="full", **kwargs)


def test_a_complete_full_read_tombstones_what_it_did_not_list(connected: Hub, upstream: httpx.Client) -> None:
    first = full(connected)
    assert first.status == "succeeded" and first.tombstoned == 0 and not tombstones(connected)
    gone = live_ids(connected)[3:6]
    vanish(upstream, "companies", gone)
    archived = upstream.post("/_sandbox/mutate", json={"object": "companies", "archive": 2, "seed": 5}).json()
    run = full(connected)
    assert run.status == "succeeded" and run.tombstoned == 3 and run.held_deletes is None
    found = tombstones(connected)
    assert set(found) == set(gone) | {str(i) for i in archived["archived"]}
    for external_id in gone:  # absent: the cause names the read
        assert found[external_id] == {"cause": cause_of_absence(run.run_id)}
    for external_id in archived["archived"]:  # listed archived (archived=true): the record as HubSpot sent it
        assert found[str(external_id)]["archived"] is True
    assert not set(gone) & set(live_ids(connected))
    with connected.reader.connect() as conn:
        assert conn.execute(select(func.count()).select_from(stream_seen)).scalar_one() == 0
    again = full(connected)
    assert again.tombstoned == 0 and again.outcome.changed == 0  # nothing new: nothing appended


def test_an_incomplete_full_read_tombstones_nothing(connected: Hub, upstream: httpx.Client) -> None:
    configure(connected, page_size=10)
    full(connected)
    gone = live_ids(connected)[-4:]  # listed last: a read that stops early has not reached them
    connected.runner.prefetch = 0  # the fault goes in between two pages: no page read ahead of it
    vanish(upstream, "companies", gone)

    def break_after_two_pages(run: RunResult) -> None:
        if run.pages == 2:
            fault = {"kind": "status", "status": 400, "times": 20, "path_prefix": "/crm/objects/2026-03/companies"}
            assert upstream.post("/_sandbox/faults", json=fault).status_code in (200, 201)

    failed = full(connected, on_page=break_after_two_pages)
    assert failed.status == "failed" and failed.pages == 2
    assert not tombstones(connected) and set(gone) <= set(live_ids(connected))
    status = _status(connected)
    assert status["state"] == "failed" and status["resumable"]

    upstream.delete("/_sandbox/faults")
    resumed = full(connected)  # continues the same read: the first two pages count as seen
    assert resumed.resumed and resumed.status == "succeeded"
    assert set(tombstones(connected)) == set(gone) and resumed.tombstoned == len(gone)


def test_an_interrupted_read_then_a_fresh_one_only_trusts_the_fresh_read(
    connected: Hub, upstream: httpx.Client
) -> None:
    configure(connected, page_size=25)
    full(connected)
    gone = live_ids(connected)[:2]
    vanish(upstream, "companies", gone)
    # an incremental run never infers deletes, even from a complete listing
    incremental = connected.runner.run("hs", "companies")
    assert incremental.mode == "incremental" and incremental.tombstoned == 0 and not tombstones(connected)
    assert full(connected).tombstoned == 2


def test_the_mass_delete_guard_holds_until_confirmed(
    connected: Hub, sandbox: SandboxServer, upstream: httpx.Client
) -> None:
    full(connected)
    live = live_ids(connected)
    gone = live[: len(live) // 4]  # 25 % of the stream: over the default 20 %
    before = upstream.get("/_sandbox/world").json()
    vanish(upstream, "companies", gone)
    run = full(connected)
    assert run.status == "succeeded" and run.tombstoned == 0 and run.held_deletes
    assert not tombstones(connected) and set(gone) <= set(live_ids(connected))
    status = _status(connected)
    assert status["state"] == "held"
    (hold,) = status["held_deletes"]
    assert (hold["candidates"], hold["live"], hold["share_limit"]) == (len(gone), len(live), 0.2)

    # a held record seen changed after the hold (it came back) is not tombstoned on confirm
    assert upstream.put("/_sandbox/world", json=before).status_code == 200
    token = {"Authorization": f"Bearer {sandbox.credentials['hubspot']['private_app_token']}"}
    back = upstream.patch(f"/crm/v3/objects/companies/{gone[0]}", json={"properties": {"city": "Back"}}, headers=token)
    assert back.status_code == 200
    assert connected.runner.run("hs", "companies").outcome.changed == 1
    confirmed = operator.confirm(connected, "hs", "companies", "ops@example.com")
    assert confirmed["applied"] == len(gone) - 1 and confirmed["status"] == "confirmed"
    assert set(tombstones(connected)) == set(gone[1:]) and gone[0] in live_ids(connected)
    assert _status(connected)["state"] == "idle" and not operator.held(connected, "hs")
    with pytest.raises(HoldNotFound):
        operator.confirm(connected, "hs", "companies", "ops@example.com")
    with connected.reader.connect() as conn:
        row = conn.execute(select(delete_holds)).one()
    assert (row.status, row.decided_by, row.applied) == ("confirmed", "ops@example.com", len(gone) - 1)


def test_a_rejected_hold_tombstones_nothing_and_a_connector_may_allow_more(
    connected: Hub, upstream: httpx.Client
) -> None:
    full(connected)
    live = live_ids(connected)
    gone = live[: len(live) // 3]
    vanish(upstream, "companies", gone)
    assert full(connected).held_deletes
    rejected = operator.reject(connected, "hs", "companies", "ops")
    assert rejected["status"] == "rejected" and not tombstones(connected)
    assert full(connected).held_deletes  # the next complete read holds them again
    configure(connected, mass_delete_share=0.5)
    run = full(connected)  # the connector allows half its records to go at once
    assert run.tombstoned == len(gone) and set(tombstones(connected)) == set(gone)
    with connected.reader.connect() as conn:
        states = sorted(conn.execute(select(delete_holds.c.status)).scalars())
    assert states == ["rejected", "superseded"]


def test_small_streams_are_never_held_below_the_minimum(
    hub: Hub, sandbox: SandboxServer, upstream: httpx.Client
) -> None:
    hub.store.create(hubspot_connector(sandbox, mass_delete_min=1000))
    full(hub)
    live = live_ids(hub)
    vanish(upstream, "companies", live)  # every company gone: held by default, not with this minimum
    run = full(hub)
    assert run.held_deletes is None and run.tombstoned == len(live) and not live_ids(hub)


def configure(hub: Hub, **config: Any) -> None:
    hub.store.update("hs", ConnectorUpdate(config={**hub.store.get("hs").config, **config}))


def _status(hub: Hub) -> dict[str, Any]:
    with hub.reader.connect() as conn:
        return stream_status(conn, "hs", "companies")
