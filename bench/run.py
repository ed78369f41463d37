"""Every benchmark scenario, one summary line each, then docs/benchmarks.md's tables and docs/bench/*.png.

    make bench                                             # all sizes (10k, 100k, 1M), SQLite and PostgreSQL
    make bench BENCH_ARGS=--quick                          # 10k records only, shorter webhook runs: a smoke run
    python -m bench.run --sizes 10000,100000 --backends sqlite --skip webhooks,peer
    python -m bench.run --report-only bench/results/latest.json   # re-render the docs from a results file

Scenarios (``--skip`` takes their names), each against the sandbox over real HTTP on 127.0.0.1 with the
sandbox in its own process:

* ``sync``: initial sync of HubSpot + Salesforce (organisations, people, deals) with ``hub sync`` as its
  own process, then 1 % changed and an incremental sync, then a no-op sync (``bench/cli_sync.py``);
* ``peer``: dlt pulling the same HubSpot world (``bench/peer_dlt.py``, when dlt is installed), beside the
  hub's ``hub sync hubspot --full`` on it (first backend only: dlt writes to its own DuckDB file);
* ``webhooks``: ``bench/webhook_bench.py`` per backend (fixed offered load, saturation, end to end);
* ``match``: the matcher alone at several sizes (``bench/match_scale.py``): time per record;
* ``writeback``: the outbox dispatcher per system (``bench/writeback_bench.py``) per backend.

PostgreSQL scenarios use their own databases named after ``--pg-url`` (created, and dropped after);
without a reachable server they are skipped with a line saying so. Results go to
``bench/results/run-<time>.json`` and ``bench/results/latest.json``; the docs' generated part (between
``<!-- bench:begin -->`` and ``<!-- bench:end -->``) and the charts come from them, with a copy of the
figures in ``docs/bench/results.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from bench import cli_sync, report
from bench.measure import revision
from bench.upstream import SandboxProcess

SCENARIOS = ("sync", "peer", "webhooks", "match", "writeback")
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/hub_bench_run"


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }


# --- scenarios ----------------------------------------------------------------------------------------


def peer_runner(say: Callable[[str], None]) -> tuple[Callable[[SandboxProcess, Path], dict[str, Any]] | None, str]:
    """``bench.peer_dlt.run_peer`` wrapped for the sync scenario, or None and why it is skipped."""
    from bench import peer_dlt

    if not peer_dlt.available():
        return None, "dlt not installed (the `bench` extra: pip install -e '.[bench]')"

    def run(sandbox: SandboxProcess, workdir: Path) -> dict[str, Any]:
        hubspot = sandbox.hubspot
        try:
            return dict(peer_dlt.run_peer(hubspot["base_url"], hubspot["private_app_token"], workdir,
                                          sandbox_pid=sandbox.pid))  # fmt: skip
        except Exception as exc:  # the peer failing must not lose the hub's figures
            say(f"peer dlt failed: {type(exc).__name__}: {exc}")
            return {"skipped": f"failed: {type(exc).__name__}: {exc}"}

    return run, ""


def predict_seconds(history: list[tuple[int, float]], records: int) -> tuple[float, float] | None:
    """The initial sync's wall time at ``records``, from the sizes measured before on the same backend:
    ``(seconds, exponent)`` with time ~ records ** exponent (the last two sizes' growth, never below linear;
    linear from a single size). None without any measurement."""
    if not history:
        return None
    n1, t1 = history[-1]
    exponent = 1.0
    if len(history) >= 2:
        n0, t0 = history[-2]
        if n1 > n0 and t0 > 0 and t1 > 0:
            exponent = max(1.0, math.log(t1 / t0) / math.log(n1 / n0))
    return t1 * (records / n1) ** exponent, exponent


def run_sync_scenarios(args: argparse.Namespace, out: dict[str, Any], say: Callable[[str], None]) -> None:
    history: dict[str, list[tuple[int, float]]] = {b: [] for b in args.backends}
    peer, why_not = (None, "skipped (--skip peer)") if "peer" in args.skip else peer_runner(say)
    if peer is None:
        say(f"peer dlt: {why_not}")
        out["peer_skipped"] = why_not
    for size in args.sizes:
        for backend in args.backends:
            key = f"{report.size_label(size)} {backend}"
            predicted = predict_seconds(history[backend], size)
            if predicted is not None and predicted[0] > args.max_scenario_minutes * 60:
                seconds, exponent = predicted
                reason = (
                    f"the initial sync alone would take about {seconds / 3600:.1f} h (time ~ records^{exponent:.2f} "
                    f"from the smaller sizes), over --max-scenario-minutes {args.max_scenario_minutes:g}"
                )
                say(f"sync {key}: skipped: {reason}")
                out["sync"].append({"records_nominal": size, "backend": backend, "skipped": reason})
                continue
            workdir = Path(tempfile.mkdtemp(prefix=f"hub-bench-sync-{size}-{backend}-"))
            say(f"-- sync {key}: work directory {workdir}")
            with_peer = peer if backend == args.backends[0] else None
            try:
                result = cli_sync.run_sync(
                    size, backend, args.pg_url, workdir, peer=with_peer, say=say,
                    timeout=max(900.0, args.max_scenario_minutes * 60),
                )  # fmt: skip
            except Exception as exc:  # one scenario failing must not lose the others
                say(f"sync {key}: FAILED: {type(exc).__name__}: {exc}")
                out["sync"].append({"records_nominal": size, "backend": backend, "error": f"{exc}"})
                continue
            finally:
                if not args.keep_databases:
                    _drop_files(workdir)
            out["sync"].append(result)
            initial = result["phases"]["initial"]
            history[backend].append((initial["records"], initial["wall_s"]))
            for line in report.sync_lines(result):
                say(line)
            save(args, out)


def _drop_files(workdir: Path) -> None:
    """The scenario's SQLite files and the peer's DuckDB and dlt files (GBs at 1M); its logs stay."""
    for path in workdir.glob("hub-*.db*"):
        path.unlink(missing_ok=True)
    shutil.rmtree(workdir / "peer", ignore_errors=True)


def run_webhooks(args: argparse.Namespace, out: dict[str, Any], say: Callable[[str], None]) -> None:
    for backend in args.backends:
        output = args.results_dir / f"webhooks-{backend}.json"
        command = [sys.executable, "-m", "bench.webhook_bench", "--output", str(output)]
        if backend == "postgresql":
            command += ["--database-url", _database(args.pg_url, "wh")]
        if args.quick:
            command += ["--seconds", "5", "--saturation-seconds", "3", "--changes", "10"]
        say(f"-- webhooks {backend}: {' '.join(command[1:])}")
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=1800, check=False)  # fmt: skip
        (args.results_dir / f"webhooks-{backend}.log").write_text(done.stdout)
        if done.returncode != 0 or not output.exists():
            say(f"webhooks {backend}: FAILED (exit {done.returncode}); log in {args.results_dir}")
            out["webhooks"].append({"backend": backend, "error": f"exit {done.returncode}"})
            continue
        result = {"backend": backend, "seconds": round(time.perf_counter() - started, 1),
                  "result": json.loads(output.read_text())}  # fmt: skip
        out["webhooks"].append(result)
        say(report.webhook_line(result))
        save(args, out)
    if "postgresql" in args.backends:
        cli_sync.drop_database(_database(args.pg_url, "wh"))


MATCH_CHILD = """
import json, sys
from bench.match_scale import time_matcher
print(json.dumps(time_matcher(tuple(int(n) for n in sys.argv[1].split(",")))))
"""


def run_match(args: argparse.Namespace, out: dict[str, Any], say: Callable[[str], None]) -> None:
    sizes = (2_000, 5_000, 10_000) if args.quick else (10_000, 30_000, 100_000)
    say(f"-- identity resolution: {', '.join(map(str, sizes))} organisations (its own process)")
    done = subprocess.run([sys.executable, "-c", MATCH_CHILD, ",".join(map(str, sizes))], cwd=ROOT,
                          capture_output=True, text=True, timeout=3600, check=False)  # fmt: skip
    if done.returncode != 0:
        say(f"identity resolution: FAILED (exit {done.returncode}): {done.stderr[-500:]}")
        out["match"] = {"error": done.stderr[-2000:]}
        return
    rows = json.loads(done.stdout.strip().splitlines()[-1])
    if isinstance(rows, str):
        say(f"identity resolution: skipped ({rows})")
        out["match"] = {"skipped": rows}
        return
    for row in rows:
        row["us_per_record"] = round(row["seconds"] * 1e6 / row["records"], 1)
    out["match"] = {"rows": rows}
    say(report.match_line(out["match"]))
    save(args, out)


def run_writeback(args: argparse.Namespace, out: dict[str, Any], say: Callable[[str], None]) -> None:
    size = 2_000 if args.quick else 10_000
    for backend in args.backends:
        output = args.results_dir / f"writeback-{backend}.json"
        command = [sys.executable, "-m", "bench.writeback_bench", "--size", str(size), "--output", str(output)]
        if backend == "postgresql":
            command += ["--database-url", _database(args.pg_url, "wb")]
            cli_sync.fresh_database(_database(args.pg_url, "wb"), args.results_dir, "wb")
        say(f"-- write-back {backend}: {' '.join(command[1:])}")
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=3600, check=False)  # fmt: skip
        (args.results_dir / f"writeback-{backend}.log").write_text(done.stdout)
        if backend == "postgresql":
            cli_sync.drop_database(_database(args.pg_url, "wb"))
        if done.returncode != 0 or not output.exists():
            say(f"write-back {backend}: FAILED (exit {done.returncode}); log in {args.results_dir}")
            out["writeback"].append({"backend": backend, "size": size, "error": f"exit {done.returncode}"})
            continue
        result = {"backend": backend, "size": size, "rows": json.loads(output.read_text())["rows"]}
        out["writeback"].append(result)
        say(report.writeback_line(result))
        save(args, out)


def _database(pg_url: str, suffix: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(pg_url)
    return parsed.set(database=f"{parsed.database}_{suffix}").render_as_string(hide_password=False)


# --- driver -------------------------------------------------------------------------------------------


def save(args: argparse.Namespace, out: dict[str, Any]) -> None:
    """The results so far (a crash later keeps what was measured)."""
    args.results_dir.mkdir(parents=True, exist_ok=True)
    body = json.dumps(out, indent=1, default=str) + "\n"
    (args.results_dir / f"run-{out['meta']['run_id']}.json").write_text(body)
    (args.results_dir / "latest.json").write_text(body)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="records per sync scenario (comma list)")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--quick", action="store_true", help="10k records only, short webhook and match runs")
    parser.add_argument("--skip", default="", help=f"comma list of scenarios to leave out: {', '.join(SCENARIOS)}")
    parser.add_argument(
        "--max-scenario-minutes", type=float, default=90,
        help="skip a sync size whose initial sync the smaller sizes predict to take longer (and stop a command then)",
    )  # fmt: skip
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="PostgreSQL server and database-name prefix")
    parser.add_argument("--results-dir", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--charts-dir", type=Path, default=ROOT / "docs" / "bench")
    parser.add_argument("--keep-databases", action="store_true", help="keep each sync scenario's SQLite file")
    parser.add_argument("--no-docs", action="store_true", help="only the results JSON, docs untouched")
    parser.add_argument("--report-only", type=Path, metavar="RESULTS_JSON", help="re-render the docs from a file")
    args = parser.parse_args(argv)
    args.sizes = [10_000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if unknown := args.skip - set(SCENARIOS):
        parser.error(f"--skip: unknown scenario(s) {', '.join(sorted(unknown))}; names: {', '.join(SCENARIOS)}")
    if bad := set(args.backends) - {"sqlite", "postgresql"}:
        parser.error(f"--backends: unknown {', '.join(sorted(bad))}")
    if not all(100 <= s <= 2_000_000 for s in args.sizes):
        parser.error("--sizes: each between 100 and 2000000")
    return args


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    if args.report_only:
        results = json.loads(args.report_only.read_text())
        for path in report.write(results, args.docs, args.charts_dir):
            print(f"wrote {path}")
        return
    lines: list[str] = []

    def say(line: str) -> None:
        print(line, flush=True)

    started = time.perf_counter()
    out: dict[str, Any] = {
        "meta": {
            "run_id": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "revision": revision(),
            "machine": machine(),
            "command": "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]),
            "sizes": args.sizes,
            "backends": args.backends,
            "quick": args.quick,
            "skipped": sorted(args.skip),
        },
        "sync": [],
        "webhooks": [],
        "writeback": [],
        "summary": lines,
    }
    if "postgresql" in args.backends and (why := cli_sync.postgres_reachable(args.pg_url)):
        say(f"postgresql: skipped ({why})")
        out["meta"]["postgresql_skipped"] = why
        args.backends = [b for b in args.backends if b != "postgresql"]
    steps = {"sync": run_sync_scenarios, "webhooks": run_webhooks, "match": run_match, "writeback": run_writeback}
    for name, step in steps.items():
        if name in args.skip:
            say(f"{name}: skipped (--skip)")
            continue
        step(args, out, say)
    out["meta"]["seconds"] = round(time.perf_counter() - started, 1)
    out["meta"]["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    out["meta"]["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    lines.extend(report.summary_lines(out))
    save(args, out)
    print("\nsummary:")
    for line in lines:
        print(f"  {line}")
    if not args.no_docs:
        for path in report.write(out, args.docs, args.charts_dir):
            print(f"wrote {path}")
    print(f"took {out['meta']['seconds']:.0f} s; results in {args.results_dir / 'latest.json'}")


if __name__ == "__main__":
    main()
