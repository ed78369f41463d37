"""``hub demo``: the sandbox and the hub in one process, on a fresh SQLite file.

Everything goes through the hub's own HTTP API: create a HubSpot connector (OAuth2), sync in full,
change records upstream, sync incrementally, let HubSpot push a change by signed webhook, write the
agreed values back to HubSpot, Salesforce and PartnerStack and show their echo changing nothing, then
report what the ledger holds and show one partner with the source of each golden field.

For PartnerStack the demo connects a second PartnerStack account ("partnerstack-eu", another sandbox
of the same world) that the demo's survivorship policy ranks first for a registration's status: a
reject reason agreed there is the value written back to the first account.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from hub.api import create_app
from hub.context import Hub
from hub.db.schema import golden_records, inbox_events, ledger_entries, outbox
from hub.queries import counts
from hub.serving import BackgroundServer
from hub.settings import Settings

SYSTEMS = ("hubspot", "salesforce", "partnerstack")
#: (connector, object) written back in step 4
WRITEBACKS = (("hubspot", "companies"), ("hubspot", "contacts"), ("salesforce", "accounts"),
              ("salesforce", "contacts"), ("partnerstack", "deals"))  # fmt: skip
AGREED_REASON = "Budget frozen until Q3 (agreed in PartnerStack EU)"


def _connectors(sandbox: Any) -> list[dict[str, Any]]:
    """One connector per simulated system, configured through the API as an admin would."""
    hs, sf, ps = (sandbox.credentials[name] for name in SYSTEMS)
    every_15_minutes = [{"stream": "*", "interval_seconds": 900}]
    return [
        {"id": "hubspot", "kind": "hubspot", "name": "HubSpot (sandbox)", "schedules": every_15_minutes,
         "config": {"base_url": sandbox.base_urls["hubspot"], "auth_type": "oauth", "client_id": hs["client_id"],
                    "incremental_lookback_seconds": 0},
         "credentials": {"client_secret": hs["client_secret"], "refresh_token": hs["refresh_token"]}},
        {"id": "salesforce", "kind": "salesforce", "name": "Salesforce (sandbox)", "schedules": every_15_minutes,
         "config": {"login_url": sf["base_url"], "api_version": "59.0", "client_id": sf["consumer_key"],
                    "verify_tls": sf["cert_path"], "incremental_lookback_seconds": 0},
         "credentials": {"client_secret": sf["consumer_secret"]}},
        {"id": "partnerstack", "kind": "partnerstack", "name": "PartnerStack (sandbox)", "schedules": every_15_minutes,
         "config": {"base_url": sandbox.base_urls["partnerstack"], "public_key": ps["public_key"]},
         "credentials": {"secret_key": ps["secret_key"]}},
    ]  # fmt: skip


# Upstream changes between the two syncs: (system, sandbox object, count)
CHANGES = (
    ("hubspot", "companies", 10), ("hubspot", "contacts", 15), ("hubspot", "deals", 5),
    ("salesforce", "Account", 8), ("salesforce", "Opportunity", 5),
    ("partnerstack", "partnerships", 4), ("partnerstack", "deals", 6),
)  # fmt: skip


def _sync(api: httpx.Client, connector_id: str, mode: str) -> list[dict[str, Any]]:
    response = api.post(f"/api/v1/connectors/{connector_id}/sync", json={"mode": mode, "wait": True}, timeout=600)
    response.raise_for_status()
    return sorted(response.json()["runs"], key=lambda r: r["started_at"])


def _runs_table(title: str, runs: list[dict[str, Any]]) -> Table:
    table = Table("connector", "stream", "mode", "status", "pages", "read", "changed", "dead letters", title=title)
    for run in runs:
        table.add_row(
            run["connector_id"], run["stream"], run["mode"], run["status"], str(run["pages"]),
            str(run["records_seen"]), str(run["records_changed"]), str(run["dead_letters"]),
        )  # fmt: skip
    return table


def _per_system(runs: list[dict[str, Any]]) -> Table:
    table = Table("system", "records read", "ledger entries appended", "dead letters", "failed runs",
                  title="per system")  # fmt: skip
    for system in SYSTEMS:
        mine = [r for r in runs if r["connector_id"] == system]
        table.add_row(
            system, str(sum(r["records_seen"] for r in mine)), str(sum(r["records_changed"] for r in mine)),
            str(sum(r["dead_letters"] for r in mine)), str(sum(r["status"] != "succeeded" for r in mine)),
        )  # fmt: skip
    return table


def _hubspot_source(detail: dict[str, Any]) -> dict[str, Any] | None:
    return next((s for s in detail["sources"] if s["system"] == "hubspot" and not s["deleted"]), None)


def _merged_partner(api: httpx.Client) -> dict[str, Any] | None:
    """A partner organisation whose golden record merges HubSpot, Salesforce and PartnerStack records."""
    partners = api.get("/api/v1/organizations", params={"role": "partner", "limit": 500}).json()["items"]
    for item in sorted(partners, key=lambda p: (-p["source_count"], p["id"])):
        if item["source_count"] < len(SYSTEMS):
            break
        detail: dict[str, Any] = api.get(f"/api/v1/organizations/{item['id']}").json()
        if {s["system"] for s in detail["sources"] if not s["deleted"]} >= set(SYSTEMS):
            return detail
    return None


def _partner_table(detail: dict[str, Any]) -> Table:
    table = Table("field", "golden value", "from", "rule", title=f"one partner, merged: {detail['name']}")
    records = [f"{s['system']} {s['object']}/{s['external_id']}" for s in detail["sources"]]
    table.caption = "source records: " + ", ".join(records)
    for name, value in sorted(detail["fields"].items()):
        origin = detail["provenance"].get(name, {})
        where = f"{origin.get('system')} {origin.get('object')}/{origin.get('external_id')}"
        table.add_row(name, str(value)[:40], f"{where} (entry {origin.get('entry_id')})", str(origin.get("rule", "")))
    return table


def _webhook_step(
    console: Console, api: httpx.Client, admin: httpx.Client, hub_url: str, org_id: str, creds: dict[str, str]
) -> bool:
    """3. HubSpot pushes a change by signed webhook; the inbox worker applies it to the golden record."""
    admin.put("/_sandbox/webhooks", json={"target_url": f"{hub_url}/webhooks/hubspot", "batch_window_s": 0.01})
    hubspot = _hubspot_source(api.get(f"/api/v1/organizations/{org_id}").json())
    if hubspot is None:
        console.print("[red]3. webhook: the partner has no HubSpot record[/]")
        return False
    source = hubspot["external_id"]
    new_name = "Acme Renamed By Webhook Ltd"
    started = time.perf_counter()
    admin.patch(
        f"/crm/v3/objects/companies/{source}",
        json={"properties": {"name": new_name}},
        headers={"Authorization": f"Bearer {creds['private_app_token']}"},
    )
    deadline = started + 15
    detail: dict[str, Any] = {}
    arrived = False
    while time.perf_counter() < deadline:
        detail = api.get(f"/api/v1/organizations/{org_id}").json()
        record: dict[str, Any] = next((s for s in detail["sources"] if s["external_id"] == source), {})
        if record.get("fields", {}).get("name") == new_name:
            arrived = True
            break
        time.sleep(0.02)
    took = (time.perf_counter() - started) * 1000
    event = api.get("/api/v1/webhooks/events", params={"external_id": source, "limit": 1}).json()["events"]
    if arrived and event:
        rule = detail["provenance"].get("name", {})
        console.print(
            f"3. webhook: HubSpot renamed company {source}; signed delivery verified, stored, and applied "
            f"to the ledger in {took:.0f} ms (inbox event {event[0]['id']}, {event[0]['state']}); the golden "
            f"name is {detail['fields'].get('name')!r} ({rule.get('rule')} from {rule.get('system')})"
        )
        return True
    attempts = admin.get("/_sandbox/webhooks/deliveries").json()["results"][-1:]
    console.print("[red]3. webhook: the change did not arrive within 15 s[/]")
    console.print({"delivery": attempts, "inbox": event}, markup=False)
    return False


def _reconciliation(report: dict[str, Any]) -> Table:
    """The reconciliation report: per system and entity, matched, merged, in review, conflicting fields."""
    table = Table("system", "entity", "records", "matched", "merged", "in review", "conflicting fields",
                  title="reconciliation")  # fmt: skip
    for row in report.get("systems", []):
        conflicts = row.get("drift") or {}
        top = ", ".join(f"{k} {v}" for k, v in sorted(conflicts.items(), key=lambda kv: -kv[1])[:3])
        table.add_row(row["system"], row["entity_type"], str(row["records"]), str(row["matched"]), str(row["merged"]),
                      str(row["in_review"]), top)  # fmt: skip
    return table


def _demo_policy(workdir: Path) -> Path:
    """The default survivorship policy, with the second PartnerStack account first for a registration's status."""
    from importlib import resources

    text = resources.files("hub.ledger").joinpath("survivorship_default.yaml").read_text(encoding="utf-8")
    marker = "rule: source_priority, systems: [partnerstack, salesforce, hubspot]}"
    status = f"status: {{fields: [status, status_raw, reject_reason], {marker}"
    assert status in text, "the default policy's deal_registration status rule moved"
    path = workdir / "survivorship.yaml"
    path.write_text(
        text.replace(status, status.replace("[partnerstack,", "[partnerstack/partnerstack-eu, partnerstack,"))
    )
    return path


def _golden(hub: Hub) -> dict[str, dict[str, Any]]:
    with hub.reader.connect() as conn:
        rows = conn.execute(select(golden_records.c.canonical_id, golden_records.c.fields))
        return {cid: {k: v for k, v in fields.items() if not k.endswith("_raw")} for cid, fields in rows}


def _agree_in_eu(api: httpx.Client, eu: Any) -> str | None:
    """4a. A reject reason agreed in the second PartnerStack account, for a registration both hold."""
    creds = eu.credentials["partnerstack"]
    auth = (creds["public_key"], creds["secret_key"])
    deals = httpx.get(f"{eu.base_urls['partnerstack']}/deals", auth=auth, params={"limit": 250}).json()
    shared = next((d for d in deals["data"]["items"] if d.get("external_key")), None)
    if shared is None:
        return None
    httpx.patch(f"{eu.base_urls['partnerstack']}/deals/{shared['key']}", auth=auth,
                json={"lost_reason": AGREED_REASON}).raise_for_status()  # fmt: skip
    api.post("/api/v1/connectors", json={
        "id": "partnerstack-eu", "kind": "partnerstack", "name": "PartnerStack EU (sandbox)",
        "config": {"base_url": eu.base_urls["partnerstack"], "public_key": creds["public_key"]},
        "credentials": {"secret_key": creds["secret_key"]},
    }).raise_for_status()  # fmt: skip
    response = api.post("/api/v1/connectors/partnerstack-eu/sync",
                        json={"mode": "full", "streams": ["deals"], "wait": True}, timeout=600)  # fmt: skip
    response.raise_for_status()
    return str(shared["key"])


def _settled(hub: Hub, timeout: float = 30) -> None:
    """Wait until the inbox has applied every webhook event (echoes arrive by webhook too)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with hub.reader.connect() as conn:
            left = conn.execute(select(func.count()).select_from(inbox_events)
                                .where(inbox_events.c.state.in_(["pending", "processing"]))).scalar_one()  # fmt: skip
        if not left:
            return
        time.sleep(0.1)


def _writeback_step(console: Console, api: httpx.Client, hub: Hub, eu: Any) -> bool:
    """4. Write the agreed values back to every system; their echo (HubSpot's by webhook, all by the
    next sync) changes nothing."""
    deal = _agree_in_eu(api, eu)
    _settled(hub)
    agreed = _golden(hub)
    with hub.reader.connect() as conn:
        first_entry = conn.execute(select(func.coalesce(func.max(ledger_entries.c.id), 0))).scalar_one()
        first_row = conn.execute(select(func.coalesce(func.max(outbox.c.id), 0))).scalar_one()
    table = Table("connector", "object", "changed", "invalid", "rejected", "written", "unchanged", "failed",
                  title="4. write-back (dry run, then through the outbox)")  # fmt: skip
    written: dict[str, int] = {}
    ok = True
    for connector_id, obj in WRITEBACKS:
        url = f"/api/v1/connectors/{connector_id}/writeback"
        dry = api.post(url, json={"object": obj, "dry_run": True}, timeout=600).json()
        done = api.post(url, json={"object": obj}, timeout=600).json()
        written[connector_id] = written.get(connector_id, 0) + done["written"]
        ok = ok and done["failed"] == 0
        table.add_row(connector_id, obj, str(dry["changed"]), str(dry["invalid"]), str(dry["rejected"]),
                      str(done["written"]), str(done["unchanged"]), str(done["failed"]))  # fmt: skip
    console.print(table)
    if deal is not None:
        console.print(f"  PartnerStack deal {deal}: reject reason {AGREED_REASON!r} written from the agreed record")
    _settled(hub)
    echo = [run for name in SYSTEMS for run in _sync(api, name, "incremental")]
    with hub.reader.connect() as conn:
        entries = conn.execute(
            select(ledger_entries.c.source_instance, ledger_entries.c.echo_of, ledger_entries.c.webhook_event_id)
            .where(ledger_entries.c.id > first_entry, ledger_entries.c.source_instance.in_(SYSTEMS))
        ).fetchall()  # fmt: skip
        waiting = conn.execute(select(func.count()).select_from(outbox).where(
            outbox.c.id > first_row, outbox.c.state.in_(["pending", "failed", "in_flight"]))).scalar_one()  # fmt: skip
    after = _golden(hub)
    # the golden id read back from a hub-id slot the write stamped (ADR 21) is the hub's own id, not news
    stamped = {cid for cid, fields in after.items() if fields.get("hub_id") == cid}
    after = {cid: {k: v for k, v in f.items() if not (k == "hub_id" and v == cid)} for cid, f in after.items()}
    agreed = {cid: {k: v for k, v in f.items() if not (k == "hub_id" and v == cid)} for cid, f in agreed.items()}
    moved = sum(1 for cid, fields in after.items() if agreed.get(cid) != fields)
    echoes = Table("system", "written", "echo by webhook", "echo by sync", "other entries",
                   title="5. the echo arrives")  # fmt: skip
    for system in SYSTEMS:
        mine = [e for e in entries if e.source_instance == system]
        echoes.add_row(system, str(written.get(system, 0)),
                       str(sum(e.echo_of is not None and e.webhook_event_id is not None for e in mine)),
                       str(sum(e.echo_of is not None and e.webhook_event_id is None for e in mine)),
                       str(sum(e.echo_of is None for e in mine)))  # fmt: skip
    console.print(echoes)
    for cid in [cid for cid, fields in after.items() if agreed.get(cid) != fields][:3]:
        before_fields, now_fields = agreed.get(cid) or {}, after[cid]
        changed = {k: (before_fields.get(k), now_fields.get(k)) for k in before_fields.keys() | now_fields.keys()
                   if before_fields.get(k) != now_fields.get(k)}  # fmt: skip
        console.print(f"  [red]changed[/] {cid}: {changed}", markup=True, highlight=False)
    console.print(f"  golden records whose own id came back from a system's hub-id slot: {len(stamped)}")
    console.print(f"  golden records changed by the echo: {moved}; new writes it implied: {waiting}; "
                  f"sync runs failed: {sum(r['status'] != 'succeeded' for r in echo)}")  # fmt: skip
    return ok and moved == 0 and waiting == 0 and all(e.echo_of is not None for e in entries)


def run_demo(console: Console, *, size: int = 2000, seed: int = 7) -> int:
    from sandbox.server import SandboxServer

    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="hub-demo-"))
    token = secrets.token_urlsafe(24)
    settings = Settings(
        database_url=f"sqlite:///{workdir / 'hub.db'}",
        data_dir=workdir,
        admin_token=SecretStr(token),
        secret_key=SecretStr(Fernet.generate_key().decode()),
        scheduler_enabled=False,
        survivorship_file=_demo_policy(workdir),
        outbound_allow="127.0.0.1,localhost,::1",  # the sandbox is on loopback (docs/security.md)
    )
    hub = Hub.from_settings(settings)
    with (
        SandboxServer(port=0, seed=seed, size=size) as sandbox,
        SandboxServer(port=0, seed=seed, size=size) as eu,  # the second PartnerStack account (step 4)
        BackgroundServer(create_app(hub, admin_token=token, workers=1)) as server,
    ):
        creds = sandbox.credentials["hubspot"]
        for name in SYSTEMS:
            console.print(f"[bold]sandbox[/] {name} at {sandbox.base_urls[name]}")
        console.print(f"  ({size} records per system, seed {seed}, overlapping organisations)")
        console.print(f"[bold]hub[/] API at {server.url}  (SQLite {workdir / 'hub.db'})")
        api = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"})
        for definition in _connectors(sandbox):
            created = api.post("/api/v1/connectors", json=definition)
            created.raise_for_status()
            console.print(
                f"connector {definition['id']} created; credentials sealed: {created.json()['credentials_set']}"
            )

        full = [run for name in SYSTEMS for run in _sync(api, name, "full")]
        console.print(_runs_table("1. full sync", full))

        admin = httpx.Client(
            headers={"X-Sandbox-Admin": creds["admin_token"]}, verify=sandbox.credentials["salesforce"]["cert_path"]
        )
        admin_urls = sandbox.root_urls
        for system, obj, count in CHANGES:
            answer = admin.post(
                f"{admin_urls[system]}/_sandbox/mutate", json={"object": obj, "count": count, "seed": 1}
            )
            answer.raise_for_status()
        console.print("changed upstream: " + ", ".join(f"{n} {system} {obj}" for system, obj, n in CHANGES))

        incremental = [run for name in SYSTEMS for run in _sync(api, name, "incremental")]
        console.print(_runs_table("2. incremental sync", incremental))
        console.print(_per_system(full + incremental))
        admin.base_url = httpx.URL(sandbox.base_urls["hubspot"])

        partners = api.get("/api/v1/organizations", params={"role": "partner", "limit": 1}).json()
        merged = _merged_partner(api)
        webhook_ok = merged is not None and _webhook_step(console, api, admin, server.url, merged["id"], creds)
        if merged is not None:
            console.print(_partner_table(api.get(f"/api/v1/organizations/{merged['id']}").json()))
        else:
            console.print("[red]no partner is merged from all three systems[/]")
        console.print(_reconciliation(api.get("/api/v1/reconciliation").json()))
        writeback_ok = _writeback_step(console, api, hub, eu)
        failed = [r for r in full + incremental if r["status"] != "succeeded"]
        api.close()
        admin.close()
    with hub.reader.connect() as conn:
        totals = counts(conn)
    hub.close()
    report = Table("measure", "value", title="report")
    report.add_row("records read", str(sum(r["records_seen"] for r in full + incremental)))
    report.add_row("ledger entries", str(totals["ledger_entries"]))
    kinds = ", ".join(
        f"{n} {key.removeprefix('golden_').replace('_', ' ')}"
        for key, n in sorted(totals.items())
        if key.startswith("golden_") and key != "golden_records"
    )
    report.add_row("golden records", f"{totals['golden_records']} ({kinds})")
    report.add_row("partners", str(partners["total"]))
    report.add_row("dead letters", str(totals["dead_letters"]))
    report.add_row("time taken", f"{time.perf_counter() - started:.2f} s")
    console.print(report)
    if failed:
        console.print(f"[red]{len(failed)} run(s) failed[/]: {[r['error'] for r in failed]}")
        return 1
    if not writeback_ok:
        console.print("[red]write-back: a write failed, or its echo changed something[/]")
    return 0 if webhook_ok and writeback_ok else 1
