"""Webhook ingest benchmark: signed HubSpot deliveries against a real ``hub serve`` process.

    python -m bench.webhook_bench                       # SQLite (a fresh file), 200 deliveries/s for 10 s
    python -m bench.webhook_bench --rate 500 --output bench/results/webhooks-500.json
    python -m bench.webhook_bench --database-url postgresql+psycopg://postgres@127.0.0.1:5432/hub_bench_wh

Parts, each against ``python -m hub.cli serve`` in its own process and the sandbox in another:

1. open loop: ``--rate`` signed single-event deliveries per second for ``--seconds``, sends scheduled by
   the clock; ack latency is measured from the *scheduled* send time (no coordinated omission).
2. saturation: closed loop, ``--concurrency`` requests in flight (a comma list runs several) for
   ``--saturation-seconds`` each; the most accepted deliveries per second.
3. end to end: the sandbox sends its own signed webhooks to the hub; after a full sync, ``--changes``
   companies are renamed one at a time through HubSpot's REST API (a random 0-250 ms pause between
   renames, so arrivals do not lock step with the worker's poll), and each rename is timed from the
   PATCH returning until ``GET /api/v1/organizations/{id}`` shows the new name.

``--workers N`` runs ``hub serve --workers N`` (N receiver processes on one port). The generator is
``--generator raw`` (keep-alive HTTP/1.1 over asyncio streams, cheap) or ``httpx``. ``run(...)`` is
the same as a function (``bench/run.py``).

Parts 1 and 2 run with ``HUB_WEBHOOK_WORKERS=0`` (events pile up, nothing competes with acceptance);
part 3 runs on a second hub process with one inbox worker and a fresh database. A 202 means the
delivery and its event were committed; the row counts are checked in the database afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import platform
import random
import secrets
import ssl
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
from cryptography.fernet import Fernet
from hubspot.utils.signature import Signature
from rich.console import Console
from rich.table import Table

from bench.hubproc import HubProcess, PhaseUsage, db_snapshot, fresh_database
from bench.measure import percentile, revision
from bench.upstream import SandboxProcess

# httpcore imports sniffio on every async request; when sniffio is not installed, each failed import
# searches sys.path again (~0.2 ms, a fifth of the generator's CPU). Record it as absent once: httpcore
# then assumes asyncio, which is what runs here.
if importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]

CONNECTOR_ID = "hubspot-bench"
REQUEST_TIMEOUT = 10.0
WARMUP_REQUESTS = 200


# --- signed deliveries ------------------------------------------------------------------------------


@dataclass
class Deliveries:
    """Builds single-event HubSpot deliveries with unique eventIds, signed (v3) at the moment of sending."""

    url: str
    client_secret: str
    company_ids: list[int]
    next_id: int = field(default_factory=lambda: time.time_ns() // 1000)

    def build(self) -> tuple[bytes, dict[str, str]]:
        self.next_id += 1
        n = self.next_id
        now_ms = int(time.time() * 1000)
        event = {
            "eventId": n, "subscriptionId": 1, "portalId": 1, "appId": 1, "occurredAt": now_ms,
            "subscriptionType": "company.propertyChange", "attemptNumber": 0,
            "objectId": self.company_ids[n % len(self.company_ids)], "propertyName": "name",
            "propertyValue": f"bench {n}", "changeSource": "CRM",
        }  # fmt: skip
        body = json.dumps([event], separators=(",", ":"))
        timestamp = str(int(time.time() * 1000))
        signature = Signature.get_signature(self.client_secret, body, "v3", http_uri=self.url, timestamp=timestamp)
        headers = {
            "Content-Type": "application/json",
            "X-HubSpot-Signature-v3": signature,
            "X-HubSpot-Request-Timestamp": timestamp,
        }
        return body.encode(), headers


@dataclass
class Outcomes:
    """Per-request results of one load phase."""

    latencies: list[float] = field(default_factory=list)  # s, from the scheduled (open) or actual (closed) send
    service: list[float] = field(default_factory=list)  # s, from the actual send
    queued: list[float] = field(default_factory=list)  # s, scheduled → sent: event loop delay + no free connection
    statuses: Counter[str] = field(default_factory=Counter)
    accepted_events: int = 0
    duplicates: int = 0
    first_send: float = 0.0
    last_done: float = 0.0

    @property
    def ok(self) -> int:
        return self.statuses.get("202", 0)


class Senders:
    """Up to ``size`` one-connection clients, reused last-in first-out.

    One ``httpx.AsyncClient`` with many connections spends most of its CPU matching requests to
    connections (httpcore's pool scan is O(requests x connections) per request): at 64 in flight it,
    not the hub, was the bottleneck. A client per connection keeps the generator's cost per request flat.
    Waiting for a free client counts in the latency of an open-loop send (it is measured from the
    scheduled time).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.free: asyncio.LifoQueue[httpx.AsyncClient] = asyncio.LifoQueue()
        self.clients: list[httpx.AsyncClient] = []
        self._tls = ssl.create_default_context()  # unused (plain HTTP), but built once, not per client

    async def acquire(self) -> httpx.AsyncClient:
        return await self.free.get()

    def release(self, client: httpx.AsyncClient) -> None:
        self.free.put_nowait(client)

    async def __aenter__(self) -> Senders:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        for _ in range(self.size):  # before the clock starts: building a client is not free
            client = httpx.AsyncClient(limits=limits, timeout=REQUEST_TIMEOUT, verify=self._tls)
            self.clients.append(client)
            self.free.put_nowait(client)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.gather(*(client.aclose() for client in self.clients), return_exceptions=True)
        self.clients.clear()


class RawAnswer:
    """The part of a response the benchmark reads."""

    def __init__(self, status_code: int, body: bytes) -> None:
        self.status_code = status_code
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


class RawConnection:
    """One keep-alive HTTP/1.1 connection over asyncio streams: a request is a few bytes written and
    a status line, headers and ``Content-Length`` body read back. About a tenth of httpx's CPU per
    request: on 2 shared cores the httpx generator took a core at ~1,000 requests/s."""

    IDLE_S = 3.0  # reconnect before the hub's keep-alive timeout (5 s) closes an idle connection

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.last_used = 0.0

    async def _connect(self) -> None:
        await self.aclose()
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> RawAnswer:
        loop = asyncio.get_running_loop()
        if self.writer is None or self.writer.is_closing() or loop.time() - self.last_used > self.IDLE_S:
            await self._connect()
        assert self.reader is not None and self.writer is not None
        path = url.split("/", 3)[3]
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(
            f"POST /{path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Length: {len(content)}\r\n{head}\r\n"
            .encode() + content
        )  # fmt: skip
        try:
            raw = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), REQUEST_TIMEOUT)
            lines = raw.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            length = 0
            close = False
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "connection" and value.strip().lower() == "close":
                    close = True
            body = await asyncio.wait_for(self.reader.readexactly(length), REQUEST_TIMEOUT) if length else b""
        except BaseException:
            await self.aclose()
            raise
        if close:
            await self.aclose()
        self.last_used = loop.time()
        return RawAnswer(status, body)

    async def aclose(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None


class RawSenders(Senders):
    """``Senders`` over ``RawConnection``s (``--generator raw``, the default)."""

    def __init__(self, size: int, url: str) -> None:
        super().__init__(size)
        parts = httpx.URL(url)
        self.host, self.port = parts.host, parts.port or 80

    async def __aenter__(self) -> Senders:
        for _ in range(self.size):
            conn = RawConnection(self.host, self.port)
            self.clients.append(conn)  # type: ignore[arg-type]
            self.free.put_nowait(conn)  # type: ignore[arg-type]
        return self


GENERATOR = {"kind": "raw"}  # set by ``run``: "raw" (asyncio streams) or "httpx"


def senders_for(size: int, url: str) -> Senders:
    return RawSenders(size, url) if GENERATOR["kind"] == "raw" else Senders(size)


async def _send(senders: Senders, deliveries: Deliveries, out: Outcomes, scheduled: float) -> None:
    loop = asyncio.get_running_loop()
    client = await senders.acquire()
    started = loop.time()
    try:
        body, headers = deliveries.build()  # signed just before sending
        try:
            response = await client.post(deliveries.url, content=body, headers=headers)
        except (TimeoutError, httpx.HTTPError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            out.statuses[type(exc).__name__] += 1
            out.last_done = max(out.last_done, loop.time())
            return
    finally:
        senders.release(client)
    done = loop.time()
    out.last_done = max(out.last_done, done)
    out.statuses[str(response.status_code)] += 1
    if response.status_code == 202:
        answer = response.json()
        out.accepted_events += int(answer.get("accepted", 0))
        out.duplicates += int(answer.get("duplicates", 0))
        out.latencies.append(done - scheduled)
        out.service.append(done - started)
        out.queued.append(started - scheduled)


async def open_loop(deliveries: Deliveries, rate: float, seconds: float, connections: int) -> Outcomes:
    """``rate`` sends per second for ``seconds``, each at its scheduled time whatever the answers do."""
    out = Outcomes()
    total = max(1, int(rate * seconds))
    async with senders_for(connections, deliveries.url) as senders:
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.05
        out.first_send = start
        tasks = []
        for i in range(total):
            scheduled = start + i / rate
            delay = scheduled - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_send(senders, deliveries, out, scheduled)))
        _done, pending = await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT + 5)
        for task in pending:
            task.cancel()
            out.statuses["unfinished"] += 1
    return out


async def closed_loop(deliveries: Deliveries, concurrency: int, seconds: float, cap: int = 200_000) -> Outcomes:
    """``concurrency`` senders, each sending its next delivery when the previous one is answered."""
    out = Outcomes()
    sent = [0]
    async with senders_for(concurrency, deliveries.url) as senders:
        loop = asyncio.get_running_loop()
        out.first_send = loop.time()
        deadline = out.first_send + seconds

        async def sender() -> None:
            while loop.time() < deadline and sent[0] < cap:
                sent[0] += 1
                await _send(senders, deliveries, out, loop.time())

        await asyncio.wait_for(asyncio.gather(*(sender() for _ in range(concurrency))), seconds + REQUEST_TIMEOUT + 5)
    return out


def _ms(values: list[float], q: float) -> float:
    return round(percentile(values, q) * 1000, 1)


def load_row(out: Outcomes, offered: float | None, usage: PhaseUsage, stored: dict[str, int]) -> dict[str, Any]:
    window = max(out.last_done - out.first_send, 1e-9)
    sent = sum(out.statuses.values())
    return {
        "offered_per_s": offered,
        "requests": sent,
        "accepted_202": out.ok,
        "accepted_per_s": round(out.ok / window, 1),
        "events_accepted": out.accepted_events,
        "duplicates": out.duplicates,
        "errors": sent - out.ok,
        "statuses": dict(sorted(out.statuses.items())),
        "ack_ms_p50": _ms(out.latencies, 50),
        "ack_ms_p95": _ms(out.latencies, 95),
        "ack_ms_p99": _ms(out.latencies, 99),
        "ack_ms_p999": _ms(out.latencies, 99.9),
        "ack_ms_max": _ms(out.latencies, 100),
        "service_ms_p50": _ms(out.service, 50),
        "service_ms_p99": _ms(out.service, 99),
        "client_queued_ms_p99": _ms(out.queued, 99),
        "client_queued_ms_max": _ms(out.queued, 100),
        # the durability check: the database holds exactly the deliveries and events the 202s promised
        "every_202_committed": stored["webhook_deliveries"] == out.ok and stored["inbox_events"] == out.accepted_events,
        "stored_deliveries": stored["webhook_deliveries"],
        "stored_events": stored["inbox_events"],
        "delivery_commits": stored.get("delivery_commits"),
        "deliveries_per_commit": round(stored["webhook_deliveries"] / stored["delivery_commits"], 1)
        if stored.get("delivery_commits")
        else None,
        "new_db_sessions": stored.get("db_sessions"),
        "hub_cpu_ms_per_202": round(usage.hub_cpu * 1000 / out.ok, 2) if out.ok else None,
        **usage.as_dict(),
    }


# --- part 3: end to end -------------------------------------------------------------------------------


def _parse_ts(value: str | None) -> float | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def pick_companies(api: httpx.Client, count: int) -> list[tuple[str, str]]:
    """(canonical id, HubSpot company id) of golden organizations backed by exactly one company."""
    found: list[tuple[str, str]] = []
    for offset in range(0, 20_000, 500):
        page = api.get("/api/v1/organizations", params={"limit": 500, "offset": offset}).json()
        for item in page["items"]:
            if item["source_count"] != 1 or len(found) >= count:
                continue
            detail = api.get(f"/api/v1/organizations/{item['id']}").json()
            sources = [s for s in detail["sources"] if s["object"] == "companies"]
            if len(sources) == 1:
                found.append((item["id"], sources[0]["external_id"]))
        if len(found) >= count or offset + 500 >= page["total"]:
            break
    return found


def end_to_end(
    api: httpx.Client, hubspot: httpx.Client, targets: list[tuple[str, str]], console: Console
) -> dict[str, Any]:
    """Rename each company upstream, one at a time; time PATCH-returned → golden record shows the name."""
    visible: list[float] = []
    delivered: list[float] = []
    applied: list[float] = []
    timeouts = 0
    tag = secrets.token_hex(3)
    jitter = random.Random(7)
    for n, (canonical_id, company_id) in enumerate(targets):
        time.sleep(jitter.uniform(0, 0.25))
        new_name = f"Webhook Bench {tag} {n:03d}"
        response = hubspot.patch(f"/crm/v3/objects/companies/{company_id}", json={"properties": {"name": new_name}})
        response.raise_for_status()
        returned_wall, returned = time.time(), time.perf_counter()
        deadline = returned + 30
        seen = False
        while time.perf_counter() < deadline:
            detail = api.get(f"/api/v1/organizations/{canonical_id}").json()
            if detail["fields"].get("name") == new_name:
                visible.append(time.perf_counter() - returned)
                seen = True
                break
            time.sleep(0.005)
        if not seen:
            timeouts += 1
            console.print(f"[red]company {company_id}: new name not visible within 30 s[/]")
            continue
        events = api.get("/api/v1/webhooks/events", params={"external_id": company_id, "limit": 1}).json()["events"]
        if events:
            received, done = _parse_ts(events[0]["received_at"]), _parse_ts(events[0]["applied_at"])
            if received is not None:
                delivered.append(received - returned_wall)
                if done is not None:
                    applied.append(done - received)
    return {
        "changes": len(targets),
        "timeouts": timeouts,
        "visible_ms_p50": _ms(visible, 50),
        "visible_ms_p95": _ms(visible, 95),
        "visible_ms_max": _ms(visible, 100),
        "patch_to_stored_ms_p50": _ms(delivered, 50),
        "patch_to_stored_ms_p95": _ms(delivered, 95),
        "stored_to_applied_ms_p50": _ms(applied, 50),
        "stored_to_applied_ms_p95": _ms(applied, 95),
        "stored_to_applied_ms_max": _ms(applied, 100),
    }


# --- orchestration ----------------------------------------------------------------------------------


def write_config(path: Path, base_url: str) -> None:
    """Connectors as code: the credentials come from the hub process's environment."""
    path.write_text(
        "connectors:\n"
        f"  - id: {CONNECTOR_ID}\n"
        "    kind: hubspot\n"
        "    name: HubSpot (sandbox, webhook benchmark)\n"
        "    config:\n"
        f"      base_url: {base_url}\n"
        "      auth_type: private_app\n"
        "      incremental_lookback_seconds: 0\n"
        "    credentials:\n"
        "      access_token: ${BENCH_HUBSPOT_ACCESS_TOKEN}\n"
        "      webhook_secret: ${BENCH_HUBSPOT_CLIENT_SECRET}\n"
    )


@dataclass
class Run:
    """What every part needs: arguments, the scratch directory, the hub's settings, the sandbox."""

    args: argparse.Namespace
    console: Console
    workdir: Path
    upstream: dict[str, Any]
    admin_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    secret_key: str = field(default_factory=lambda: Fernet.generate_key().decode())
    peak_rss_mb: dict[str, float] = field(default_factory=dict)

    @property
    def config_file(self) -> Path:
        return self.workdir / "hub.yaml"

    def hub(self, url: str, workers: int, name: str) -> HubProcess:
        """``workers`` inbox worker threads; ``--workers`` receiver processes (``self.args.workers``)."""
        extra_env = {
            "BENCH_HUBSPOT_ACCESS_TOKEN": self.upstream["private_app_token"],
            "BENCH_HUBSPOT_CLIENT_SECRET": self.upstream["client_secret"],
            "HUB_OUTBOUND_ALLOW": "127.0.0.1,localhost,::1",  # the sandbox is on loopback (docs/security.md)
        }
        return HubProcess(
            database_url=url, workdir=self.workdir, config_file=self.config_file, admin_token=self.admin_token,
            secret_key=self.secret_key, workers=workers, extra_env=extra_env, log_name=name,
            processes=self.args.workers,
        )  # fmt: skip

    def hubspot(self) -> httpx.Client:
        bearer = {"Authorization": f"Bearer {self.upstream['private_app_token']}"}
        return httpx.Client(base_url=self.upstream["base_url"], headers=bearer, timeout=30)


def _measured(hub: HubProcess, url: str, name: str, load: Any) -> tuple[Outcomes, PhaseUsage, dict[str, int]]:
    assert hub.watch is not None
    before = db_snapshot(url)
    with hub.watch.phase(name, postgres=url.startswith("postgresql")) as usage:
        out: Outcomes = asyncio.run(load)
    after = db_snapshot(url)
    stored = {k: after[k] - before[k] for k in after}
    if "db_sessions" in stored:
        stored["db_sessions"] -= 1  # the first snapshot's own session
    return out, usage, stored


def acceptance(run: Run) -> dict[str, dict[str, Any]]:
    """Parts 1 and 2 on a hub with no inbox worker."""
    args = run.args
    with run.hubspot() as hubspot:
        listed = hubspot.get("/crm/v3/objects/companies", params={"limit": 100}).json()["results"]
    company_ids = [int(item["id"]) for item in listed]
    url = fresh_database(args.database_url, run.workdir, "accept")
    rows: dict[str, dict[str, Any]] = {}
    with run.hub(url, workers=0, name="hub-accept") as hub:
        deliveries = Deliveries(f"{hub.url}/webhooks/{CONNECTOR_ID}", run.upstream["client_secret"], company_ids)
        warm = asyncio.run(closed_loop(deliveries, 8, 30, cap=WARMUP_REQUESTS))
        if warm.ok != sum(warm.statuses.values()):
            raise SystemExit(f"warm-up deliveries were not accepted: {dict(warm.statuses)}")
        load = open_loop(deliveries, args.rate, args.seconds, args.connections)
        out, usage, stored = _measured(hub, url, "open loop", load)
        rows[f"1. open loop {args.rate:g}/s"] = load_row(out, args.rate, usage, stored)
        for concurrency in args.concurrency if args.saturation_seconds > 0 else []:
            load = closed_loop(deliveries, concurrency, args.saturation_seconds)
            out, usage, stored = _measured(hub, url, f"closed loop c={concurrency}", load)
            rows[f"2. closed loop c={concurrency}"] = load_row(out, None, usage, stored)
        assert hub.watch is not None
        run.peak_rss_mb["parts 1-2 (0 workers)"] = round(hub.watch.peak_rss_mb, 1)
    return rows


def delivery_to_golden(run: Run, sandbox: SandboxProcess) -> dict[str, Any]:
    """Part 3 on a hub with one inbox worker and a fresh database."""
    url = fresh_database(run.args.database_url, run.workdir, "e2e")
    with run.hub(url, workers=1, name="hub-e2e") as hub:
        assert hub.watch is not None
        auth = {"Authorization": f"Bearer {run.admin_token}"}
        with (
            httpx.Client(base_url=hub.url, headers=auth, timeout=30) as api,
            run.hubspot() as hubspot,
            sandbox.admin() as admin,
        ):
            t0 = time.perf_counter()
            sync = api.post(f"/api/v1/connectors/{CONNECTOR_ID}/sync", json={"mode": "full", "wait": True}, timeout=600)
            sync.raise_for_status()
            full_sync_s = time.perf_counter() - t0
            failed = [r for r in sync.json()["runs"] if r["status"] != "succeeded"]
            if failed:
                raise SystemExit(f"full sync failed: {failed}")
            targets = pick_companies(api, run.args.changes)
            admin.put("/_sandbox/webhooks", json={
                "target_url": f"{hub.url}/webhooks/{CONNECTOR_ID}", "batch_window_s": 0.0,
            }).raise_for_status()  # fmt: skip
            with hub.watch.phase("end to end", postgres=url.startswith("postgresql")) as usage:
                result = end_to_end(api, hubspot, targets, run.console)
            flushed = admin.post("/_sandbox/webhooks/flush", json={"timeout_s": 10}).json()
        run.peak_rss_mb["part 3 (1 worker)"] = round(hub.watch.peak_rss_mb, 1)
    return {**result, "full_sync_s": round(full_sync_s, 2), **usage.as_dict(), "sandbox_delivery_stats": flushed}


def _table(title: str, rows: dict[str, dict[str, Any]], keys: list[str]) -> Table:
    table = Table(title=title)
    table.add_column("measure")
    for name in rows:
        table.add_column(name, justify="right")
    for key in keys:
        table.add_row(key, *(str(row.get(key, "")) for row in rows.values()))
    return table


LOAD_KEYS = [
    "offered_per_s", "requests", "accepted_202", "accepted_per_s", "errors", "statuses", "ack_ms_p50",
    "ack_ms_p95", "ack_ms_p99", "ack_ms_p999", "ack_ms_max", "service_ms_p50", "service_ms_p99", "client_queued_ms_p99",
    "every_202_committed", "stored_deliveries", "stored_events", "delivery_commits", "deliveries_per_commit",
    "new_db_sessions", "hub_cpu_s", "hub_cpu_share_of_one_core",
    "hub_cpu_ms_per_202", "hub_peak_rss_mb", "machine_cpu_percent", "bench_process_cpu_s", "postgres_cpu_s",
    "other_cpu_s",
]  # fmt: skip
E2E_KEYS = [
    "changes", "timeouts", "visible_ms_p50", "visible_ms_p95", "visible_ms_max", "patch_to_stored_ms_p50",
    "patch_to_stored_ms_p95", "stored_to_applied_ms_p50", "stored_to_applied_ms_p95", "stored_to_applied_ms_max",
    "full_sync_s", "hub_cpu_s", "hub_peak_rss_mb", "machine_cpu_percent",
]  # fmt: skip


def _arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=None,
        help="postgresql+psycopg://.../DB (DB is dropped and recreated); default: a fresh SQLite file",
    )
    parser.add_argument("--rate", type=float, default=200, help="part 1: offered deliveries per second")
    parser.add_argument("--seconds", type=float, default=10, help="part 1: duration")
    parser.add_argument("--connections", type=int, default=256, help="part 1: the generator's connection cap")
    parser.add_argument("--concurrency", default="64", help="part 2: requests in flight; a comma list runs each")
    parser.add_argument("--saturation-seconds", type=float, default=5, help="part 2: duration of each (0 skips)")
    parser.add_argument("--workers", type=int, default=1, help="receiver processes: hub serve --workers N")
    parser.add_argument(
        "--generator",
        choices=["raw", "httpx"],
        default="raw",
        help="raw: keep-alive HTTP/1.1 over asyncio streams (cheap); httpx: one AsyncClient per connection",
    )
    parser.add_argument("--changes", type=int, default=50, help="part 3: companies renamed (0 skips it)")
    parser.add_argument("--size", type=int, default=1000, help="records in the sandbox world (20%% companies)")
    parser.add_argument(
        "--output", type=Path, default=None, help="default: bench/results/webhooks.json (SQLite) or webhooks-pg.json"
    )
    args = parser.parse_args(argv)  # fmt: skip
    args.concurrency = [int(c) for c in str(args.concurrency).split(",") if c.strip()]
    if not (0 < args.rate <= 5000 and 0 < args.seconds <= 300 and 1 <= args.connections <= 1024):
        parser.error("bounds: 0 < --rate <= 5000, 0 < --seconds <= 300, 1 <= --connections <= 1024")
    if not (all(1 <= c <= 1024 for c in args.concurrency) and 0 <= args.saturation_seconds <= 120):
        parser.error("bounds: 1 <= --concurrency <= 1024, 0 <= --saturation-seconds <= 120")
    if not 1 <= args.workers <= 8:
        parser.error("bounds: 1 <= --workers <= 8")
    if not (0 <= args.changes <= 1000 and 100 <= args.size <= 100_000):
        parser.error("bounds: 0 <= --changes <= 1000, 100 <= --size <= 100000")
    return args


def _wait_for_quiet(console: Console, busy_percent: float = 15, limit_s: int = 60) -> float:
    """Wait (at most ``limit_s``) until the machine is under ``busy_percent`` busy for 2 s; the last reading."""
    deadline = time.monotonic() + limit_s
    while True:
        busy = psutil.cpu_percent(interval=2)
        if busy < busy_percent:
            return busy
        if time.monotonic() > deadline:
            console.print(f"[yellow]the machine is {busy:.0f}% busy with something else: expect noisy figures[/]")
            return busy
        console.print(f"machine {busy:.0f}% busy with something else; waiting for it to settle")


def run(
    database_url: str | None,
    workers: int = 1,
    rate: float = 1000,
    seconds: float = 10,
    *,
    concurrency: tuple[int, ...] = (64,),
    saturation_seconds: float = 5,
    changes: int = 0,
    size: int = 1000,
    connections: int = 256,
    generator: str = "raw",
    output: Path | None = None,
) -> dict[str, Any]:
    """The benchmark as a function (``make bench`` calls it): ``workers`` receiver processes
    (``hub serve --workers``), ``rate`` deliveries/s offered for ``seconds`` (open loop), then each
    ``concurrency`` for ``saturation_seconds`` (closed loop), then ``changes`` renames end to end (0
    skips it). Returns the result document (also written to ``output`` when given). Raises
    ``SystemExit`` if a part's stored rows differ from its 202s."""
    argv = [
        "--rate", str(rate), "--seconds", str(seconds), "--workers", str(workers),
        "--concurrency", ",".join(str(c) for c in concurrency), "--saturation-seconds", str(saturation_seconds),
        "--changes", str(changes), "--size", str(size), "--connections", str(connections), "--generator", generator,
    ]  # fmt: skip
    if database_url:
        argv += ["--database-url", database_url]
    if output is not None:
        argv += ["--output", str(output)]
    return _run(_arguments(argv), write=output is not None)


def main() -> None:
    _run(_arguments(), write=True)


def _run(args: argparse.Namespace, *, write: bool) -> dict[str, Any]:
    GENERATOR["kind"] = args.generator
    backend = "postgresql" if args.database_url else "sqlite"
    output = args.output or Path(f"bench/results/webhooks{'-pg' if args.database_url else ''}.json")
    console = Console(width=None if Console().is_terminal else 140)
    started = time.perf_counter()
    background = _wait_for_quiet(console)
    with SandboxProcess(args.size) as sandbox:
        run = Run(args, console, Path(tempfile.mkdtemp(prefix="hub-webhook-bench-")), sandbox.hubspot)
        write_config(run.config_file, run.upstream["base_url"])
        console.print(
            f"sandbox ({args.size} records) and `hub serve` ({backend}) each in their own process, 127.0.0.1 only. "
            "Parts 1-2 run with HUB_WEBHOOK_WORKERS=0: deliveries are verified and stored, not applied, so no "
            "worker competes with acceptance. Part 3 runs a second hub process with HUB_WEBHOOK_WORKERS=1 on a "
            "fresh database."
        )
        load_rows = acceptance(run)
        e2e = delivery_to_golden(run, sandbox) if args.changes > 0 else {}

    console.print(_table(f"webhook acceptance: {backend}, hub serve --workers {args.workers}, HUB_WEBHOOK_WORKERS=0, "
                         f"{args.generator} generator, {WARMUP_REQUESTS} warm-up "
                         "deliveries not counted", load_rows, LOAD_KEYS))  # fmt: skip
    if e2e:
        console.print(_table(f"delivery → golden record: {backend}, HUB_WEBHOOK_WORKERS=1, sandbox batch window 0",
                             {"3. end to end": e2e}, E2E_KEYS))  # fmt: skip
    console.print(f"hub process peak RSS (MB): {run.peak_rss_mb}")
    console.print(f"took {time.perf_counter() - started:.0f} s; hub logs in {run.workdir}")
    result = {
        "database": backend,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "revision": revision(),
        "machine": {
            "cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "note": "load generator, hub, sandbox (and PostgreSQL) share the machine",
            "busy_percent_before_start": background,
        },
        "settings": {
            "receiver_processes": args.workers, "generator": args.generator,
            "rate": args.rate, "seconds": args.seconds, "connections": args.connections,
            "concurrency": args.concurrency, "saturation_seconds": args.saturation_seconds,
            "changes": args.changes, "size": args.size, "warmup_requests": WARMUP_REQUESTS,
            "workers": {"parts_1_2": 0, "part_3": 1}, "sandbox_batch_window_s": 0.0,
        },
        "acceptance": load_rows,
        "end_to_end": e2e,
        "hub_peak_rss_mb": run.peak_rss_mb,
    }  # fmt: skip
    if write:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=2) + "\n")
        console.print(f"wrote {output}")
    broken = [name for name, row in load_rows.items() if not row["every_202_committed"]]
    if broken:
        raise SystemExit(f"stored rows differ from the 202s in {broken}: a 202 was not a committed delivery")
    return result


if __name__ == "__main__":
    main()
