"""Sync scenarios through the command users run: ``hub sync <connector>`` as its own process.

The sandbox (HubSpot, Salesforce, PartnerStack) runs in a second process; the hub database is a fresh
SQLite file or a dedicated PostgreSQL database, created for the scenario and dropped after it. The
connectors are declared the way users declare them, in a connectors YAML (``HUB_CONFIG_FILE``) with
credentials from the environment. Phases, each one ``hub sync`` per connector (HubSpot, then
Salesforce):

1. initial: ``hub sync <id> --full`` on the empty database;
2. incremental: 1 % of each object's records changed upstream (``POST /_sandbox/mutate``), then
   ``hub sync <id>``;
3. no-op: ``hub sync <id>`` again with nothing changed: the ledger must not grow.

Per command: wall time from spawn to exit, the process's CPU seconds and peak RSS (``os.wait4``: its
own rusage and its reaped children's), the sandbox process's CPU seconds over the same interval
(psutil), PostgreSQL's CPU over it (its backends), and what the command did, read from the hub's
database afterwards: records read (``sync_runs.records_seen``), ledger entries, golden records and
outbox rows written. The start-up (interpreter, imports, migration check) is part of the command, as
it is for a user.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bench.hubproc import _busy_seconds, _postgres_cpu, _postgres_cpu_delta, fresh_database
from bench.measure import wait_child
from bench.upstream import SandboxProcess

CONNECTORS = ("hubspot", "salesforce")
#: objects changed before the incremental sync, per connector: sandbox object → the hub's stream
MUTATE = {
    "hubspot": {"companies": "companies", "contacts": "contacts", "deals": "deals"},
    "salesforce": {
        "Account": "accounts",
        "Contact": "contacts",
        "Opportunity": "opportunities",
        "Lead": "deal_registrations",
    },
}
ADMIN_TOKEN = "bench-admin-token-0123456789"
#: when the sandbox used more than this share of one core during a command, it may be the limit
SANDBOX_BOUND_SHARE = 0.6

CONFIG_YAML = """\
# Written by bench/cli_sync.py: the sandbox's HubSpot and Salesforce, declared as users declare them.
connectors:
  - id: hubspot
    kind: hubspot
    name: HubSpot (sandbox)
    config:
      base_url: {hubspot_url}
      auth_type: private_app
    credentials:
      access_token: ${{HUBSPOT_ACCESS_TOKEN}}
  - id: salesforce
    kind: salesforce
    name: Salesforce (sandbox)
    config:
      login_url: {salesforce_url}
      api_version: "59.0"
      client_id: {salesforce_client_id}
      verify_tls: {salesforce_cert}
    credentials:
      client_secret: ${{SALESFORCE_CLIENT_SECRET}}
"""


def world_size(records: int) -> int:
    """The sandbox ``--size`` whose HubSpot and Salesforce worlds hold about ``records`` records together.

    ``--size N`` gives HubSpot N records (20 % companies, 50 % contacts, 30 % deals) and Salesforce a
    projection of the same ecosystem of about the same count (accounts, contacts, opportunities, deal
    registrations, channel-program members): half of ``records`` each.
    """
    return max(100, records // 2)


def hub_command() -> list[str]:
    """``hub`` as installed next to this interpreter (the console script users run), else ``python -m hub.cli``."""
    script = Path(sys.executable).parent / "hub"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hub.cli"]


@dataclass
class CommandUsage:
    """What one command cost, measured from outside it."""

    command: str
    exit_code: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    sandbox_cpu_s: float
    postgres_cpu_s: float | None
    machine_busy_s: float

    @property
    def sandbox_share(self) -> float:
        return self.sandbox_cpu_s / self.wall_s if self.wall_s else 0.0


def _cpu_of(pid: int) -> float:
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return float(times.user + times.system + times.children_user + times.children_system)


def run_measured(
    command: list[str],
    *,
    label: str,
    env: dict[str, str],
    cwd: Path,
    log: Path,
    sandbox_pid: int,
    postgres: bool,
    timeout: float,
) -> CommandUsage:
    """Run ``command`` to its end; its wall time, CPU and peak RSS (``os.wait4``), and the sandbox's CPU meanwhile."""
    pg0 = _postgres_cpu() if postgres else None
    sandbox0, busy0 = _cpu_of(sandbox_pid), _busy_seconds()
    with log.open("ab") as out:
        out.write(f"$ {' '.join(command)}\n".encode())
        out.flush()
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _status, usage = wait_child(process, timeout)
        wall = time.perf_counter() - started
    return CommandUsage(
        command=label,
        exit_code=process.returncode,
        wall_s=round(wall, 3),
        cpu_s=round(usage.ru_utime + usage.ru_stime, 3),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
        sandbox_cpu_s=round(_cpu_of(sandbox_pid) - sandbox0, 3),
        postgres_cpu_s=None if not postgres else _round(_postgres_cpu_delta(pg0)),
        machine_busy_s=round(_busy_seconds() - busy0, 3),
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _snapshot(url: str) -> dict[str, Any]:
    """Row counts the phases are judged by, and every sync run so far, read from the hub's database."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            found: dict[str, Any] = {
                table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
                for table in ("ledger_entries", "golden_records", "source_records", "outbox")
            }
            found["dead_letters"] = int(
                conn.execute(text("SELECT count(*) FROM dead_letters WHERE status = 'open'")).scalar_one()
            )
            columns = "id, connector_id, stream, mode, status, pages, records_seen, records_changed"
            rows = conn.execute(text(f"SELECT {columns} FROM sync_runs"))
            found["runs"] = {row.id: dict(row._mapping) for row in rows}
            return found
    finally:
        engine.dispose()


def drop_database(url: str) -> None:
    """Drop the scenario's PostgreSQL database (``fresh_database`` made it)."""
    parsed = make_url(url)
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=parsed.host or None, port=parsed.port or None, user=parsed.username or None,
        password=parsed.password or None, dbname="postgres", autocommit=True, connect_timeout=10,
    ) as conn:  # fmt: skip
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(str(parsed.database))))


def postgres_reachable(url: str) -> str | None:
    """None when the server answers; else why not (the PostgreSQL scenarios are then skipped)."""
    parsed = make_url(url)
    try:
        import psycopg

        with psycopg.connect(
            host=parsed.host or None, port=parsed.port or None, user=parsed.username or None,
            password=parsed.password or None, dbname="postgres", connect_timeout=5,
        ):  # fmt: skip
            return None
    except Exception as exc:  # any failure to connect: report it, run the rest
        return f"PostgreSQL at {parsed.host}:{parsed.port or 5432} not reachable ({type(exc).__name__})"


def _mutate(sandbox: SandboxProcess, seen: dict[str, dict[str, int]], share: float) -> dict[str, int]:
    """Change ``share`` of each object's records in HubSpot and Salesforce; how many per connector."""
    changed: dict[str, int] = {}
    for connector, objects in MUTATE.items():
        info = sandbox.info[connector]
        verify: bool | str = info.get("cert_path") or True
        with httpx.Client(
            base_url=info["admin_url"], headers={"X-Sandbox-Admin": info["admin_token"]}, timeout=600, verify=verify
        ) as admin:
            for obj, stream in objects.items():
                count = max(1, round(seen[connector].get(stream, 0) * share))
                reply = admin.post("/_sandbox/mutate", json={"object": obj, "count": count, "seed": 5})
                reply.raise_for_status()
                changed[connector] = changed.get(connector, 0) + len(reply.json()["updated"])
    return changed


class Scenario:
    """One sandbox world and one hub database; ``phase`` runs ``hub sync`` per connector and measures it."""

    def __init__(self, sandbox: SandboxProcess, database_url: str, workdir: Path) -> None:
        self.sandbox = sandbox
        self.database_url = database_url
        self.workdir = workdir
        self.log = workdir / "hub-sync.log"
        self.postgres = database_url.startswith("postgresql")
        config = workdir / "connectors.yaml"
        sf = sandbox.info["salesforce"]
        config.write_text(
            CONFIG_YAML.format(
                hubspot_url=sandbox.info["hubspot"]["base_url"], salesforce_url=sf["base_url"],
                salesforce_client_id=sf["consumer_key"], salesforce_cert=sf["cert_path"],
            )
        )  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        env.update(
            HUB_DATABASE_URL=database_url, HUB_DATA_DIR=str(workdir), HUB_CONFIG_FILE=str(config),
            HUB_SECRET_KEY=Fernet.generate_key().decode(), HUB_ADMIN_TOKEN=ADMIN_TOKEN,
            HUB_SCHEDULER_ENABLED="false", HUB_OUTBOUND_ALLOW="127.0.0.1,localhost,::1",
            HUBSPOT_ACCESS_TOKEN=sandbox.info["hubspot"]["private_app_token"],
            SALESFORCE_CLIENT_SECRET=sf["consumer_secret"], COLUMNS="150",
        )  # fmt: skip
        self.env = env
        assert sandbox.process is not None
        self.sandbox_pid = sandbox.process.pid

    def setup(self, timeout: float = 300) -> tuple[CommandUsage, CommandUsage]:
        """``hub status`` twice: the first migrates the empty database and applies the connectors file, the
        second is what every later command pays before it syncs anything (interpreter, imports, checks)."""
        runs = self._run(["status"], timeout), self._run(["status"], timeout)
        for usage in runs:
            if usage.exit_code != 0:
                raise RuntimeError(f"`hub status` failed ({usage.exit_code}); see {self.log}")
        return runs

    def _run(self, args: list[str], timeout: float) -> CommandUsage:
        return run_measured(
            [*hub_command(), *args], label=" ".join(["hub", *args]), env=self.env, cwd=self.workdir, log=self.log,
            sandbox_pid=self.sandbox_pid, postgres=self.postgres, timeout=timeout,
        )  # fmt: skip

    def phase(self, name: str, *, full: bool, timeout: float) -> dict[str, Any]:
        """One ``hub sync`` per connector; per connector and in total: cost and what was written."""
        per: dict[str, Any] = {}
        for connector in CONNECTORS:
            before = _snapshot(self.database_url)
            usage = self._run(["sync", connector, *(["--full"] if full else [])], timeout)
            after = _snapshot(self.database_url)
            runs = [r for rid, r in after["runs"].items() if rid not in before["runs"]]
            failed = [f"{r['stream']}: {r['status']}" for r in runs if r["status"] != "succeeded"]
            if usage.exit_code != 0 or failed:
                raise RuntimeError(f"{name}: `{usage.command}` exited {usage.exit_code} {failed}; see {self.log}")
            per[connector] = {
                **asdict(usage),
                "records": sum(r["records_seen"] for r in runs),
                "changed": sum(r["records_changed"] for r in runs),
                "pages": sum(r["pages"] for r in runs),
                "streams": {r["stream"]: r["records_seen"] for r in runs},
                "ledger_entries_written": after["ledger_entries"] - before["ledger_entries"],
                "golden_records_written": after["golden_records"] - before["golden_records"],
                "outbox_rows_written": after["outbox"] - before["outbox"],
                "records_per_s": round(sum(r["records_seen"] for r in runs) / usage.wall_s) if usage.wall_s else 0,
                "sandbox_share_of_core": round(usage.sandbox_share, 2),
                "sandbox_bound": usage.sandbox_share > SANDBOX_BOUND_SHARE,
            }
        totals = after
        return {"connectors": per, **_total(per), "golden_records": totals["golden_records"],
                "ledger_entries": totals["ledger_entries"], "outbox_rows": totals["outbox"],
                "dead_letters": totals["dead_letters"]}  # fmt: skip


def _total(per: dict[str, Any]) -> dict[str, Any]:
    items = list(per.values())
    wall = sum(i["wall_s"] for i in items)
    records = sum(i["records"] for i in items)
    pg = [i["postgres_cpu_s"] for i in items if i["postgres_cpu_s"] is not None]
    sandbox = sum(i["sandbox_cpu_s"] for i in items)
    return {
        "records": records,
        "changed": sum(i["changed"] for i in items),
        "wall_s": round(wall, 2),
        "records_per_s": round(records / wall) if wall else 0,
        "cpu_s": round(sum(i["cpu_s"] for i in items), 2),
        "cpu_ms_per_record": round(sum(i["cpu_s"] for i in items) * 1000 / records, 3) if records else None,
        "peak_rss_mb": max(i["peak_rss_mb"] for i in items),
        "sandbox_cpu_s": round(sandbox, 2),
        "sandbox_share_of_core": round(sandbox / wall, 2) if wall else 0.0,
        "sandbox_bound": any(i["sandbox_bound"] for i in items),
        "postgres_cpu_s": round(sum(pg), 2) if pg else None,
        "ledger_entries_written": sum(i["ledger_entries_written"] for i in items),
        "golden_records_written": sum(i["golden_records_written"] for i in items),
        "outbox_rows_written": sum(i["outbox_rows_written"] for i in items),
    }


@contextlib.contextmanager
def scenario(records: int, backend: str, pg_url: str, workdir: Path, seed: int = 7) -> Iterator[tuple[Scenario, float]]:
    """A sandbox of ``world_size(records)`` in its own process and a fresh hub database; yields the
    scenario and the seconds the sandbox took to generate its world and start."""
    workdir.mkdir(parents=True, exist_ok=True)
    url = None
    if backend == "postgresql":
        parsed = make_url(pg_url)
        url = parsed.set(database=f"{parsed.database}_sync_{records}").render_as_string(hide_password=False)
    database_url = fresh_database(url, workdir, f"sync-{records}")
    started = time.perf_counter()
    try:
        with SandboxProcess(world_size(records), seed=seed) as sandbox:
            yield Scenario(sandbox, database_url, workdir), time.perf_counter() - started
    finally:
        if url is not None:
            with contextlib.suppress(Exception):
                drop_database(url)


def run_sync(
    records: int,
    backend: str,
    pg_url: str,
    workdir: Path,
    *,
    changed_share: float = 0.01,
    peer: Callable[[SandboxProcess, Path], dict[str, Any]] | None = None,
    say: Callable[[str], None] = print,
    timeout: float = 5400.0,
) -> dict[str, Any]:
    """Initial, incremental and no-op sync of about ``records`` records on ``backend``; ``peer`` (if given)
    runs against the same sandbox world after the initial sync, before anything changes; ``timeout``
    bounds each command (it is killed then, and the scenario fails)."""
    with scenario(records, backend, pg_url, workdir) as (run, start_s):
        say(f"sandbox: {run.sandbox.info['hubspot']['base_url']} (world --size {world_size(records)}, "
            f"ready in {start_s:.0f} s); hub database: {backend}")  # fmt: skip
        setup, startup = run.setup()
        initial = run.phase("initial", full=True, timeout=timeout)
        peer_result = peer(run.sandbox, workdir / "peer") if peer is not None else None
        seen = {c: dict(initial["connectors"][c]["streams"]) for c in CONNECTORS}
        mutated = _mutate(run.sandbox, seen, changed_share)
        incremental = run.phase("incremental", full=False, timeout=timeout)
        noop = run.phase("no-op", full=False, timeout=timeout)
    for phase in (incremental, noop):
        phase["share_of_initial_wall"] = round(phase["wall_s"] / initial["wall_s"], 4) if initial["wall_s"] else None
        phase["share_of_initial_cpu"] = round(phase["cpu_s"] / initial["cpu_s"], 4) if initial["cpu_s"] else None
    noop["ok"] = noop["ledger_entries_written"] == 0
    return {
        "records_nominal": records,
        "world_size": world_size(records),
        "backend": backend,
        "sandbox_start_s": round(start_s, 1),
        "setup": asdict(setup),
        "startup": asdict(startup),
        "changed_upstream": mutated,
        "changed_share": changed_share,
        "phases": {"initial": initial, "incremental": incremental, "noop": noop},
        "peer": peer_result,
    }
