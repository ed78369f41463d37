"""The peer: dlt's ``rest_api`` source pulling the hub's HubSpot streams from the sandbox into DuckDB.

    python -m bench.peer_dlt --size 10000          # starts its own sandbox; needs the bench extra
    pip install -e '.[bench]'                      # (``make bench`` installs it)

What it reads is what the hub's HubSpot connector reads in a full sync (``connectors/hubspot``):
``companies``, ``contacts`` and ``deals`` from ``GET /crm/objects/2026-03/{type}`` with ``limit=100``,
the same ``properties=`` (``PROPERTIES`` plus ``hs_merged_object_ids`` and the hub-id property) and
``associations=`` (contacts: companies; deals: companies, contacts), paged on the
``paging.next.after`` cursor, then the same listing with ``archived=true`` (tombstones; empty in a
fresh world, one request each). dlt loads ``results`` of each page (``data_selector``) with bearer
auth and ``write_disposition: replace`` into a DuckDB file in the work directory; the inline
associations land in dlt's child tables (``contacts__associations__companies__results`` ...). The
hub additionally reads, through the batch API, association lists cut at 100 per record; dlt's
``rest_api`` does not, which only matters for worlds with such records (the generated 10,000- and
100,000-record worlds have none: no inline list came with ``paging``).

Measurement: the pipeline runs in a child process (``python -m bench.peer_dlt --child``), so its
figures are its own: ``seconds`` and ``cpu_seconds`` (user + system, the child's threads and any
worker processes) cover building the source, extract, normalize and load -- like the hub's figures,
which exclude the hub's start-up; ``process_seconds`` and ``process_cpu_seconds`` (parent, from
``os.wait4``) add the interpreter start and dlt's import. ``peak_rss_mb`` is the child's
``ru_maxrss``. ``sandbox_cpu_seconds`` is the sandbox process's CPU during the run (when its pid is
given): the upstream's share of the machine.

Configuration (fair, not a strawman): dlt 1.31 defaults, except

* ``loader_file_format="jsonl"``: DuckDB's default is ``insert_values`` (SQL ``INSERT`` text), which
  DuckDB parses much slower and with far more memory than JSON lines. Measured here (2 shared
  cores, 2026-12-04): 10,000 records 8.4 s, 7.9 CPU s, 416 MB with ``insert_values`` against 5.4 s,
  3.1 CPU s, 200 MB with ``jsonl``; 100,000 records with dlt's defaults throughout
  (``insert_values``, 20 load workers; machine busy) 188 s, 77 CPU s, 7.3 GB peak RSS against 26 s, 20 CPU s,
  302 MB with this configuration. ``parquet`` would need pyarrow, which the hub does not use;
* ``NORMALIZE__WORKERS=1`` (dlt's default) and ``LOAD__WORKERS=1`` (default 20): the benchmark
  machine is small and DuckDB takes one writer anyway;
* ``RUNTIME__DLTHUB_TELEMETRY=false`` and ``RUNTIME__LOG_LEVEL=ERROR`` (dlt warns that
  ``hs_merged_object_ids`` is always empty); no proxies; a guard in the child refuses (and the run
  fails on) any connection or name lookup that is not loopback (with telemetry on, dlt looks up
  ``telemetry.scalevector.ai``).

``run_peer(..., settings={...})`` overrides or adds dlt settings as environment variables
(e.g. ``{"DATA_WRITER__BUFFER_MAX_ITEMS": "20000"}``). The record counts dlt loaded are checked against
the sandbox's own (``total`` of HubSpot's search API per object); a mismatch raises.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import psutil
from pydantic import SecretStr

from bench.measure import wait_child
from bench.upstream import SandboxProcess
from connectors.hubspot.config import HubSpotConfig
from connectors.hubspot.connector import HubSpotConnector
from connectors.hubspot.streams import ASSOCIATIONS, DEFAULT_PATHS

OBJECTS = ("companies", "contacts", "deals")
PAGE_SIZE = 100
INSTALL_HINT = "dlt is not installed: pip install -e '.[bench]' (or `make bench`, which installs the bench extra)"
TOKEN_ENV = "PEER_DLT_HUBSPOT_TOKEN"
DEFAULT_SETTINGS: dict[str, str] = {
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "RUNTIME__LOG_LEVEL": "ERROR",
    "NORMALIZE__WORKERS": "1",
    "LOAD__WORKERS": "1",
}
LOADER_FILE_FORMAT = "jsonl"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


class PeerUnavailable(RuntimeError):
    """dlt (the bench extra) is not installed."""


def available() -> bool:
    """Whether dlt and its DuckDB destination can be imported."""
    return importlib.util.find_spec("dlt") is not None and importlib.util.find_spec("duckdb") is not None


def properties(object_name: str) -> list[str]:
    """The properties the hub's connector asks for in a full read (its default config; no request is made)."""
    with httpx.Client() as client:
        return HubSpotConnector(HubSpotConfig(access_token=SecretStr("unused")), client=client).properties(object_name)


def rest_api_config(base_url: str, token: str) -> dict[str, Any]:
    """dlt ``rest_api`` configuration for the live and archived listings of the three objects."""
    resources: list[dict[str, Any]] = []
    for name in OBJECTS:
        params: dict[str, Any] = {"limit": PAGE_SIZE, "archived": "false", "properties": ",".join(properties(name))}
        if ASSOCIATIONS[name]:
            params["associations"] = ",".join(ASSOCIATIONS[name])
        path = DEFAULT_PATHS.objects(name).lstrip("/")
        resources.append({"name": name, "endpoint": {"path": path, "params": params}})
        archived = {"limit": PAGE_SIZE, "archived": "true", "properties": params["properties"]}
        resources.append({"name": f"{name}_archived", "endpoint": {"path": path, "params": archived}})
    return {
        "client": {
            "base_url": base_url.rstrip("/") + "/",
            "auth": {"type": "bearer", "token": token},
            "paginator": {"type": "cursor", "cursor_path": "paging.next.after", "cursor_param": "after"},
        },
        "resource_defaults": {
            "primary_key": "id",
            "write_disposition": "replace",
            "endpoint": {"data_selector": "results"},
        },
        "resources": resources,
    }


def sandbox_counts(base_url: str, token: str) -> dict[str, int]:
    """Live records per object, from the sandbox's search API (``total``)."""
    counts: dict[str, int] = {}
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        for name in OBJECTS:
            response = client.post(DEFAULT_PATHS.search(name), json={"limit": 1})
            response.raise_for_status()
            counts[name] = int(response.json()["total"])
    return counts


def _cpu_times(pid: int | None) -> float:
    if pid is None:
        return 0.0
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def run_peer(
    base_url: str,
    token: str,
    workdir: Path,
    *,
    sandbox_pid: int | None = None,
    settings: Mapping[str, str] | None = None,
    loader_file_format: str = LOADER_FILE_FORMAT,
    timeout: float = 1800.0,
) -> dict[str, Any]:
    """Run dlt's pipeline against the HubSpot API at ``base_url`` in a child process; return its figures.

    ``workdir`` receives the DuckDB file and dlt's working files. ``sandbox_pid``: the upstream's
    process, whose CPU seconds during the run are reported. ``settings``: dlt settings (environment
    variable names) over ``DEFAULT_SETTINGS``; ``loader_file_format``: dlt's (``jsonl``, ``insert_values``).
    Raises ``PeerUnavailable`` without dlt, and
    ``RuntimeError`` if the child fails or the loaded counts differ from the sandbox's.

    Returns ``tool``, ``records``, ``seconds``, ``records_per_s``, ``cpu_seconds``, ``peak_rss_mb``,
    ``sandbox_cpu_seconds``, ``process_seconds``, ``process_cpu_seconds``, ``counts`` (per object)
    and ``tables`` (rows per DuckDB table, association child tables included), ``settings``.
    """
    if not available():
        raise PeerUnavailable(INSTALL_HINT)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    expected = sandbox_counts(base_url, token)
    chosen = {**DEFAULT_SETTINGS, **(settings or {})}
    spec_path, result_path = workdir / "peer-spec.json", workdir / "peer-result.json"
    result_path.unlink(missing_ok=True)
    spec_path.write_text(
        json.dumps(
            {"base_url": base_url, "workdir": str(workdir), "result": str(result_path), "format": loader_file_format}
        )
    )
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    env.update(chosen)
    env.update(
        {
            TOKEN_ENV: token,  # not on the command line, where `ps` would show it
            "NO_PROXY": "*",
            "DLT_PROJECT_DIR": str(workdir),  # no .dlt/config.toml of the caller's cwd
            "DLT_DATA_DIR": str(workdir / "dlt-data"),
        }
    )
    command = [sys.executable, "-m", "bench.peer_dlt", "--child", str(spec_path)]
    sandbox_cpu0 = _cpu_times(sandbox_pid)
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env)
    _status, usage = wait_child(process, timeout)  # the child's own rusage (times and ru_maxrss)
    process_seconds = time.perf_counter() - started
    sandbox_cpu = _cpu_times(sandbox_pid) - sandbox_cpu0
    if process.returncode != 0 or not result_path.exists():
        raise RuntimeError(f"the dlt pipeline failed (exit status {process.returncode}); see its output above")
    child = json.loads(result_path.read_text())
    counts = {name: int(child["tables"].get(name, 0)) for name in OBJECTS}
    archived = {name: int(child["tables"].get(f"{name}_archived", 0)) for name in OBJECTS}
    if counts != expected:
        raise RuntimeError(f"dlt loaded {counts}, the sandbox has {expected}")
    records = sum(counts.values()) + sum(archived.values())
    seconds = float(child["seconds"])
    return {
        "tool": "dlt rest_api → duckdb",
        "records": records,
        "seconds": round(seconds, 2),
        "records_per_s": round(records / seconds) if seconds else 0,
        "cpu_seconds": round(float(child["cpu_seconds"]), 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
        "sandbox_cpu_seconds": round(sandbox_cpu, 2),
        "process_seconds": round(process_seconds, 2),
        "process_cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "counts": counts,
        "tables": child["tables"],
        "settings": {**chosen, "loader_file_format": loader_file_format},
        "dlt_version": child["dlt_version"],
    }


# --- the child ------------------------------------------------------------------------------------


def _guard_network(refused: list[str]) -> None:
    """Refuse, and remember, every connection and name lookup that is not loopback."""
    import ipaddress
    import socket

    def loopback(host: Any) -> bool:
        if host in ("localhost", None):
            return True
        try:
            return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            return False

    real_getaddrinfo, real_connect, real_connect_ex = (
        socket.getaddrinfo,
        socket.socket.connect,
        socket.socket.connect_ex,
    )

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not loopback(host.decode() if isinstance(host, bytes) else host):
            refused.append(f"lookup {host}")
            raise socket.gaierror(f"bench.peer_dlt: {host} is not loopback")
        return real_getaddrinfo(host, *args, **kwargs)

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not loopback(address[0]):
            refused.append(f"connect {address[0]}")
            raise ConnectionRefusedError(f"bench.peer_dlt: {address[0]} is not loopback")

    def connect(sock: socket.socket, address: Any) -> None:
        check(sock, address)
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        check(sock, address)
        return real_connect_ex(sock, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect  # type: ignore[assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[assignment]


def _cpu_self() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _child(spec_path: Path) -> None:
    spec = json.loads(spec_path.read_text())
    refused: list[str] = []
    _guard_network(refused)
    import dlt
    from dlt.sources.rest_api import rest_api_source

    workdir = Path(spec["workdir"])
    started, cpu0 = time.perf_counter(), _cpu_self()
    source = rest_api_source(rest_api_config(spec["base_url"], os.environ.pop(TOKEN_ENV)))  # type: ignore[arg-type,unused-ignore]
    pipeline = dlt.pipeline(
        pipeline_name="peer_hubspot",
        pipelines_dir=str(workdir / "pipelines"),
        destination=dlt.destinations.duckdb(str(workdir / "peer.duckdb")),
        dataset_name="hubspot",
    )
    pipeline.run(source, loader_file_format=spec["format"])
    seconds, cpu = time.perf_counter() - started, _cpu_self() - cpu0
    tables: dict[str, int] = {}
    with pipeline.sql_client() as client:
        names = client.execute_sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY table_name",
            pipeline.dataset_name,
        )
        for (table,) in names or []:
            if not str(table).startswith("_dlt_"):
                rows = client.execute_sql(f'SELECT count(*) FROM "{table}"')
                tables[str(table)] = int(rows[0][0]) if rows else 0
    if refused:
        raise SystemExit(f"bench.peer_dlt: the pipeline tried to reach beyond loopback: {sorted(set(refused))}")
    result = {"seconds": seconds, "cpu_seconds": cpu, "tables": tables, "dlt_version": dlt.__version__}
    Path(spec["result"]).write_text(json.dumps(result))


# --- command line ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.peer_dlt", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="HubSpot records in the sandbox world")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=None, help="default: a fresh temporary directory")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="a dlt setting (env name)")
    parser.add_argument("--format", default=LOADER_FILE_FORMAT, help="dlt loader file format")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child)
        return
    if not available():
        raise SystemExit(INSTALL_HINT)
    settings = dict(item.split("=", 1) for item in args.set)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="hub-peer-dlt-"))
    with SandboxProcess(args.size, seed=args.seed) as sandbox:
        upstream = sandbox.hubspot
        result = run_peer(
            upstream["base_url"], upstream["private_app_token"], workdir, sandbox_pid=sandbox.pid, settings=settings,
            loader_file_format=args.format,
        )  # fmt: skip
    print(json.dumps({"size": args.size, **result}, indent=2))


if __name__ == "__main__":
    main()
