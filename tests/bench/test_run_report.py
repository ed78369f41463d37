"""`make bench`'s harness: the report writer on canned results (markers, prose kept, charts), and a tiny
real run of the sync scenario (``hub sync`` processes against the sandbox process) on SQLite."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest

from bench import cli_sync, report, run

PROSE = """# Benchmarks

All figures are from the project's machine.

## Sync: hand-written

prose that must stay

## Webhook ingest

another helper's section
"""


def _command(records: int, wall: float, cpu: float, streams: dict[str, int], ledger: int) -> dict[str, Any]:
    return {
        "command": "hub sync x", "exit_code": 0, "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": 120.0 + records / 1000,
        "sandbox_cpu_s": wall * 0.1, "postgres_cpu_s": None, "machine_busy_s": wall * 1.5, "records": records,
        "changed": ledger, "pages": records // 100 + 1, "streams": streams, "ledger_entries_written": ledger,
        "golden_records_written": ledger // 2, "outbox_rows_written": ledger // 3,
        "records_per_s": round(records / wall), "sandbox_share_of_core": 0.1, "sandbox_bound": False,
    }  # fmt: skip


def _phase(records: int, wall: float, ledger: int) -> dict[str, Any]:
    half = records // 2
    per = {
        "hubspot": _command(half, wall / 2, wall / 3, {"companies": half // 5, "contacts": half - half // 5}, ledger),
        "salesforce": _command(records - half, wall / 2, wall / 3, {"accounts": records - half}, ledger),
    }
    return {"connectors": per, **cli_sync._total(per), "golden_records": 10, "ledger_entries": 20, "outbox_rows": 5,
            "dead_letters": 0}  # fmt: skip


def _sync(records: int, backend: str, peer: bool) -> dict[str, Any]:
    initial, inc, noop = (
        _phase(records, records / 2000, records),
        _phase(records // 100, 2.0, records // 100),
        (_phase(records // 200, 1.5, 0)),
    )
    for phase in (inc, noop):
        phase["share_of_initial_wall"] = phase["wall_s"] / initial["wall_s"]
        phase["share_of_initial_cpu"] = phase["cpu_s"] / initial["cpu_s"]
    noop["ok"] = True
    dlt = {"tool": "dlt", "records": records // 2, "seconds": records / 3000, "records_per_s": 3000,
           "cpu_seconds": records / 4000, "peak_rss_mb": 200.0, "sandbox_cpu_seconds": 1.0}  # fmt: skip
    return {
        "records_nominal": records, "world_size": records // 2, "backend": backend, "sandbox_start_s": 1.0,
        "setup": {}, "startup": {"cpu_s": 1.4, "wall_s": 1.9}, "changed_share": 0.01,
        "changed_upstream": {"hubspot": 10, "salesforce": 9},
        "phases": {"initial": initial, "incremental": inc, "noop": noop}, "peer": dlt if peer else None,
    }  # fmt: skip


def canned() -> dict[str, Any]:
    acceptance = {
        "1. open loop 200/s": {"offered_per_s": 200, "accepted_per_s": 199.5, "ack_ms_p50": 3.4, "ack_ms_p95": 7.0,
                               "ack_ms_p99": 11.0, "hub_cpu_ms_per_202": 1.6, "hub_peak_rss_mb": 100.0},
        "2. closed loop c=64": {"offered_per_s": None, "accepted_per_s": 480.0, "ack_ms_p50": 120.0,
                                "hub_cpu_ms_per_202": 1.7, "hub_peak_rss_mb": 110.0},
    }  # fmt: skip
    meta = {
        "run_id": "x", "started": "2026-12-04T18:00:00+00:00", "finished": "2026-12-04T19:00:00+00:00",
        "seconds": 3600.0, "revision": "abc1234", "command": "python -m bench.run --quick", "skipped": [],
        "machine": {"cpus": 2, "memory_gb": 23.4, "python": "3.11.7", "platform": "Linux",
                    "load_average_before": [0.5, 0.4, 0.3], "load_average_after": [1.5, 1.2, 0.9]},
    }  # fmt: skip
    match = [
        {"records": n, "seconds": n / 4000, "records_per_s": 4000, "peak_rss_mb": 300.0, "clusters": n - 5,
         "us_per_record": 250.0}
        for n in (10_000, 30_000, 100_000)
    ]  # fmt: skip
    writeback = [
        {"system": "hubspot", "object": "companies", "records": 1655, "records_per_s": 426, "batch_ms_p50": 48.0,
         "batch_ms_p95": 91.0, "batch_ms_p99": 105.0, "failed": 0}
    ]  # fmt: skip
    webhooks = {"acceptance": acceptance, "end_to_end": {"visible_ms_p50": 18.0}}
    return {
        "meta": meta,
        "sync": [_sync(n, b, b == "sqlite") for n in (10_000, 100_000) for b in ("sqlite", "postgresql")],
        "webhooks": [{"backend": "sqlite", "result": webhooks}],
        "match": {"rows": match},
        "writeback": [{"backend": "sqlite", "size": 10_000, "rows": writeback}],
    }


def test_summary_has_one_line_per_scenario() -> None:
    lines = report.summary_lines(canned())
    assert sum(line.startswith("initial sync ") for line in lines) == 4
    assert sum(line.startswith("no-op sync ") for line in lines) == 4
    assert any(line.startswith("initial sync 100k postgresql: 100,000 records") for line in lines)
    assert any("0 ledger entries (ok)" in line and "`hub status`: 1.4 CPU s" in line for line in lines)
    assert sum(line.startswith("peer dlt 10") for line in lines) == 2  # the first backend only
    assert any(line.startswith("webhooks sqlite: offered 200/s") for line in lines)
    assert any(line.startswith("identity resolution") and "100k" in line for line in lines)
    assert any(line.startswith("write-back sqlite (10k worlds): hubspot companies 426 rec/s") for line in lines)


def test_report_replaces_only_its_part_and_writes_charts(tmp_path: Path) -> None:
    docs, charts = tmp_path / "benchmarks.md", tmp_path / "bench"
    docs.write_text(PROSE)
    written = report.write(canned(), docs, charts)
    text = docs.read_text()
    assert text.count(report.BEGIN) == 1 and text.count(report.END) == 1
    assert text.startswith("# Benchmarks\n\nAll figures are from the project's machine.\n\n" + report.BEGIN)
    assert text.endswith(PROSE.split("machine.\n\n", 1)[1])  # the prose after it, byte for byte
    generated = text[text.index(report.BEGIN) : text.index(report.END)]
    assert "revision `abc1234`" in generated and "2 CPUs" in generated and "0.5 / 0.4 / 0.3 before" in generated
    assert "| 100k | postgresql | initial sync | 100,000 |" in generated
    assert json.loads((charts / "results.json").read_text())["meta"]["revision"] == "abc1234"
    again = report.write(canned(), docs, charts)  # idempotent: the part is replaced, not added again
    assert docs.read_text() == text and [p.name for p in again] == [p.name for p in written]
    pytest.importorskip("matplotlib")
    names = {p.name for p in written if p.suffix == ".png"}
    assert names == {f"{n}.png" for n in ("sync-throughput", "sync-memory", "sync-resync-cost", "peer",
                                          "identity-scale", "writeback", "webhooks")}  # fmt: skip
    for name in names:
        assert (charts / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"](bench/{name})" in generated


def test_report_without_sync_results_still_has_markers(tmp_path: Path) -> None:
    docs = tmp_path / "benchmarks.md"
    out = {"meta": {"skipped": ["sync", "webhooks"]}, "match": {"skipped": "matcher not available"}}
    report.write(out, docs, tmp_path / "bench")
    text = docs.read_text()
    assert text.startswith("# Benchmarks\n") and report.BEGIN in text and report.END in text
    assert "identity resolution: matcher not available" in text


def test_arguments() -> None:
    quick = run._arguments(["--quick", "--skip", "webhooks,peer"])
    assert quick.sizes == [10_000] and quick.backends == ["sqlite", "postgresql"]
    assert quick.skip == {"webhooks", "peer"}
    assert run._arguments([]).sizes == [10_000, 100_000, 1_000_000]
    with pytest.raises(SystemExit):
        run._arguments(["--skip", "nothing"])


def test_a_size_predicted_too_long_is_skipped_with_a_line() -> None:
    assert run.predict_seconds([], 1_000_000) is None
    seconds, exponent = run.predict_seconds([(10_000, 10.0)], 100_000) or (0, 0)
    assert (round(seconds), exponent) == (100, 1.0)  # one size: linear
    seconds, exponent = run.predict_seconds([(10_000, 18.7), (100_000, 775.5)], 1_000_000) or (0, 0)
    assert round(exponent, 2) == 1.62 and 30_000 < seconds < 33_000  # the measured growth, carried on
    out = canned()
    out["sync"].append({"records_nominal": 1_000_000, "backend": "sqlite", "skipped": "about 8.9 h"})
    lines = report.summary_lines(out)
    assert "sync 1M sqlite: skipped: about 8.9 h" in lines
    assert "| 1M | sqlite | skipped: about 8.9 h |" in report.render(out, {})


@pytest.mark.slow
def test_tiny_sync_scenario_through_hub_sync(tmp_path: Path) -> None:
    """About 500 records, SQLite: seven ``hub`` processes (status, then sync per connector per phase)."""
    result = cli_sync.run_sync(500, "sqlite", run.DEFAULT_PG, Path(tempfile.mkdtemp(dir=tmp_path)), say=lambda _: None)
    initial, incremental, noop = (result["phases"][k] for k in ("initial", "incremental", "noop"))
    assert set(initial["connectors"]) == {"hubspot", "salesforce"}
    assert initial["connectors"]["hubspot"]["records"] == 250  # --size 250: the HubSpot world
    assert initial["connectors"]["salesforce"]["records"] > 100
    assert initial["ledger_entries_written"] >= initial["records"] * 0.9 and initial["golden_records"] > 0
    assert initial["cpu_s"] > 0 and initial["peak_rss_mb"] > 30 and initial["sandbox_cpu_s"] >= 0
    assert incremental["ledger_entries_written"] > 0
    assert noop["ledger_entries_written"] == 0 and noop["ok"]
    assert noop["share_of_initial_wall"] is not None
    lines = report.sync_lines(result)
    assert len(lines) == 3 and lines[0].startswith("initial sync 500 sqlite: ")
