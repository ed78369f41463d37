"""Inbox processing: applied once through the ledger path, late events never win, failures retry
then dead-letter, replay re-applies, and status shows the webhook path beside the scheduled one."""

from __future__ import annotations

import time
from typing import Any

import httpx
from sqlalchemy import func, select

from hub.db.schema import inbox_events, ledger_entries
from tests.webhooks.conftest import Running, event

AUTH = {"Authorization": "Bearer pat-na1-sandbox"}


def _entries(running: Running, external_id: str) -> list[Any]:
    with running.hub.reader.connect() as conn:
        return list(
            conn.execute(
                select(ledger_entries).where(ledger_entries.c.external_id == external_id).order_by(ledger_entries.c.id)
            )
        )


def _events(running: Running) -> list[Any]:
    with running.hub.reader.connect() as conn:
        return list(conn.execute(select(inbox_events).order_by(inbox_events.c.id)))


def _a_company(upstream: httpx.Client) -> str:
    return str(upstream.get("/crm/v3/objects/companies", params={"limit": 1}, headers=AUTH).json()["results"][0]["id"])


def _rename(upstream: httpx.Client, company: str, name: str) -> None:
    response = upstream.patch(f"/crm/v3/objects/companies/{company}", json={"properties": {"name": name}}, headers=AUTH)
    assert response.status_code == 200, response.text


def _golden_name(running: Running, company: str) -> str | None:
    entries = _entries(running, company)
    if not entries:
        return None
    detail = running.api.get(f"/api/v1/organizations/{entries[-1].canonical_id}")
    return detail.json()["fields"].get("name") if detail.status_code == 200 else None


def test_named_record_is_fetched_and_applied_once_whatever_the_duplicates(
    running: Running, upstream: httpx.Client
) -> None:
    company = _a_company(upstream)
    _rename(upstream, company, "Webhook Renamed Inc")
    delivery = [event(101, company, propertyName="name", propertyValue="Webhook Renamed Inc")]
    assert running.deliver(delivery).json()["accepted"] == 1
    again = running.deliver(delivery)  # the sender retried: acknowledged, not stored twice
    assert again.status_code == 202 and again.json() == {**again.json(), "accepted": 0, "duplicates": 1}
    assert running.worker.drain() == 1
    assert running.deliver(delivery).json()["duplicates"] == 1  # a late retry after applying: still once
    assert running.worker.drain() == 0
    entries = _entries(running, company)
    assert len(entries) == 1 and entries[0].changes["name"][1] == "Webhook Renamed Inc"
    (stored,) = _events(running)
    assert stored.state == "applied" and stored.changed is True
    assert entries[0].webhook_event_id == str(stored.id)  # the ledger says which event brought it
    assert _golden_name(running, company) == "Webhook Renamed Inc"


def test_an_older_event_after_a_newer_one_leaves_the_newer_value(running: Running, upstream: httpx.Client) -> None:
    company = _a_company(upstream)
    _rename(upstream, company, "First Name Ltd")
    older = event(201, company, propertyName="name", propertyValue="First Name Ltd")
    _rename(upstream, company, "Second Name Ltd")
    newer = event(202, company, propertyName="name", propertyValue="Second Name Ltd")
    running.deliver([newer])
    running.worker.drain()
    running.deliver([older])  # arrives late
    running.worker.drain()
    assert _golden_name(running, company) == "Second Name Ltd"
    assert [e.changes.get("name", [None, None])[1] for e in _entries(running, company)] == ["Second Name Ltd"]
    states = {e.event_key: (e.state, e.changed) for e in _events(running)}
    assert states == {"id:202": ("applied", True), "id:201": ("applied", False)}


def test_a_deletion_event_tombstones_the_record(running: Running, upstream: httpx.Client) -> None:
    company = _a_company(upstream)
    running.deliver([event(301, company, "company.creation")])
    running.worker.drain()
    canonical_id = _entries(running, company)[-1].canonical_id
    assert running.api.get(f"/api/v1/organizations/{canonical_id}").status_code == 200
    assert upstream.delete(f"/crm/v3/objects/companies/{company}", headers=AUTH).status_code == 204
    running.deliver([event(302, company, "company.deletion", changeFlag="DELETED")])
    running.worker.drain()
    assert _entries(running, company)[-1].op == "delete"
    assert running.api.get(f"/api/v1/organizations/{canonical_id}").status_code == 404


def test_failures_retry_with_backoff_then_dead_letter_and_replay_applies(
    running: Running, upstream: httpx.Client
) -> None:
    company = _a_company(upstream)
    config = {**running.hub.store.get("hs").config, "max_retries": 0}  # the inbox retries, not each call
    assert running.api.patch("/api/v1/connectors/hs", json={"config": config}).status_code == 200
    upstream.post("/_sandbox/faults", json={"kind": "status", "status": 500, "times": 100,
                                             "path_prefix": "/crm/v3/objects/companies/batch/read"})  # fmt: skip
    running.deliver([event(401, company, "company.creation")])
    deadline = time.monotonic() + 20
    while _events(running)[0].state != "dead":
        running.worker.run_once()
        assert time.monotonic() < deadline, "the event never dead-lettered"
        time.sleep(0.05)
    dead = running.api.get("/api/v1/webhooks/events", params={"state": "dead"}).json()
    assert dead["total"] == 1 and dead["events"][0]["attempts"] == 3 and "500" in dead["events"][0]["last_error"]
    upstream.delete("/_sandbox/faults")
    replayed = running.api.post("/api/v1/webhooks/events/replay", json={"connector_id": "hs"})
    assert replayed.json() == {"replayed": 1}
    assert running.worker.drain() == 1
    assert _events(running)[0].state == "applied" and len(_entries(running, company)) == 1
    one = running.api.post(f"/api/v1/webhooks/events/{dead['events'][0]['id']}/replay")
    assert one.status_code == 200 and running.worker.drain() == 1
    assert len(_entries(running, company)) == 1  # replaying an applied event changes nothing
    assert running.api.post("/api/v1/webhooks/events/999999/replay").status_code == 404


def test_status_shows_the_webhook_path_beside_the_scheduled_one(running: Running, upstream: httpx.Client) -> None:
    running.deliver([event(501, _a_company(upstream), "company.creation")])
    status = running.api.get("/api/v1/status").json()["connectors"][0]
    assert status["webhooks"]["events"]["pending"] == 1 and status["webhooks"]["last_received_at"]
    assert status["webhooks"]["oldest_pending_seconds"] is not None
    assert {s["stream"] for s in status["streams"]} == {"companies", "contacts", "deals"}
    running.worker.drain()
    status = running.api.get("/api/v1/status").json()["connectors"][0]
    assert status["webhooks"]["events"]["applied"] == 1 and status["webhooks"]["oldest_pending_seconds"] is None


def test_events_api_filters_and_validates(running: Running, upstream: httpx.Client) -> None:
    company = _a_company(upstream)
    running.deliver([event(601, company, "company.creation"), event(602, company)])
    listing = running.api.get("/api/v1/webhooks/events", params={"external_id": company, "limit": 1}).json()
    assert listing["total"] == 2 and len(listing["events"]) == 1
    assert running.api.get("/api/v1/webhooks/events", params={"state": "weird"}).status_code == 422
    assert running.api.get(f"/api/v1/webhooks/events/{listing['events'][0]['id']}").json()["object"] == "companies"
    with running.hub.reader.connect() as conn:
        assert conn.execute(select(func.count()).select_from(inbox_events)).scalar_one() == 2


def test_a_record_arriving_by_webhook_is_matched_in_the_same_write(running: Running, upstream: httpx.Client) -> None:
    from datetime import UTC, datetime

    from hub.db.schema import source_records
    from hub.ledger import Origin, write_page
    from hub.mappers import MapperSet
    from hub.settings import REPO_ROOT

    company = upstream.get("/crm/v3/objects/companies", params={"limit": 50, "properties": "domain,name"}, headers=AUTH)
    target = next(c for c in company.json()["results"] if c["properties"].get("domain"))
    salesforce = Origin(system="salesforce", instance="sf", run_id="run-sf")
    website = f"https://{target['properties']['domain']}/"
    account = {"attributes": {"type": "Account"}, "Id": "001WEBHOOK", "SystemModstamp": "2026-01-01T00:00:00Z",
               "IsDeleted": False, "Name": "Someone Else's Spelling", "Website": website}  # fmt: skip
    with running.hub.engine.begin() as conn:
        write_page(
            conn,
            salesforce,
            "accounts",
            [account],
            MapperSet(REPO_ROOT / "mappings").get("salesforce"),
            datetime.now(UTC),
        )
    _rename(upstream, target["id"], "Renamed For The Webhook")
    assert running.deliver([event(901, target["id"], propertyName="name")]).json()["accepted"] == 1
    assert running.worker.drain() == 1
    (stored,) = _events(running)
    with running.hub.reader.connect() as conn:
        clusters = dict(conn.execute(select(source_records.c.external_id, source_records.c.golden_id)).fetchall())
        merge = conn.execute(select(ledger_entries).where(ledger_entries.c.op == "merge")).one()
    assert clusters[target["id"]] == clusters["001WEBHOOK"]  # one golden organisation
    assert merge.webhook_event_id == str(stored.id) and merge.raw["pair"]["rule"] == "domain"
