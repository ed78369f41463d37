"""Sync benchmark: initial full sync of N HubSpot records from the sandbox, then 1% changed; then
write-back throughput per system (``bench.writeback_bench``).

    python -m bench.sync_bench                   # 100,000 records, SQLite; write-back on 10,000-record worlds
    python -m bench.sync_bench --size 20000 --database-url postgresql+psycopg://postgres@127.0.0.1/test

In-process (``hub.runner.run_all``), HubSpot only; ``make bench`` (``bench.run``) measures the ``hub sync``
command users run instead. The sandbox runs in its own process; the figures are the hub process's: records/s,
CPU seconds, peak RSS, and per-page latency (fetch + map + ledger commit) percentiles.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

from bench import writeback_bench
from bench.measure import Measured, Sample
from bench.upstream import SandboxProcess
from hub.connector_store import ConnectorCreate
from hub.context import Hub
from hub.queries import counts
from hub.settings import Settings
from hub.sync import RunResult


def _sync(hub: Hub, mode: str) -> tuple[Sample, list[RunResult]]:
    last = [time.perf_counter()]
    latencies: list[float] = []

    def on_page(_run: RunResult) -> None:
        now = time.perf_counter()
        latencies.append(now - last[0])
        last[0] = now

    with Measured() as measured:
        runs = hub.runner.run_all("hubspot", mode=mode, on_page=on_page)  # type: ignore[arg-type]
    measured.sample.latencies = latencies
    failed = [r.error for r in runs if r.status != "succeeded"]
    if failed:
        raise SystemExit(f"sync failed: {failed}")
    return measured.sample, runs


def _row(name: str, sample: Sample, runs: list[RunResult]) -> dict[str, Any]:
    seen = sum(r.outcome.seen for r in runs)
    return {
        "phase": name,
        "records": seen,
        "changed": sum(r.outcome.changed for r in runs),
        "pages": sum(r.pages for r in runs),
        "seconds": round(sample.wall, 2),
        "records_per_s": round(seen / sample.wall) if sample.wall else 0,
        "cpu_seconds": round(sample.cpu, 2),
        "page_ms_p50": round(sample.p(50), 1),
        "page_ms_p95": round(sample.p(95), 1),
        "page_ms_p99": round(sample.p(99), 1),
        "peak_rss_mb": round(sample.peak_rss_mb, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="HubSpot records in the sandbox world")
    parser.add_argument("--changed", type=float, default=0.01, help="share of records changed before the increment")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--output", type=Path, default=Path("bench/results/sync.json"))
    parser.add_argument("--writeback-size", type=int, default=10_000,
                        help="records per sandbox world of the write-back phase (0 = skip it)")  # fmt: skip
    args = parser.parse_args()
    console = Console()
    workdir = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    settings = Settings(
        database_url=args.database_url or f"sqlite:///{workdir / 'hub.db'}",
        data_dir=workdir,
        admin_token=SecretStr("bench-admin-token-0123456789"),
        secret_key=SecretStr(Fernet.generate_key().decode()),
        scheduler_enabled=False,
        outbound_allow="127.0.0.1,localhost,::1",  # the sandbox is on loopback (docs/security.md)
    )
    console.print(f"sandbox: {args.size} records in a separate process; hub database: {settings.database_url}")
    with SandboxProcess(args.size) as sandbox:
        hub = Hub.from_settings(settings)
        upstream = sandbox.hubspot
        hub.store.create(
            ConnectorCreate(
                id="hubspot", kind="hubspot",
                config={"base_url": upstream["base_url"], "incremental_lookback_seconds": 0},
                credentials={"access_token": upstream["private_app_token"]},
            )
        )  # fmt: skip
        full_sample, full_runs = _sync(hub, "full")
        with sandbox.admin() as admin:
            for run in full_runs:
                n = max(1, round(run.outcome.seen * args.changed))
                admin.post("/_sandbox/mutate", json={"object": run.stream, "count": n, "seed": 5})
        inc_sample, inc_runs = _sync(hub, "incremental")
        with hub.engine.connect() as conn:
            totals = counts(conn)
        hub.close()
    rows = [
        _row("full", full_sample, full_runs),
        _row(f"incremental ({args.changed:.0%} changed)", inc_sample, inc_runs),
    ]
    table = Table(title=f"hub sync benchmark: {args.size} HubSpot records, {settings.database_url.split(':')[0]}")
    table.add_column("measure")
    for row in rows:
        table.add_column(str(row["phase"]), justify="right")
    for key in list(rows[0])[1:]:
        table.add_row(key, *(str(row[key]) for row in rows))
    console.print(table)
    console.print(
        f"ledger entries {totals['ledger_entries']}, golden records {totals['golden_records']}, "
        f"dead letters {totals['dead_letters']}"
    )
    # its own fresh SQLite file (python -m bench.writeback_bench --database-url for PostgreSQL)
    writeback = writeback_bench.run(args.writeback_size, None, console) if args.writeback_size else []
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"size": args.size, "database": settings.database_url.split(":")[0],
                                       "rows": rows, "totals": totals, "writeback": writeback}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
