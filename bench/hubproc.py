"""A real ``hub serve`` in its own process, watched from outside (RSS, CPU), and a fresh database for it.

Everything listens on 127.0.0.1 only; every wait here is bounded by a deadline.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import psutil
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (there is a small race until the hub binds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_database(url: str | None, workdir: Path, tag: str) -> str:
    """A new, empty database: a SQLite file in ``workdir`` (``url`` None), or the PostgreSQL database
    named in ``url`` dropped and created again through the ``postgres`` database (loopback only)."""
    if url is None:
        return f"sqlite:///{workdir / f'hub-{tag}.db'}"
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise SystemExit("--database-url takes a postgresql+psycopg:// URL; omit it for a fresh SQLite file")
    if parsed.host and parsed.host not in LOOPBACK_HOSTS:
        raise SystemExit(f"the benchmark only talks to 127.0.0.1, not {parsed.host}")
    name = parsed.database
    if not name or name in {"postgres", "template0", "template1"}:
        raise SystemExit("--database-url must name a scratch database, e.g. .../hub_bench_wh (it is dropped)")
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=parsed.host or None, port=parsed.port or None, user=parsed.username or None,
        password=parsed.password or None, dbname="postgres", autocommit=True, connect_timeout=10,
    ) as conn:  # fmt: skip
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url


def db_snapshot(url: str) -> dict[str, int]:
    """Rows in the hub's webhook tables, read directly from its database (what the 202s promised), the
    transactions that stored the deliveries (distinct ``received_at``: a group commit shares one), and on
    PostgreSQL the sessions opened on that database so far (``pg_stat_database.sessions``; this probe's own
    session shows up in the next snapshot). New sessions during a phase are connections the hub opened."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            found = {
                table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
                for table in ("webhook_deliveries", "inbox_events")
            }
            # a group commit stamps its deliveries with one received_at: distinct stamps ~ commits
            query = "SELECT count(DISTINCT received_at) FROM webhook_deliveries"
            found["delivery_commits"] = int(conn.execute(text(query)).scalar_one())
            if conn.dialect.name == "postgresql":
                query = "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
                found["db_sessions"] = int(conn.execute(text(query)).scalar_one())
            return found
    finally:
        engine.dispose()


def _busy_seconds() -> float:
    """CPU seconds the whole machine has spent not idle (all cores)."""
    times = psutil.cpu_times()
    fields = ("user", "nice", "system", "irq", "softirq")  # not idle, iowait, steal, or guest (inside user)
    return float(sum(getattr(times, name, 0.0) for name in fields))


def _postgres_cpu() -> tuple[float, dict[int, float]] | None:
    """CPU of a local PostgreSQL server: its postmaster's reaped children (backends that have exited) and
    every live ``postgres`` process. None when no local server is visible."""
    procs: dict[int, psutil.Process] = {}
    for proc in psutil.process_iter(["name", "ppid"]):
        if proc.info["name"] == "postgres":
            procs[proc.pid] = proc
    postmasters = [p for p in procs.values() if p.info["ppid"] not in procs]
    if len(postmasters) != 1:
        return None
    live: dict[int, float] = {}
    try:
        reaped = postmasters[0].cpu_times()
        for pid, proc in procs.items():
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                live[pid] = times.user + times.system
    except psutil.Error:
        return None
    return reaped.children_user + reaped.children_system, live


def _postgres_cpu_delta(before: tuple[float, dict[int, float]] | None) -> float | None:
    after = _postgres_cpu()
    if before is None or after is None:
        return None
    (reaped0, live0), (reaped1, live1) = before, after
    grown = sum(cpu - live0.get(pid, 0.0) for pid, cpu in live1.items())
    gone = sum(cpu for pid, cpu in live0.items() if pid not in live1)  # counted again in the reaped total
    return reaped1 - reaped0 + grown - gone


@dataclass
class PhaseUsage:
    """What one phase cost the hub process (and the machine) while it ran."""

    name: str
    wall: float = 0.0
    hub_cpu: float = 0.0
    hub_peak_rss_mb: float = 0.0
    machine_cpu_percent: float = 0.0
    machine_busy: float = 0.0
    generator_cpu: float = 0.0
    postgres_cpu: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "wall_s": round(self.wall, 2),
            "hub_cpu_s": round(self.hub_cpu, 2),
            "hub_cpu_share_of_one_core": round(self.hub_cpu / self.wall, 2) if self.wall else 0.0,
            "hub_peak_rss_mb": round(self.hub_peak_rss_mb, 1),
            "machine_cpu_percent": round(self.machine_cpu_percent, 1),
            "bench_process_cpu_s": round(self.generator_cpu, 2),
            "postgres_cpu_s": None if self.postgres_cpu is None else round(self.postgres_cpu, 2),
            # the sandbox, the kernel, and anything else running on the machine
            "other_cpu_s": round(
                max(0.0, self.machine_busy - self.hub_cpu - self.generator_cpu - (self.postgres_cpu or 0.0)), 2
            ),
        }


@dataclass
class ProcessWatch:
    """Samples another process's RSS every ``interval`` seconds in a thread; ``phase()`` measures a block."""

    pid: int
    interval: float = 0.05
    peak_rss_mb: float = 0.0
    _phase_peak: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        self.process = psutil.Process(self.pid)

    def _tree(self) -> list[psutil.Process]:
        """The process and its children (``hub serve --workers N`` runs its receivers as children)."""
        try:
            return [self.process, *self.process.children(recursive=True)]
        except psutil.Error:
            return [self.process]

    def _rss(self) -> float:
        total = 0.0
        for proc in self._tree():
            with contextlib.suppress(psutil.Error):
                total += float(proc.memory_info().rss) / 2**20
        return total

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            rss = self._rss()
            self.peak_rss_mb = max(self.peak_rss_mb, rss)
            self._phase_peak = max(self._phase_peak, rss)

    def start(self) -> ProcessWatch:
        self.peak_rss_mb = self._rss()
        self._thread = threading.Thread(target=self._watch, name=f"watch-{self.pid}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)

    def _cpu(self) -> float:
        """CPU seconds of the process and its live children (children that exited meanwhile are
        missed: a phase's figure is then low, never high)."""
        total = 0.0
        for proc in self._tree():
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                total += float(times.user + times.system)
        return total

    @contextlib.contextmanager
    def phase(self, name: str, postgres: bool = False) -> Any:
        usage = PhaseUsage(name)
        pg0 = _postgres_cpu() if postgres else None
        self._phase_peak = self._rss()
        cpu0, own0, t0 = self._cpu(), time.process_time(), time.perf_counter()
        busy0 = _busy_seconds()
        psutil.cpu_percent(None)
        try:
            yield usage
        finally:
            usage.wall = time.perf_counter() - t0
            usage.hub_cpu = self._cpu() - cpu0
            usage.generator_cpu = time.process_time() - own0
            usage.machine_cpu_percent = psutil.cpu_percent(None)
            usage.machine_busy = _busy_seconds() - busy0
            usage.postgres_cpu = _postgres_cpu_delta(pg0) if postgres else None
            usage.hub_peak_rss_mb = max(self._phase_peak, self._rss())


class HubProcess:
    """``python -m hub.cli serve`` with ``HUB_*`` settings in its environment; ready once ``/readyz`` is 200.

    ``workers`` is ``HUB_WEBHOOK_WORKERS`` (inbox worker threads); ``processes`` is ``--workers``
    (receiver processes on the port, the inbox workers and scheduler in one of them). CPU and RSS
    are summed over the process and its children.

    Stopped with SIGTERM (uvicorn's graceful shutdown), killed only if it has not exited 20 s later.
    """

    def __init__(
        self,
        *,
        database_url: str,
        workdir: Path,
        config_file: Path,
        admin_token: str,
        secret_key: str,
        workers: int,
        extra_env: dict[str, str],
        log_name: str,
        processes: int = 1,
    ) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.log_path = workdir / f"{log_name}.log"
        self.command = [
            sys.executable, "-m", "hub.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
            "--config", str(config_file), "--workers", str(processes),
        ]  # fmt: skip
        self.processes = processes
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        env.update(
            HUB_DATABASE_URL=database_url, HUB_SECRET_KEY=secret_key, HUB_DATA_DIR=str(workdir),
            HUB_ADMIN_TOKEN=admin_token, HUB_WEBHOOK_WORKERS=str(workers), HUB_SCHEDULER_ENABLED="false",
        )  # fmt: skip
        env.update(extra_env)
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.watch: ProcessWatch | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def __enter__(self) -> HubProcess:
        self._log = self.log_path.open("wb")
        # cwd is the scratch directory, so no stray .env or var/ of the checkout is picked up.
        self.process = subprocess.Popen(self.command, cwd=self.workdir, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT)  # fmt: skip
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                self._close_log()
                raise RuntimeError(f"hub serve exited with {self.process.returncode}:\n{self._log_tail()}")
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200 and self._all_up():
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError(f"hub serve not ready within 90 s:\n{self._log_tail()}")
            time.sleep(0.1)
        self.watch = ProcessWatch(self.process.pid).start()
        return self

    def _all_up(self) -> bool:
        """Every receiver process has started (uvicorn logs one line per process)."""
        if self.processes == 1:
            return True
        return self._log_tail_full().count("Application startup complete") >= self.processes

    def _log_tail_full(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def __exit__(self, *exc: object) -> None:
        if self.watch is not None:
            self.watch.stop()
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._close_log()
