"""HubSpot synced into the ledger over real HTTP from the sandbox, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import httpx
import pytest
from sqlalchemy import func, select

from hub.context import Hub
from hub.db.schema import dead_letters, golden_records, ledger_entries, sync_runs
from hub.ledger.clusters import golden_ids
from hub.sync import StreamBusy
from tests.sandbox_fixtures import world_counts


def _count(hub: Hub, table: object, *where: object) -> int:
    with hub.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())  # type: ignore[arg-type]


def _golden(hub: Hub, entity_type: str) -> int:
    return _count(hub, golden_records, golden_records.c.entity_type == entity_type)


def test_full_then_incremental_sync(connected: Hub, upstream: httpx.Client) -> None:
    world = world_counts(upstream)
    runs = connected.runner.run_all("hs", mode="full")
    assert [r.status for r in runs] == ["succeeded"] * 3, [r.error for r in runs]
    seen = {r.stream: r.outcome.seen for r in runs}
    assert seen == {"companies": world["companies"], "contacts": world["contacts"], "deals": world["deals"]}
    bad = len(world["defects"])
    assert sum(r.outcome.dead_lettered for r in runs) == _count(connected, dead_letters) >= bad > 0
    observed = ledger_entries.c.source_system != "hub"  # the rest are the matcher's decisions
    entries = _count(connected, ledger_entries, observed)
    assert entries == sum(r.outcome.changed for r in runs)
    # Duplicates inside HubSpot are merged: about one golden organisation per real organisation.
    assert world["entities"] <= _golden(connected, "organization") <= world["entities"] * 1.02 < world["companies"]
    # People entered twice are merged too: about one golden person per real person (defects aside).
    people = world["people"] or world["contacts"]
    bad_contacts = sum(1 for o, _ in world["defects"] if o == "contacts")
    assert people - bad_contacts <= _golden(connected, "person") <= world["contacts"]

    changed = upstream.post("/_sandbox/mutate", json={"object": "companies", "count": 7, "seed": 3}).json()
    upstream.post("/_sandbox/mutate", json={"object": "deals", "count": 4, "seed": 4})
    runs = connected.runner.run_all("hs")
    assert [r.mode for r in runs] == ["incremental"] * 3
    by_stream = {r.stream: r.outcome for r in runs}
    assert by_stream["companies"].changed == len(changed["updated"]) == 7
    assert by_stream["deals"].changed <= 4 and by_stream["contacts"].changed == 0
    assert _count(connected, ledger_entries, observed) == entries + 7 + by_stream["deals"].changed

    again = connected.runner.run_all("hs")
    assert sum(r.outcome.changed for r in again) == 0  # re-syncing unchanged data appends nothing


def test_partner_roles_and_links_reach_golden_records(connected: Hub) -> None:
    connected.runner.run_all("hs", mode="full")
    with connected.engine.connect() as conn:
        kind = golden_records.c.entity_type
        deals = [r.fields for r in conn.execute(select(golden_records).where(kind == "opportunity"))]
        orgs = {r.canonical_id: r for r in conn.execute(select(golden_records).where(kind == "organization"))}
    sourced = [d for d in deals if any(p["role"] == "sourced" for p in d.get("partner_roles", []))]
    assert sourced, "the world has partner-sourced deals"
    with connected.engine.connect() as conn:  # references hold record ids: their clusters are golden records
        cluster = golden_ids(
            conn,
            [i for d in sourced for i in [d["customer_org_id"]] + [p["partner_org_id"] for p in d["partner_roles"]]],
        )
    for deal in sourced:
        partner_id = next(p["partner_org_id"] for p in deal["partner_roles"] if p["role"] == "sourced")
        assert cluster[partner_id] in orgs and "partner" in orgs[cluster[partner_id]].roles
        assert cluster[deal["customer_org_id"]] in orgs


def test_retries_through_429_5xx_drops_and_token_expiry(connected: Hub, upstream: httpx.Client) -> None:
    upstream.delete("/_sandbox/stats")
    prefix = "/crm/v3/objects/companies"
    for fault in (
        {"kind": "rate_limit", "times": 2, "retry_after": 1, "path_prefix": prefix},
        {"kind": "status", "status": 503, "times": 2, "path_prefix": prefix},
        {"kind": "drop", "times": 1, "path_prefix": "/crm/v3/objects/contacts"},
        {"kind": "status", "status": 502, "times": 1, "path_prefix": "/crm/v3/objects/deals"},
    ):
        assert upstream.post("/_sandbox/faults", json=fault).status_code in (200, 201)
    first = connected.runner.run("hs", "companies", mode="full")
    upstream.post("/_sandbox/faults", json={"kind": "expire_tokens"})
    rest = [connected.runner.run("hs", s, mode="full") for s in ("contacts", "deals")]
    assert [r.status for r in [first, *rest]] == ["succeeded"] * 3, [r.error for r in [first, *rest]]
    stats = upstream.get("/_sandbox/stats").json()
    text = str(stats)
    assert "429" in text and "503" in text
    assert first.seconds >= 2.0  # two Retry-After: 1 waits were honoured


def test_a_4xx_fails_the_run_keeps_its_position_and_status_says_why(connected: Hub, upstream: httpx.Client) -> None:
    fault = {"kind": "status", "status": 400, "times": 1, "path_prefix": "/crm/v3/objects/contacts"}
    upstream.post("/_sandbox/faults", json=fault)
    run = connected.runner.run("hs", "contacts", mode="full")
    assert run.status == "failed" and "400" in (run.error or "")
    from hub.queries import stream_status

    with connected.engine.connect() as conn:
        status = stream_status(conn, "hs", "contacts")
    assert status["state"] == "failed" and "400" in status["last_error"]
    retry = connected.runner.run("hs", "contacts", mode="full")
    assert retry.status == "succeeded"


def test_two_triggers_of_one_stream_never_run_at_once(connected: Hub, upstream: httpx.Client) -> None:
    upstream.post(
        "/_sandbox/faults",
        json={"kind": "slow", "delay_s": 0.4, "times": 3, "path_prefix": "/crm/v3/objects/companies"},
    )
    started = threading.Event()
    results: list[object] = []

    def first() -> None:
        results.append(connected.runner.run("hs", "companies", mode="full", on_page=lambda _r: started.set()))

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(10)
    with pytest.raises(StreamBusy):
        connected.runner.run("hs", "companies", mode="full")
    thread.join(30)
    assert getattr(results[0], "status", None) == "succeeded"
    with connected.engine.connect() as conn:
        statuses = [r.status for r in conn.execute(select(sync_runs.c.status).where(sync_runs.c.stream == "companies"))]
    assert statuses == ["succeeded"]


def test_a_spent_quota_pauses_the_stream_instead_of_failing_it(connected: Hub, upstream: httpx.Client) -> None:
    from hub.connector_store import ConnectorUpdate
    from hub.queries import stream_status
    from hub.sync import StreamPaused

    config = {**connected.store.get("hs").config, "max_retries": 0}
    connected.store.update("hs", ConnectorUpdate(config=config))
    fault = {"kind": "rate_limit", "times": 1, "retry_after": 600, "path_prefix": "/crm/v3/objects/companies"}
    upstream.post("/_sandbox/faults", json=fault)
    run = connected.runner.run("hs", "companies", mode="full")
    assert run.status == "paused" and "600" in (run.error or "")
    with connected.reader.connect() as conn:
        status = stream_status(conn, "hs", "companies")
    assert status["state"] == "paused" and status["paused_until"]
    with pytest.raises(StreamPaused):
        connected.runner.run("hs", "companies")
    assert connected.runner.run("hs", "contacts", mode="full").status == "succeeded"  # other streams go on


def test_streams_synced_at_once_land_whole_and_the_chain_verifies(connected: Hub, upstream: httpx.Client) -> None:
    """``HUB_SYNC_CONCURRENCY``: three streams in three threads, each page its own transaction (on
    PostgreSQL the chain lock comes first in each, so they queue instead of deadlocking)."""
    from hub.ledger.chain import verify

    world = world_counts(upstream)
    connected.runner.concurrency = 3
    runs = connected.runner.run_all("hs", mode="full")
    assert [r.stream for r in runs] == ["companies", "contacts", "deals"]
    assert [r.status for r in runs] == ["succeeded"] * 3, [r.error for r in runs]
    assert {r.stream: r.outcome.seen for r in runs} == {s: world[s] for s in ("companies", "contacts", "deals")}
    observed = ledger_entries.c.source_system != "hub"
    assert _count(connected, ledger_entries, observed) == sum(r.outcome.changed for r in runs)
    assert world["entities"] <= _golden(connected, "organization") <= world["entities"] * 1.02
    with connected.engine.connect() as conn:
        assert verify(conn).ok
    again = connected.runner.run_all("hs")
    assert sum(r.outcome.changed for r in again) == 0
