"""Echo suppression per connector with write operations: the hub writes golden values back, the
upstream's echo arrives by sync or by webhook, and it changes no golden value and implies no write.

HubSpot companies and contacts, Salesforce accounts and contacts: the sandbox worlds hold values the
hub normalises (``WWW.Acme.com``, ``415.555.0100``) and duplicates merged across systems. PartnerStack
deals: two PartnerStack accounts (two sandboxes of the same world), the second ranked first for a
registration's status (``partnerstack/ps-eu``, ADR 11); a reject reason agreed in the second is
written to the first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hub.api import create_app
from hub.connector_store import ConnectorCreate
from hub.context import Hub
from hub.db.schema import golden_records, inbox_events, ledger_entries, outbox
from hub.inbound import connector_cache, inbox_worker
from hub.records import cause
from hub.serving import BackgroundServer
from hub.writeback.run import writeback
from sandbox.server import SandboxServer
from tests.conftest import ADMIN_TOKEN, make_settings
from tests.sandbox_fixtures import SF_TOKEN, hubspot_connector

PS_TOKEN = "ps-webhook-token-0123456789"
POLICY = Path(__file__).resolve().parents[2] / "hub" / "ledger" / "survivorship_default.yaml"


def _salesforce(sandbox: SandboxServer) -> ConnectorCreate:
    creds = sandbox.credentials["salesforce"]
    return ConnectorCreate(
        id="sf", kind="salesforce",
        config={"login_url": creds["base_url"], "api_version": "59.0", "client_id": creds["consumer_key"],
                "verify_tls": creds["cert_path"], "page_size": 200, "incremental_lookback_seconds": 0},
        credentials={"client_secret": creds["consumer_secret"], "outbound_message_token": SF_TOKEN},
    )  # fmt: skip


def _partnerstack(sandbox: SandboxServer, connector_id: str) -> ConnectorCreate:
    creds = sandbox.credentials["partnerstack"]
    return ConnectorCreate(
        id=connector_id, kind="partnerstack",
        config={"base_url": sandbox.base_urls["partnerstack"], "public_key": creds["public_key"], "page_size": 100},
        credentials={"secret_key": creds["secret_key"], "webhook_token": PS_TOKEN},
    )  # fmt: skip


def _admin(sandbox: SandboxServer, system: str) -> httpx.Client:
    creds = sandbox.credentials[system]
    return httpx.Client(base_url=sandbox.root_urls[system], headers={"X-Sandbox-Admin": creds["admin_token"]},
                        verify=sandbox.credentials["salesforce"]["cert_path"], timeout=30)  # fmt: skip


@dataclass
class Case:
    connector_id: str
    object: str
    streams: list[str]  # synced before the write-back (the object's and what it links to)
    # point the sandbox's webhooks at the hub (and return how to undo it)
    hook: Callable[[SandboxServer, str], Callable[[], None]]


def _hubspot_hook(sandbox: SandboxServer, hub_url: str) -> Callable[[], None]:
    admin = _admin(sandbox, "hubspot")
    admin.base_url = httpx.URL(sandbox.base_urls["hubspot"])
    admin.put("/_sandbox/webhooks", json={"target_url": f"{hub_url}/webhooks/hs", "batch_window_s": 0.01})

    def flush() -> None:
        admin.post("/_sandbox/webhooks/flush", json={"timeout_s": 15}, timeout=30)
        admin.delete("/_sandbox/webhooks")
        admin.close()

    return flush


def _salesforce_hook(sandbox: SandboxServer, hub_url: str) -> Callable[[], None]:
    admin = _admin(sandbox, "salesforce")
    admin.put("/_sandbox/salesforce/outbound", json={
        "target_url": f"{hub_url}/webhooks/sf?token={SF_TOKEN}", "objects": ["Account", "Contact"], "enabled": True,
        "batch_window_s": 0.01, "retry_base_s": 0.1,
    })  # fmt: skip

    def flush() -> None:
        admin.post("/_sandbox/salesforce/outbound/flush", json={"timeout_s": 15}, timeout=30)
        admin.delete("/_sandbox/salesforce/outbound")
        admin.close()

    return flush


def _partnerstack_hook(sandbox: SandboxServer, hub_url: str) -> Callable[[], None]:
    creds = sandbox.credentials["partnerstack"]
    auth = (creds["public_key"], creds["secret_key"])
    target = {"target": f"{hub_url}/webhooks/ps?token={PS_TOKEN}", "events": ["deal.updated"]}
    registered = httpx.post(f"{sandbox.base_urls['partnerstack']}/webhooks", auth=auth, json=target)
    assert registered.status_code in (200, 201), registered.text
    hook = registered.json()["data"]["key"]

    def flush() -> None:
        with _admin(sandbox, "partnerstack") as admin:
            admin.post("/_sandbox/webhooks/flush", json={"timeout_s": 15}, timeout=30)
        httpx.delete(f"{sandbox.base_urls['partnerstack']}/webhooks/{hook}", auth=auth)

    return flush


CASES = {
    "hubspot-companies": Case("hs", "companies", ["companies"], _hubspot_hook),
    "hubspot-contacts": Case("hs", "contacts", ["companies", "contacts"], _hubspot_hook),
    "salesforce-accounts": Case("sf", "accounts", ["accounts"], _salesforce_hook),
    "salesforce-contacts": Case("sf", "contacts", ["accounts", "contacts"], _salesforce_hook),
    "partnerstack-deals": Case("ps", "deals", ["partnerships", "deals"], _partnerstack_hook),
}


@pytest.fixture(scope="module")
def second_partnerstack() -> Iterator[SandboxServer]:
    """Another PartnerStack account with the same world (seed and size of the module's sandbox)."""
    with SandboxServer(port=0, seed=11, size=1000, rate_limit=0, search_rate_limit=0) as server:
        yield server


@pytest.fixture
def worlds(sandbox: SandboxServer, second_partnerstack: SandboxServer) -> Iterator[None]:
    """Every sandbox's world restored after the test."""
    admins = [_admin(sandbox, s) for s in ("hubspot", "salesforce", "partnerstack")]
    admins.append(_admin(second_partnerstack, "partnerstack"))
    saved = [admin.get("/_sandbox/world").json() for admin in admins]
    yield
    for admin, world in zip(admins, saved, strict=True):
        admin.put("/_sandbox/world", json=world)
        admin.close()


def _agree_in_second_account(hub: Hub, second: SandboxServer) -> str:
    """A reject reason agreed in ps-eu (ranked first) for a registration both accounts hold."""
    creds = second.credentials["partnerstack"]
    auth = (creds["public_key"], creds["secret_key"])
    deals = httpx.get(f"{second.base_urls['partnerstack']}/deals", auth=auth, params={"limit": 250}).json()
    shared = next(d for d in deals["data"]["items"] if d.get("external_key"))
    changed = httpx.patch(f"{second.base_urls['partnerstack']}/deals/{shared['key']}", auth=auth,
                          json={"lost_reason": "Budget frozen until Q3 (agreed)"})  # fmt: skip
    assert changed.status_code == 200, changed.text
    runs = hub.runner.run_all("ps-eu", mode="full", streams=["partnerships", "deals"])
    assert all(r.status == "succeeded" for r in runs), [r.error for r in runs]
    return str(shared["key"])


@pytest.fixture
def setup(
    db_url: str, tmp_path: Path, sandbox: SandboxServer, second_partnerstack: SandboxServer, worlds: None,
    request: pytest.FixtureRequest,
) -> Iterator[tuple[Hub, Case]]:  # fmt: skip
    case = CASES[request.param]
    policy = tmp_path / "policy.yaml"
    text = POLICY.read_text().replace(
        "status: {fields: [status, status_raw, reject_reason], rule: source_priority, systems: [partnerstack,",
        "status: {fields: [status, status_raw, reject_reason], rule: source_priority, systems: [partnerstack/ps-eu,"
        " partnerstack,",
    )
    assert text != POLICY.read_text()
    policy.write_text(text)
    hub = Hub.from_settings(make_settings(db_url, tmp_path, survivorship_file=policy))
    if case.connector_id == "hs":
        hub.store.create(hubspot_connector(sandbox))
    elif case.connector_id == "sf":
        hub.store.create(_salesforce(sandbox))
    else:
        hub.store.create(_partnerstack(sandbox, "ps"))
        hub.store.create(_partnerstack(second_partnerstack, "ps-eu"))
    runs = hub.runner.run_all(case.connector_id, mode="full", streams=case.streams)
    assert all(r.status == "succeeded" for r in runs), [r.error for r in runs]
    if case.connector_id == "ps":
        _agree_in_second_account(hub, second_partnerstack)
    yield hub, case
    hub.close()


def _golden(hub: Hub) -> dict[str, dict[str, Any]]:
    with hub.reader.connect() as conn:
        rows = conn.execute(select(golden_records.c.canonical_id, golden_records.c.fields))
        return {cid: {k: v for k, v in fields.items() if not k.endswith("_raw")} for cid, fields in rows}


def _last_entry(hub: Hub) -> int:
    with hub.reader.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(ledger_entries.c.id), 0))).scalar_one())


@pytest.mark.parametrize("setup", list(CASES), indirect=True)
@pytest.mark.parametrize("via", ["sync", "webhook"])
def test_the_echo_of_a_write_back_changes_nothing(setup: tuple[Hub, Case], sandbox: SandboxServer, via: str) -> None:
    hub, case = setup
    agreed, before = _golden(hub), _last_entry(hub)
    if via == "webhook":
        with BackgroundServer(create_app(hub, admin_token=ADMIN_TOKEN, workers=1)) as server:
            flush = case.hook(sandbox, server.url)
            report = writeback(hub, case.connector_id, case.object)
            flush()
            worker = inbox_worker(hub, connector_cache(hub))
            deadline = time.monotonic() + 20
            while worker.drain() == 0 and time.monotonic() < deadline:
                time.sleep(0.1)
            while worker.drain():
                pass
        with hub.reader.connect() as conn:
            states = set(conn.execute(select(inbox_events.c.state)).scalars())
        assert states == {"applied"}, states
    else:
        report = writeback(hub, case.connector_id, case.object)
        runs = hub.runner.run_all(case.connector_id, streams=[case.object])
        assert all(r.status == "succeeded" for r in runs), [r.error for r in runs]
    assert report.written > 0 and report.failed == 0, report
    with hub.reader.connect() as conn:
        echoes = conn.execute(
            select(ledger_entries.c.external_id, ledger_entries.c.echo_of, ledger_entries.c.changes).where(
                ledger_entries.c.id > before, ledger_entries.c.source_object == case.object
            )
        ).fetchall()
        waiting = conn.execute(
            select(func.count()).select_from(outbox).where(
                outbox.c.connector_id == case.connector_id, outbox.c.source_object == case.object,
                outbox.c.state.in_(["pending", "failed", "in_flight"]),
            )
        ).scalar_one()  # fmt: skip
        landed = conn.execute(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.source_object == case.object, outbox.c.echo_entry_id.is_not(None))
        ).scalar_one()
    assert echoes, "the write was observed"
    # Every observation of our write is its echo, unless it brings news: a Salesforce outbound message
    # carries fields the polled query does not (DunsNumber), a genuine observation, applied as one.
    written = {"name", "primary_domain", "phone", "email", "reject_reason"}
    # the hub id a write stamps in the record's hub-id slot (ADR 21) travels with it too
    travels = written | {f"{name}_raw" for name in written} | {"hub_id"}
    news = {name for e in echoes if e.echo_of is None for name in set(e.changes) - travels}
    assert all(set(e.changes) - travels for e in echoes if e.echo_of is None), echoes
    assert len([e for e in echoes if e.echo_of is not None]) > 0
    # every write seen landing; a write that only changed the upstream's text of a normalised value
    # (``www.Acme.com`` -> ``acme.com``) maps to the same canonical record: no entry, nothing to suppress
    assert 0 < landed <= report.written
    assert waiting == 0  # the echo implied no new write
    after = _golden(hub)
    # and changed no golden value, merged clusters included (but for the news and the hub id read back)
    assert all(f.get("hub_id") in (None, cid) for cid, f in after.items())
    assert {cid: {k: v for k, v in f.items() if k not in news | {"hub_id"}} for cid, f in after.items()} == {
        cid: {k: v for k, v in f.items() if k not in news | {"hub_id"}} for cid, f in agreed.items()
    }
    with hub.reader.connect() as conn:
        echo_rows = conn.execute(
            select(ledger_entries).where(ledger_entries.c.id > before, ledger_entries.c.echo_of.is_not(None))
        ).fetchall()
    # the history names the echo's cause: the outbox row, and the run or event that saw it
    assert echo_rows and all(cause(r)["kind"] == "echo" and cause(r)["via"] for r in echo_rows)
    assert writeback(hub, case.connector_id, case.object, dry_run=True).changed == 0
