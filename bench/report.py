"""The report of a ``bench.run`` results dict: summary lines, docs/benchmarks.md's generated part, PNG charts.

Only the text between :data:`BEGIN` and :data:`END` in the docs is replaced (inserted after the title's
first paragraph when the markers are not there yet); everything else in the file is kept as it is.
Charts need matplotlib (the ``bench`` extra); without it the tables are still written, with a note.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"
NONE = "\u2013"  # an en dash: no figure
TIMES = "\u00d7"
PHASES = {"initial": "initial sync", "incremental": "incremental sync", "noop": "no-op sync"}


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 100_000 == 0:
        return f"{n / 1_000_000:g}M"
    if n >= 1_000 and n % 100 == 0:
        return f"{n / 1_000:g}k"
    return str(n)


def _n(value: Any) -> str:
    """An integer with thousands separators; a float: 1 decimal from 10, 2 from 1, 3 significant digits below."""
    if value is None:
        return NONE
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and value >= 100):
        return f"{round(value):,}"
    if isinstance(value, float):
        return f"{value:.1f}" if value >= 10 else f"{value:.2f}" if value >= 1 else f"{value:.3g}"
    return str(value)


def _pct(value: float | None) -> str:
    return NONE if value is None else f"{value * 100:.1f} %"


# --- summary lines ------------------------------------------------------------------------------------


def _pg(phase: dict[str, Any]) -> str:
    return f", PostgreSQL {phase['postgres_cpu_s']:.1f} CPU s" if phase.get("postgres_cpu_s") is not None else ""


def _not_run(result: dict[str, Any]) -> str:
    """Why a sync scenario has no figures: it failed, or it was skipped (predicted too long)."""
    return f"skipped: {result['skipped']}" if "skipped" in result else f"FAILED: {result.get('error')}"


def sync_lines(result: dict[str, Any]) -> list[str]:
    """One line per phase of a sync scenario (and the peer's, when it ran)."""
    if "phases" not in result:
        return [f"sync {size_label(result['records_nominal'])} {result['backend']}: {_not_run(result)}"]
    key = f"{size_label(result['records_nominal'])} {result['backend']}"
    phases = result["phases"]
    initial, inc, noop = phases["initial"], phases["incremental"], phases["noop"]
    parts = " + ".join(f"{name} {_n(c['records'])}" for name, c in initial["connectors"].items())
    bound = "; the sandbox may be the limit" if initial["sandbox_bound"] else ""
    lines = [
        f"initial sync {key}: {_n(initial['records'])} records ({parts}) in {initial['wall_s']:.1f} s: "
        f"{_n(initial['records_per_s'])} rec/s, {initial['cpu_s']:.1f} CPU s, peak {initial['peak_rss_mb']:.0f} MB, "
        f"sandbox {initial['sandbox_cpu_s']:.1f} CPU s ({initial['sandbox_share_of_core']:.2f} of a core){_pg(initial)}"
        f"{bound}",
        f"incremental sync {key} ({result['changed_share']:.0%} changed): {_n(inc['records'])} records read, "
        f"{_n(inc['ledger_entries_written'])} ledger entries, {inc['wall_s']:.1f} s = "
        f"{_pct(inc['share_of_initial_wall'])} of the initial wall, {inc['cpu_s']:.1f} CPU s = "
        f"{_pct(inc['share_of_initial_cpu'])} of its CPU, peak {inc['peak_rss_mb']:.0f} MB",
        f"no-op sync {key}: {_n(noop['ledger_entries_written'])} ledger entries "
        f"({'ok' if noop['ok'] else 'NOT 0'}), {_n(noop['records'])} records read, {noop['wall_s']:.1f} s = "
        f"{_pct(noop['share_of_initial_wall'])} of the initial wall, {noop['cpu_s']:.1f} CPU s = "
        f"{_pct(noop['share_of_initial_cpu'])} of its CPU{_startup(result)}",
    ]
    peer = result.get("peer")
    if peer is not None:
        lines.append(peer_line(result))
    return lines


def _startup(result: dict[str, Any]) -> str:
    """The start-up every command pays, measured alone: ``hub status`` on the migrated database."""
    setup = result.get("startup") or {}
    if "cpu_s" not in setup:
        return ""
    return f" (start-up alone, `hub status`: {setup['cpu_s']:.1f} CPU s, {setup['wall_s']:.1f} s per command)"


def peer_ratio(result: dict[str, Any]) -> dict[str, Any] | None:
    """The hub's ``hub sync hubspot --full`` beside dlt on the same world: both as whole commands."""
    peer = result.get("peer") or {}
    if "records_per_s" not in peer:
        return None
    hub = result["phases"]["initial"]["connectors"]["hubspot"]
    dlt_seconds = peer.get("process_seconds") or peer["seconds"]
    dlt_cpu = peer.get("process_cpu_seconds") or peer["cpu_seconds"]
    dlt_rate = peer["records"] / dlt_seconds if dlt_seconds else 0.0
    return {
        "records": hub["records"],
        "hub_records_per_s": hub["records_per_s"],
        "hub_cpu_s": hub["cpu_s"],
        "hub_peak_rss_mb": hub["peak_rss_mb"],
        "hub_sandbox_cpu_s": hub["sandbox_cpu_s"],
        "dlt_records": peer["records"],
        "dlt_records_per_s": round(dlt_rate),
        "dlt_cpu_s": round(dlt_cpu, 2),
        "dlt_peak_rss_mb": peer.get("peak_rss_mb"),
        "dlt_sandbox_cpu_s": peer.get("sandbox_cpu_seconds"),
        "dlt_pipeline_records_per_s": peer["records_per_s"],
        "rate_ratio": round(hub["records_per_s"] / dlt_rate, 2) if dlt_rate else None,
        "cpu_ratio": round(hub["cpu_s"] / dlt_cpu, 2) if dlt_cpu else None,
    }


def peer_line(result: dict[str, Any]) -> str:
    key = size_label(result["records_nominal"])
    peer = result.get("peer") or {}
    ratio = peer_ratio(result)
    if ratio is None:
        return f"peer dlt {key}: {peer.get('skipped', 'no figures')}"
    return (
        f"peer dlt {key}: {_n(ratio['dlt_records'])} HubSpot records, {_n(ratio['dlt_records_per_s'])} rec/s, "
        f"{ratio['dlt_cpu_s']:.1f} CPU s, peak {_n(ratio['dlt_peak_rss_mb'])} MB; hub sync hubspot "
        f"{_n(ratio['hub_records_per_s'])} rec/s, {ratio['hub_cpu_s']:.1f} CPU s: hub/dlt records/s "
        f"{ratio['rate_ratio']}, CPU {ratio['cpu_ratio']}"
    )


def _acceptance(result: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    rows = result.get("result", {}).get("acceptance", {})
    fixed = next((r for k, r in rows.items() if k.startswith("1.")), None)
    closed = [r for k, r in rows.items() if k.startswith("2.")]
    saturation = max(closed, key=lambda r: r.get("accepted_per_s") or 0) if closed else None
    return fixed, saturation


def _concurrency(result: dict[str, Any], row: dict[str, Any]) -> str:
    rows = result.get("result", {}).get("acceptance", {})
    name = next((k for k, r in rows.items() if r is row), "")
    return name.split("c=")[-1] if "c=" in name else "?"


def webhook_line(result: dict[str, Any]) -> str:
    if "error" in result:
        return f"webhooks {result['backend']}: FAILED ({result['error']})"
    fixed, saturation = _acceptance(result)
    parts = []
    if fixed:
        parts.append(
            f"offered {_n(fixed.get('offered_per_s'))}/s → {_n(fixed.get('accepted_per_s'))} accepted/s, ack p50 / "
            f"p99 {_n(fixed.get('ack_ms_p50'))} / {_n(fixed.get('ack_ms_p99'))} ms"
        )
    if saturation:
        parts.append(
            f"saturation ({_concurrency(result, saturation)} in flight) {_n(saturation.get('accepted_per_s'))} "
            f"accepted/s, {_n(saturation.get('hub_cpu_ms_per_202'))} ms hub CPU per delivery"
        )
    e2e = result.get("result", {}).get("end_to_end") or {}
    if e2e.get("visible_ms_p50") is not None:
        parts.append(f"change → golden record p50 {_n(e2e['visible_ms_p50'])} ms")
    return f"webhooks {result['backend']}: " + "; ".join(parts or ["no figures"])


def match_line(match: dict[str, Any]) -> str:
    if "rows" not in match:
        return f"identity resolution: {match.get('skipped') or 'FAILED'}"
    rows = match["rows"]
    sizes = ", ".join(
        f"{size_label(r['records'])} {r['seconds']:.1f} s ({r['us_per_record']:.0f} µs/record)" for r in rows
    )
    growth = ""
    if len(rows) >= 2 and rows[0]["seconds"]:
        factor = rows[-1]["seconds"] / rows[0]["seconds"]
        growth = f": {TIMES}{factor:.1f} time for {TIMES}{rows[-1]['records'] / rows[0]['records']:g} records"
    return f"identity resolution (organisations): {sizes}{growth}, peak {rows[-1]['peak_rss_mb']:.0f} MB"


def writeback_line(result: dict[str, Any]) -> str:
    if "error" in result:
        return f"write-back {result['backend']}: FAILED ({result['error']})"
    parts = ", ".join(f"{r['system']} {r['object']} {_n(r['records_per_s'])} rec/s" for r in result["rows"])
    return f"write-back {result['backend']} ({size_label(result['size'])} worlds): {parts}"


def summary_lines(out: dict[str, Any]) -> list[str]:
    """Every scenario's summary line, from the results."""
    lines: list[str] = []
    for result in out.get("sync", []):
        lines.extend(sync_lines(result))
    if out.get("peer_skipped"):
        lines.append(f"peer dlt: skipped: {out['peer_skipped']}")
    lines.extend(webhook_line(r) for r in out.get("webhooks", []))
    if "match" in out:
        lines.append(match_line(out["match"]))
    lines.extend(writeback_line(r) for r in out.get("writeback", []))
    return lines


# --- markdown -----------------------------------------------------------------------------------------


def _table(header: list[str], rows: Iterable[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_n(c) if not isinstance(c, str) else c for c in row) + " |" for row in rows]
    return lines


def _sync_rows(out: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for result in out.get("sync", []):
        if "phases" not in result:
            rows.append([size_label(result["records_nominal"]), result["backend"], _not_run(result), *[NONE] * 10])
            continue
        for phase_key, name in PHASES.items():
            p = result["phases"][phase_key]
            share = "" if phase_key == "initial" else (
                f"{_pct(p.get('share_of_initial_wall'))} / {_pct(p.get('share_of_initial_cpu'))}"
            )  # fmt: skip
            ledger = _n(p["ledger_entries_written"]) + (
                (" ✓" if p.get("ok") else " ✗ (must be 0)") if phase_key == "noop" else ""
            )
            rows.append([
                size_label(result["records_nominal"]), result["backend"], name, p["records"], p["wall_s"],
                f"**{_n(p['records_per_s'])}**" if phase_key == "initial" else p["records_per_s"], p["cpu_s"],
                p["cpu_ms_per_record"], p["peak_rss_mb"],
                f"{p['sandbox_cpu_s']:.1f} ({p['sandbox_share_of_core']:.2f})", p.get("postgres_cpu_s"), ledger,
                share or NONE,
            ])  # fmt: skip
    return rows


def _command_rows(out: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for result in out.get("sync", []):
        if "phases" not in result:
            continue
        for phase_key, name in PHASES.items():
            for c in result["phases"][phase_key]["connectors"].values():
                streams = ", ".join(f"{k} {_n(v)}" for k, v in c["streams"].items())
                rows.append([
                    size_label(result["records_nominal"]), result["backend"], name, f"`{c['command']}`",
                    f"{_n(c['records'])} ({streams})", c["wall_s"], c["records_per_s"], c["cpu_s"], c["peak_rss_mb"],
                    f"{c['sandbox_cpu_s']:.1f} ({c['sandbox_share_of_core']:.2f})", c["ledger_entries_written"],
                    c["outbox_rows_written"],
                ])  # fmt: skip
    return rows


def _startup_lines(out: dict[str, Any]) -> list[str]:
    parts = [
        f"{size_label(r['records_nominal'])} {r['backend']} {r['startup']['cpu_s']:.1f} CPU s / "
        f"{r['startup']['wall_s']:.1f} s"
        for r in out.get("sync", [])
        if "startup" in r
    ]
    if not parts:
        return []
    return [
        "Start-up that every command pays before it syncs anything (a second `hub status` on the migrated "
        f"database: interpreter, imports, migration check, connectors file): {'; '.join(parts)}.",
        "",
    ]


def _upstream_lines(out: dict[str, Any]) -> list[str]:
    """Whether the sandbox could have been the limit: its largest share of a core during any command."""
    shares = [
        (c["sandbox_share_of_core"], f"`{c['command']}` ({size_label(r['records_nominal'])} {r['backend']})")
        for r in out.get("sync", [])
        if "phases" in r
        for p in r["phases"].values()
        for c in p["connectors"].values()
    ]
    if not shares:
        return []
    top, where = max(shares)
    verdict = (
        "so the upstream was not the limit: the hub was"
        if top <= 0.6
        else "so the sandbox may have limited those commands (a pre-rendered page cache would take it out)"
    )
    return [f"The sandbox used at most {top:.2f} of a core during any one command ({where}), {verdict}.", ""]


def _meta_lines(out: dict[str, Any]) -> list[str]:
    meta = out.get("meta", {})
    m = meta.get("machine", {})
    before = " / ".join(f"{x:g}" for x in m.get("load_average_before", []))
    after = " / ".join(f"{x:g}" for x in m.get("load_average_after", []))
    lines = [
        f"Run {meta.get('started', '?')} → {meta.get('finished', '?')} ({_n(meta.get('seconds'))} s) on revision "
        f"`{meta.get('revision') or 'unknown'}`: `{meta.get('command', 'python -m bench.run')}`. Machine: "
        f"{m.get('cpus', '?')} CPUs, {m.get('memory_gb', '?')} GiB, Python {m.get('python', '?')}, "
        f"{m.get('platform', '?')}; load average (1 / 5 / 15 min) {before or '?'} before, {after or '?'} after. "
        "The hub, the sandbox, PostgreSQL and the benchmark share the machine's cores.",
    ]
    for key, label in (("postgresql_skipped", "PostgreSQL"),):
        if meta.get(key):
            lines += ["", f"{label}: skipped ({meta[key]})."]
    if meta.get("skipped"):
        lines += ["", f"Scenarios left out (`--skip`): {', '.join(meta['skipped'])}."]
    return lines


def _image(charts: dict[str, str], name: str, alt: str) -> list[str]:
    return [f"![{alt}]({charts[name]})", ""] if name in charts else []


def render(out: dict[str, Any], charts: dict[str, str], charts_note: str = "") -> str:
    """The generated part of docs/benchmarks.md, markers included. ``charts``: chart name → path from the docs."""
    lines = [
        BEGIN,
        "<!-- Generated by `make bench` (python -m bench.run) from docs/bench/results.json: edits between the bench"
        " markers are overwritten; write prose outside them. -->",
        "",
        "## Latest `make bench` run",
        "",
        *_meta_lines(out),
        "",
        "### Summary",
        "",
        "```text",
        *summary_lines(out),
        "```",
        "",
    ]
    if out.get("sync"):
        lines += [
            "### Sync with the user's command: `hub sync` as its own process",
            "",
            "HubSpot (companies, contacts, deals) and Salesforce (accounts, contacts, opportunities, deal "
            "registrations, channel-program members) from one sandbox world in its own process (`--size` half "
            "the records, rate limits off), through mapping, identity resolution, the ledger, golden records and "
            "the outbox, on a fresh database. Each phase is `hub sync hubspot` then `hub sync salesforce` "
            "(`--full` for the initial sync), each measured from outside: wall time from spawn to exit, its CPU "
            "seconds and peak RSS (`os.wait4`), start-up included, as a user pays it. Records/s = records read / "
            "wall. The sandbox's CPU over the same interval is beside it, with its share of one core: near 1.0, "
            "the upstream would be the limit. Incremental: 1 % of each object's records changed upstream first; "
            "no-op: nothing changed, so no ledger entry may be written.",
            "",
            *_table(
                [
                    "records",
                    "backend",
                    "phase",
                    "records read",
                    "wall s",
                    "records/s",
                    "hub CPU s",
                    "CPU ms/record",
                    "peak RSS MB",
                    "sandbox CPU s (share of a core)",
                    "PostgreSQL CPU s",
                    "ledger entries written",
                    "wall / CPU vs initial",
                ],
                _sync_rows(out),
            ),
            "",
            *_startup_lines(out),
            *_upstream_lines(out),
            *_image(charts, "sync-throughput", "initial sync records/s against record count"),
            *_image(charts, "sync-memory", "peak RSS of hub sync against record count"),
            *_image(charts, "sync-resync-cost", "incremental and no-op sync cost as a share of the initial sync"),
            "<details><summary>Per command</summary>",
            "",
            *_table(
                [
                    "records",
                    "backend",
                    "phase",
                    "command",
                    "records read",
                    "wall s",
                    "records/s",
                    "CPU s",
                    "peak RSS MB",
                    "sandbox CPU s (share)",
                    "ledger entries",
                    "outbox rows",
                ],
                _command_rows(out),
            ),
            "",
            "</details>",
            "",
        ]
    peers = [(r, peer_ratio(r)) for r in out.get("sync", []) if "phases" in r and r.get("peer") is not None]
    if peers or out.get("peer_skipped"):
        lines += ["### The peer: dlt on the same HubSpot world", ""]
        if out.get("peer_skipped"):
            lines += [f"Skipped: {out['peer_skipped']}.", ""]
        rows = []
        for result, ratio in peers:
            if ratio is None:
                rows.append([size_label(result["records_nominal"]), (result["peer"] or {}).get("skipped", NONE),
                             *[NONE] * 7])  # fmt: skip
                continue
            rows.append([
                size_label(result["records_nominal"]), ratio["records"], ratio["hub_records_per_s"],
                ratio["hub_cpu_s"], ratio["hub_peak_rss_mb"], ratio["dlt_records_per_s"], ratio["dlt_cpu_s"],
                ratio["dlt_peak_rss_mb"], f"{ratio['rate_ratio']} / {ratio['cpu_ratio']}",
            ])  # fmt: skip
        if rows:
            lines += [
                "`hub sync hubspot --full` (mapping, identity, ledger, golden records, outbox into the hub's "
                "database) beside `bench/peer_dlt.py` (dlt's `rest_api` source into DuckDB: extract, normalise, "
                "load) on the same sandbox process, right after the hub's initial sync; both as whole processes "
                "(interpreter start included).",
                "",
                *_table(
                    [
                        "world",
                        "HubSpot records",
                        "hub records/s",
                        "hub CPU s",
                        "hub peak MB",
                        "dlt records/s",
                        "dlt CPU s",
                        "dlt peak MB",
                        "hub/dlt records/s / CPU",
                    ],
                    rows,
                ),
                "",
                *_image(charts, "peer", "hub against dlt: records/s and CPU seconds"),
            ]
    if out.get("webhooks"):
        rows = []
        for result in out["webhooks"]:
            if "error" in result:
                rows.append([result["backend"], "FAILED", *[NONE] * 5])
                continue
            fixed, sat = _acceptance(result)
            e2e = result["result"].get("end_to_end") or {}
            rows.append([
                result["backend"],
                f"{_n((fixed or {}).get('offered_per_s'))} → {_n((fixed or {}).get('accepted_per_s'))}",
                " / ".join(_n((fixed or {}).get(k)) for k in ("ack_ms_p50", "ack_ms_p95", "ack_ms_p99")),
                f"{_n((sat or {}).get('accepted_per_s'))} ({_concurrency(result, sat) if sat else NONE} in flight)",
                _n((sat or {}).get("hub_cpu_ms_per_202")),
                " / ".join(_n(e2e.get(k)) for k in ("visible_ms_p50", "visible_ms_p95")) if e2e else NONE,
                _n((sat or fixed or {}).get("hub_peak_rss_mb")),
            ])  # fmt: skip
        lines += [
            "### Webhook ingestion",
            "",
            "`bench/webhook_bench.py` against a real `hub serve` process (its own section below explains the "
            "parts); its JSON files are in `bench/results/`.",
            "",
            *_table(
                [
                    "backend",
                    "offered → accepted /s",
                    "ack ms p50 / p95 / p99",
                    "saturation accepted/s",
                    "hub CPU ms per delivery",
                    "change → golden ms p50 / p95",
                    "hub peak MB",
                ],
                rows,
            ),
            "",
            *_image(charts, "webhooks", "webhook deliveries accepted per second"),
        ]
    match = out.get("match")
    if match:
        lines += ["### Identity resolution: the matcher alone", ""]
        if "rows" in match:
            lines += [
                "`hub.identity.engine.cluster_records` on synthetic organisations (`bench/match_scale.py`), in its "
                "own process. Near-linear growth keeps the time per record flat.",
                "",
                *_table(
                    ["organisations", "seconds", "µs per record", "records/s", "clusters", "peak RSS MB"],
                    [
                        [
                            r["records"],
                            r["seconds"],
                            r["us_per_record"],
                            r["records_per_s"],
                            r.get("clusters"),
                            r["peak_rss_mb"],
                        ]
                        for r in match["rows"]
                    ],
                ),
                "",
                *_image(charts, "identity-scale", "matcher time per record against organisations"),
            ]
        else:
            lines += [match_line(match), ""]
    if out.get("writeback"):
        rows = []
        for result in out["writeback"]:
            if "error" in result:
                rows.append([result["backend"], "FAILED", *[NONE] * 4])
                continue
            for r in result["rows"]:
                rows.append([
                    f"{result['backend']} ({size_label(result['size'])})", f"{r['system']} {r['object']}",
                    r["records"], r["records_per_s"],
                    " / ".join(_n(r.get(k)) for k in ("batch_ms_p50", "batch_ms_p95", "batch_ms_p99")), r["failed"],
                ])  # fmt: skip
        lines += [
            "### Write-back throughput per system",
            "",
            "`bench/writeback_bench.py`: one outbox dispatch pass per object after a full sync of each system's "
            "sandbox world (its section below explains it).",
            "",
            *_table(
                [
                    "backend (world)",
                    "system / object",
                    "writes sent",
                    "records/s",
                    "batch ms p50 / p95 / p99",
                    "failed",
                ],
                rows,
            ),
            "",
            *_image(charts, "writeback", "write-back records per second per system"),
        ]
    if charts_note:
        lines += [charts_note, ""]
    lines.append(END)
    return "\n".join(lines) + "\n"


def splice(document: str, generated: str) -> str:
    """``document`` with its generated part replaced by ``generated`` (or inserted after the title's
    first paragraph); nothing outside the markers changes."""
    if BEGIN in document and END in document:
        head, rest = document.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        return head + generated.rstrip("\n") + tail
    lines = document.splitlines(keepends=True)
    at = 0
    title = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
    if title is not None:
        at = title + 1
        while at < len(lines) and not lines[at].strip():
            at += 1
        while at < len(lines) and lines[at].strip():  # the paragraph under the title
            at += 1
    return (
        "".join(lines[:at])
        + ("\n" if at else "")
        + generated
        + ("\n" if at < len(lines) else "")
        + "".join(lines[at:]).lstrip("\n")
    )


# --- charts -------------------------------------------------------------------------------------------


def charts(out: dict[str, Any], directory: Path) -> dict[str, Path]:
    """Write the PNG charts the results have data for; chart name → file. Raises ImportError without matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}

    def save(name: str, fig: Any) -> None:
        path = directory / f"{name}.png"
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written[name] = path

    syncs = [r for r in out.get("sync", []) if "phases" in r]
    backends = sorted({r["backend"] for r in syncs})
    if syncs:
        for name, key, ylabel, title in (
            ("sync-throughput", "records_per_s", "records/s", "Initial sync throughput (hub sync, both connectors)"),
            ("sync-memory", "peak_rss_mb", "peak RSS of hub sync (MB)", "Peak memory of hub sync"),
        ):
            fig, ax = plt.subplots(figsize=(7, 4))
            for backend in backends:
                points = sorted((r["phases"]["initial"]["records"], r["phases"]["initial"][key]) for r in syncs
                                if r["backend"] == backend)  # fmt: skip
                ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=f"{backend} initial")
                if key == "peak_rss_mb":
                    inc = sorted((r["phases"]["initial"]["records"], r["phases"]["incremental"][key]) for r in syncs
                                 if r["backend"] == backend)  # fmt: skip
                    ax.plot([p[0] for p in inc], [p[1] for p in inc], marker="x", linestyle="--",
                            label=f"{backend} incremental")  # fmt: skip
            ax.set_xscale("log")
            ax.set_xlabel("records read (HubSpot + Salesforce)")
            ax.set_ylabel(ylabel)
            ax.set_ylim(bottom=0)
            ax.set_title(title)
            ax.grid(True, alpha=0.3)
            ax.legend()
            save(name, fig)
        fig, ax = plt.subplots(figsize=(8, 4))
        labels = [f"{size_label(r['records_nominal'])}\n{r['backend']}" for r in syncs]
        series = [
            ("incremental wall", "incremental", "share_of_initial_wall"),
            ("incremental CPU", "incremental", "share_of_initial_cpu"),
            ("no-op wall", "noop", "share_of_initial_wall"),
            ("no-op CPU", "noop", "share_of_initial_cpu"),
        ]
        width = 0.8 / len(series)
        for i, (label, phase, key) in enumerate(series):
            values = [100 * (r["phases"][phase].get(key) or 0) for r in syncs]
            ax.bar([x + i * width for x in range(len(syncs))], values, width, label=label)
        ax.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(syncs))], labels)
        ax.set_ylabel("% of the initial sync")
        ax.set_title("Re-sync cost: 1 % changed, and nothing changed")
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend(fontsize="small")
        save("sync-resync-cost", fig)
    peers: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for result in syncs:
        ratio = peer_ratio(result)
        if ratio is not None:
            peers.append((result, ratio))
    if peers:
        fig, (left, right) = plt.subplots(1, 2, figsize=(9, 4))
        labels = [size_label(r["records_nominal"]) for r, _ in peers]
        slots = range(len(peers))
        for ax, hub_key, dlt_key, ylabel in (
            (left, "hub_records_per_s", "dlt_records_per_s", "records/s"),
            (right, "hub_cpu_s", "dlt_cpu_s", "CPU seconds"),
        ):
            ax.bar([x - 0.2 for x in slots], [p[hub_key] for _, p in peers], 0.4, label="hub sync hubspot --full")
            ax.bar([x + 0.2 for x in slots], [p[dlt_key] for _, p in peers], 0.4, label="dlt rest_api → duckdb")
            ax.set_xticks(list(slots), labels)
            ax.set_xlabel("world (records in the sync scenario)")
            ax.set_ylabel(ylabel)
            ax.grid(True, axis="y", alpha=0.3)
        left.legend(fontsize="small")
        fig.suptitle("The hub against dlt on the same HubSpot world")
        save("peer", fig)
    match = out.get("match") or {}
    if match.get("rows"):
        rows = match["rows"]
        fig, (left, right) = plt.subplots(1, 2, figsize=(9, 4))
        xs = [r["records"] for r in rows]
        left.plot(xs, [r["seconds"] for r in rows], marker="o", label="measured")
        first = rows[0]
        left.plot(xs, [first["seconds"] * x / first["records"] for x in xs], linestyle="--", label="linear from first")
        left.set_xlabel("organisations")
        left.set_ylabel("seconds")
        left.legend(fontsize="small")
        right.plot(xs, [r["us_per_record"] for r in rows], marker="o")
        right.set_xlabel("organisations")
        right.set_ylabel("µs per record")
        right.set_ylim(bottom=0)
        for ax in (left, right):
            ax.set_xscale("log")
            ax.grid(True, alpha=0.3)
        fig.suptitle("Identity resolution: the matcher alone")
        save("identity-scale", fig)
    writebacks = [r for r in out.get("writeback", []) if "error" not in r]
    if writebacks:
        objects = [f"{r['system']} {r['object']}" for r in writebacks[0]["rows"]]
        fig, ax = plt.subplots(figsize=(8, 4))
        width = 0.8 / len(writebacks)
        for i, result in enumerate(writebacks):
            rate = {f"{r['system']} {r['object']}": r["records_per_s"] for r in result["rows"]}
            ax.bar([x + i * width for x in range(len(objects))], [rate.get(o, 0) for o in objects], width,
                   label=f"{result['backend']} ({size_label(result['size'])} worlds)")  # fmt: skip
        ax.set_xticks([x + width * (len(writebacks) - 1) / 2 for x in range(len(objects))],
                      [o.replace(" ", "\n") for o in objects])  # fmt: skip
        ax.set_ylabel("writes sent / s")
        ax.set_title("Write-back throughput per system")
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend(fontsize="small")
        save("writeback", fig)
    hooks = [r for r in out.get("webhooks", []) if "error" not in r]
    if hooks:
        fig, ax = plt.subplots(figsize=(6, 4))
        for i, result in enumerate(hooks):
            fixed, sat = _acceptance(result)
            values = [(fixed or {}).get("accepted_per_s") or 0, (sat or {}).get("accepted_per_s") or 0]
            ax.bar([x + i * 0.4 for x in range(2)], values, 0.4, label=result["backend"])
        ax.set_xticks([0.2, 1.2], ["fixed offered load", "saturation"])
        ax.set_ylabel("deliveries accepted / s")
        ax.set_title("Webhook ingestion (hub serve)")
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend(fontsize="small")
        save("webhooks", fig)
    return written


def write(out: dict[str, Any], docs: Path, charts_dir: Path) -> list[Path]:
    """Charts, a copy of the results beside them, and the docs' generated part; the files written."""
    written: list[Path] = []
    note = ""
    try:
        made = charts(out, charts_dir)
    except ImportError:
        made = {}
        note = "Charts not drawn: matplotlib is not installed (the `bench` extra: `pip install -e '.[bench]'`)."
    written += made.values()
    charts_dir.mkdir(parents=True, exist_ok=True)
    results = charts_dir / "results.json"
    results.write_text(json.dumps(out, indent=1, default=str) + "\n")
    written.append(results)
    relative = {name: _relative(path, docs.parent) for name, path in made.items()}
    document = docs.read_text() if docs.exists() else "# Benchmarks\n"
    docs.write_text(splice(document, render(out, relative, note)))
    written.append(docs)
    return written


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
