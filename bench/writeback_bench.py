"""Write-back benchmark: the outbox dispatcher pushing golden values to each system's sandbox.

    python -m bench.writeback_bench --size 10000          # also run by `make bench` (bench.run), per backend

Each system's sandbox runs in its own process (two PartnerStack accounts: the second, ranked first
for a registration's status as in ``hub demo``, agrees a reject reason the first receives). After a
full sync has left the golden decisions' writes in the outbox, one dispatch pass per object is timed:
records/s (rows settled sent), per-batch latency percentiles (a claim of 100 rows: one HubSpot batch
request, one Salesforce collection, 100 PartnerStack PATCHes) and the hub process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

from bench.measure import Measured
from bench.upstream import SandboxProcess
from hub.connector_store import ConnectorCreate
from hub.context import Hub
from hub.demo import AGREED_REASON, _demo_policy
from hub.settings import Settings
from hub.writeback.dispatch import dispatch

OBJECTS = {"hubspot": ["companies", "contacts"], "salesforce": ["accounts", "contacts"], "partnerstack": ["deals"]}


def _connectors(info: dict[str, Any], eu: dict[str, Any]) -> list[ConnectorCreate]:
    hs, sf, ps, ps_eu = info["hubspot"], info["salesforce"], info["partnerstack"], eu["partnerstack"]
    return [
        ConnectorCreate(id="hubspot", kind="hubspot", config={"base_url": hs["base_url"]},
                        credentials={"access_token": hs["private_app_token"]}),
        ConnectorCreate(id="salesforce", kind="salesforce",
                        config={"login_url": sf["base_url"], "api_version": "59.0", "client_id": sf["consumer_key"],
                                "verify_tls": sf["cert_path"]},
                        credentials={"client_secret": sf["consumer_secret"]}),
        ConnectorCreate(id="partnerstack", kind="partnerstack",
                        config={"base_url": ps["base_url"], "public_key": ps["public_key"]},
                        credentials={"secret_key": ps["secret_key"]}),
        ConnectorCreate(id="partnerstack-eu", kind="partnerstack",
                        config={"base_url": ps_eu["base_url"], "public_key": ps_eu["public_key"]},
                        credentials={"secret_key": ps_eu["secret_key"]}),
    ]  # fmt: skip


def _agree_in_eu(eu: dict[str, Any]) -> int:
    """Agree a new reject reason in the EU account for every registration both accounts hold."""
    ps = eu["partnerstack"]
    auth = (ps["public_key"], ps["secret_key"])
    changed, after = 0, None
    with httpx.Client(base_url=ps["base_url"], auth=auth, timeout=60) as client:
        while True:
            params: dict[str, Any] = {"limit": 250, **({"starting_after": after} if after else {})}
            page = client.get("/deals", params=params).json()["data"]
            for deal in page["items"]:
                if deal.get("external_key"):
                    client.patch(f"/deals/{deal['key']}", json={"lost_reason": AGREED_REASON}).raise_for_status()
                    changed += 1
            if not page.get("has_more") or not page["items"]:
                return changed
            after = page["items"][-1]["key"]


def run(size: int, database_url: str | None, console: Console) -> list[dict[str, Any]]:
    workdir = Path(tempfile.mkdtemp(prefix="hub-bench-wb-"))
    settings = Settings(
        database_url=database_url or f"sqlite:///{workdir / 'hub.db'}",
        data_dir=workdir,
        admin_token=SecretStr("bench-admin-token-0123456789"),
        secret_key=SecretStr(Fernet.generate_key().decode()),
        scheduler_enabled=False,
        outbound_allow="127.0.0.1,localhost,::1",
        survivorship_file=_demo_policy(workdir),
    )
    rows: list[dict[str, Any]] = []
    with SandboxProcess(size) as main, SandboxProcess(size) as second:
        hub = Hub.from_settings(settings)
        for connector in _connectors(main.info, second.info):
            hub.store.create(connector)
        for system, objects in OBJECTS.items():
            streams = objects if system != "partnerstack" else ["partnerships", "deals"]
            failed = [
                r.error for r in hub.runner.run_all(system, mode="full", streams=streams) if r.status != "succeeded"
            ]
            if failed:
                raise SystemExit(f"sync of {system} failed: {failed}")
        agreed = _agree_in_eu(second.info)
        hub.runner.run_all("partnerstack-eu", mode="full", streams=["partnerships", "deals"])
        console.print(f"write-back: {agreed} PartnerStack registrations agreed in the second account")
        for system, objects in OBJECTS.items():
            for name in objects:
                with Measured() as measured:
                    report = dispatch(hub, system, name, due_only=False)
                sample = measured.sample
                sample.latencies = report.latencies
                rows.append({
                    "system": system, "object": name, "records": report.sent, "batches": report.batches,
                    "failed": report.failed + report.rejected, "seconds": round(sample.wall, 2),
                    "records_per_s": round(report.sent / sample.wall) if sample.wall else 0,
                    "batch_ms_p50": round(sample.p(50), 1), "batch_ms_p95": round(sample.p(95), 1),
                    "batch_ms_p99": round(sample.p(99), 1), "peak_rss_mb": round(sample.peak_rss_mb, 1),
                })  # fmt: skip
        hub.close()
    table = Table(
        title=f"write-back benchmark: sandbox worlds of {size} records, {settings.database_url.split(':')[0]}"
    )
    table.add_column("measure")
    for row in rows:
        table.add_column(f"{row['system']} {row['object']}", justify="right")
    for key in list(rows[0])[2:]:
        table.add_row(key, *(str(row[key]) for row in rows))
    console.print(table)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="records per sandbox world")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--output", type=Path, default=Path("bench/results/writeback.json"))
    args = parser.parse_args()
    rows = run(args.size, args.database_url, Console())
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"size": args.size, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
