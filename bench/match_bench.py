"""Identity-resolution benchmark: the hub's clusters against the sandbox world's ground truth.

    make bench-match                                    # size 4000, SQLite, Splink beside it
    .venv/bin/python -m bench.match_bench --size 300 --no-splink --no-scale
    .venv/bin/python -m bench.match_bench --write-docs  # also rewrites docs/benchmarks.md's section

Starts the sandbox in this process (rate limits off) with one shared world of ``--size`` records per
system, creates the HubSpot, Salesforce and PartnerStack connectors in a hub on a fresh SQLite file,
runs full syncs of every stream (HubSpot, then Salesforce, then PartnerStack), reads the clusters
from ``source_records.golden_id`` and scores them against ``sandbox.truth.identity_truth``: pairwise
precision, recall and F1 per entity, overall and per system pair, the review queue, and a sample of
false positives / negatives with their key fields.  Then Splink on the same records, and the hub's
pure matcher timed at 10k and 100k organisations.  Targets: precision >= 0.99 and recall >= 0.95.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import text

from bench import match_scale, match_splink
from bench.match_metrics import PairScore, Record, mistakes, score, truth_index
from hub.connector_store import ConnectorCreate
from hub.context import Hub
from hub.settings import Settings
from sandbox.server import SandboxServer
from sandbox.truth import identity_truth

ENTITIES = ("organization", "person")
TARGETS = {"precision": 0.99, "recall": 0.95}
CONNECTORS = ("hubspot", "salesforce", "partnerstack")
DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
SECTION = "## Identity resolution"
KEY_FIELDS = {
    "organization": ("name", "primary_domain", "country", "city", "phone", "duns"),
    "person": ("first_name", "last_name", "email", "phone"),
}


def _connectors(server: SandboxServer) -> list[ConnectorCreate]:
    creds = server.credentials
    hs, sf, ps = creds["hubspot"], creds["salesforce"], creds["partnerstack"]
    return [
        ConnectorCreate(
            id="hubspot",
            kind="hubspot",
            config={"base_url": server.base_urls["hubspot"], "incremental_lookback_seconds": 0},
            credentials={"access_token": hs["private_app_token"]},
        ),
        ConnectorCreate(
            id="salesforce",
            kind="salesforce",
            config={
                "login_url": sf["base_url"],
                "api_version": "59.0",
                "client_id": sf["consumer_key"],
                "verify_tls": sf["cert_path"],
                "page_size": 2000,
                "incremental_lookback_seconds": 0,
                "extra_fields": {"accounts": ["DUNS__c"]},
            },
            credentials={"client_secret": sf["consumer_secret"]},
        ),
        ConnectorCreate(
            id="partnerstack",
            kind="partnerstack",
            config={"base_url": server.base_urls["partnerstack"], "public_key": ps["public_key"], "page_size": 250},
            credentials={"secret_key": ps["secret_key"]},
        ),
    ]


def world_document(server: SandboxServer) -> dict[str, Any]:
    """The served world of every system, as one fixture document (read through the admin APIs)."""
    doc: dict[str, Any] = {}
    for name, root in server.root_urls.items():
        verify: Any = server.credentials["salesforce"]["cert_path"] if name == "salesforce" else True
        admin = server.credentials[name].get("admin_token", "sandbox-admin")
        answer = httpx.get(f"{root}/_sandbox/world", headers={"X-Sandbox-Admin": admin}, verify=verify, timeout=120)
        answer.raise_for_status()
        body = answer.json()
        doc[name] = body.get(name, body)
    return doc


def sync_all(hub: Hub) -> list[dict[str, Any]]:
    """Full sync of every stream of every connector, in order; one summary row per connector."""
    rows = []
    for connector_id in CONNECTORS:
        started = time.perf_counter()
        runs = hub.runner.run_all(connector_id, mode="full")
        failed = [f"{r.stream}: {r.error}" for r in runs if r.status != "succeeded"]
        if failed:
            raise SystemExit(f"{connector_id} sync failed: {failed}")
        rows.append(
            {
                "connector": connector_id,
                "records": sum(r.outcome.seen for r in runs),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    return rows


def read_clusters(hub: Hub) -> tuple[dict[str, dict[Record, str]], dict[Record, dict[str, Any]], dict[str, Record]]:
    """(entity → record → golden id, record → fields, canonical id → record) of the synced records."""
    query = text(
        "SELECT source_system, source_object, external_id, golden_id, entity_type, fields, canonical_id "
        "FROM source_records WHERE entity_type IN ('organization','person') AND NOT deleted"
    )
    clusters: dict[str, dict[Record, str]] = {e: {} for e in ENTITIES}
    fields: dict[Record, dict[str, Any]] = {}
    by_canonical: dict[str, Record] = {}
    with hub.engine.connect() as conn:
        for system, obj, external_id, golden_id, entity, raw, canonical in conn.execute(query):
            record = (str(system), str(obj), str(external_id))
            clusters[str(entity)][record] = str(golden_id)
            fields[record] = raw if isinstance(raw, dict) else json.loads(raw)
            by_canonical[str(canonical)] = record
    return clusters, fields, by_canonical


def review_queue(hub: Hub) -> int:
    with hub.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM match_pairs WHERE state='review'")).scalar_one())


def _describe(
    record: Record, entity: str, fields: Mapping[Record, Mapping[str, Any]], by_canonical: Mapping[str, Record]
) -> str:
    values = fields.get(record, {})
    parts = [f"{k}={values[k]}" for k in KEY_FIELDS[entity] if values.get(k)]
    if entity == "person":
        employer = by_canonical.get(str(values.get("organization_id") or ""))
        if employer is not None:
            org = fields.get(employer, {})
            parts.append(f"employer={org.get('name')}/{org.get('primary_domain') or '-'}")
    return f"{record[0]}/{record[1]}/{record[2]}: " + ", ".join(parts)


def _fmt(s: PairScore) -> str:
    return f"P {s.precision:.4f}  R {s.recall:.4f}  F1 {s.f1:.4f}  (tp {s.tp}, fp {s.fp}, fn {s.fn})"


def evaluate(
    name: str,
    truth: Mapping[str, Any],
    clusters: Mapping[str, Mapping[Record, str]],
    fields: Mapping[Record, Any],
    by_canonical: Mapping[str, Record],
    examples: int,
    verbose: bool = True,
) -> dict[str, Any]:
    """Scores of one clustering; prints the per-pair table and the sample of mistakes."""
    out: dict[str, Any] = {}
    for entity in ENTITIES:
        predicted = clusters[entity]
        truth_of = truth_index(truth[entity], predicted)
        scores = score(truth_of, predicted)
        overall = scores["overall"]
        ok = overall.precision >= TARGETS["precision"] and overall.recall >= TARGETS["recall"]
        print(
            f"{name:>6} {entity:<12} {len(predicted):>6} records  {_fmt(overall)}  "
            f"{'meets' if ok else 'misses'} targets P>={TARGETS['precision']} R>={TARGETS['recall']}"
        )
        out[entity] = {"records": len(predicted), **{k: v.as_dict() for k, v in scores.items()}}
        if not verbose:
            continue
        for label, s in scores.items():
            if label != "overall":
                print(f"         {label:<26} {_fmt(s)}")
        fps, fns = mistakes(truth_of, predicted, limit=examples)
        for title, pairs in (
            ("false positives (merged, different in truth)", fps),
            ("false negatives (same in truth, kept apart)", fns),
        ):
            if pairs:
                print(f"       {title}, {len(pairs)} of {overall.fp if 'positive' in title else overall.fn} pairs:")
            for a, b in pairs:
                print(f"         - {_describe(a, entity, fields, by_canonical)}")
                print(f"           {_describe(b, entity, fields, by_canonical)}")
    return out


def run_splink(
    truth: Mapping[str, Any],
    clusters: Mapping[str, Mapping[Record, str]],
    fields: Mapping[Record, Any],
    by_canonical: Mapping[str, Record],
    examples: int,
) -> dict[str, Any]:
    version = match_splink.available()
    if version is None:
        print("splink: skipped (not installed: .venv/bin/pip install -e '.[bench]')")
        return {"skipped": "splink not installed"}
    employer = {
        canonical: match_splink.registrable(fields[record].get("primary_domain"))
        for canonical, record in by_canonical.items()
        if record in clusters["organization"]
    }
    predicted: dict[str, dict[Record, str]] = {}
    seconds: dict[str, float] = {}
    for entity in ENTITIES:
        records = {r: fields[r] for r in clusters[entity]}
        rows = (
            match_splink.org_rows(records) if entity == "organization" else match_splink.person_rows(records, employer)
        )
        predicted[entity], seconds[entity] = match_splink.dedupe(entity, records, rows)
    print(f"splink {version}: " + ", ".join(f"{e} {seconds[e]:.1f} s" for e in ENTITIES))
    result = evaluate("splink", truth, predicted, fields, by_canonical, examples, verbose=False)
    for entity in ENTITIES:
        result[entity]["seconds"] = round(seconds[entity], 1)
    result["version"] = version
    return result


def write_docs(report: Mapping[str, Any], path: Path = DOCS) -> None:
    """Replace (or append) the "Identity resolution" section of docs/benchmarks.md."""
    lines = [
        SECTION,
        "",
        "`bench/match_bench.py` (`make bench-match`) runs the sandbox with one shared world (size "
        f"{report['size']} per system, seed {report['seed']}) in HubSpot, Salesforce and PartnerStack, "
        "full-syncs the three connectors into a hub on a fresh SQLite file (HubSpot, then Salesforce, then "
        "PartnerStack) and scores the hub's clusters (`source_records.golden_id`) against the world's ground "
        "truth (`sandbox/ecosystem/truth.py`): pairwise precision, recall and F1 per entity (organisations: HubSpot "
        "companies, Salesforce accounts, PartnerStack partnerships and customers; people: HubSpot and "
        "Salesforce contacts). Targets: precision >= 0.99, recall >= 0.95.",
        "",
        "The world carries the mess of real CRMs: duplicates inside each system, legal-form, casing, typo and "
        "accent variants of names, decorated or missing domains, country names against ISO codes, national "
        "and international phone formats (US, UK, DE, FR, NL, AU, IN), nicknames, email aliases and "
        "free-mail addresses, international organisations (GmbH, SA, B.V., Pty Ltd, Pvt Ltd...), and "
        "distractors: namesake companies in other countries, near-namesakes, namesake people at other "
        "companies.",
        "",
        "```sh",
        "make bench-match                                # prints all, writes bench/results/match.json",
        "make bench-match BENCH_MATCH_ARGS=--write-docs  # and rewrites this section",
        "```",
        "",
        "| matcher | entity | records | precision | recall | F1 | TP / FP / FN pairs | time |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for matcher in ("hub", "splink"):
        result = report.get(matcher) or {}
        for entity in ENTITIES:
            row = result.get(entity)
            if not row:
                continue
            o = row["overall"]
            took = f"{row['seconds']} s" if "seconds" in row else f"sync {report['sync_seconds']} s"
            lines.append(
                f"| {matcher} | {entity} | {row['records']:,} | {o['precision']:.4f} | {o['recall']:.4f} | "
                f"{o['f1']:.4f} | {o['tp']:,} / {o['fp']:,} / {o['fn']:,} | {took} |"
            )
    if isinstance(report.get("splink"), dict) and report["splink"].get("skipped"):
        lines.append(f"\nSplink: {report['splink']['skipped']}.")
    lines += ["", f"Review queue after the syncs: {report['review_queue']} pairs.", ""]
    hub = report.get("hub") or {}
    for entity in ENTITIES:
        pairs = [(k, v) for k, v in (hub.get(entity) or {}).items() if isinstance(v, dict) and k != "overall"]
        if pairs:
            lines.append("")
            lines.append(
                f"Hub, {entity} by system pair: "
                + "; ".join(f"{k} P {v['precision']:.3f} R {v['recall']:.3f}" for k, v in pairs)
                + "."
            )
    scale = report.get("scale")
    lines.append("")
    if isinstance(scale, list):
        lines += [
            "Matcher alone (`hub.identity.engine.cluster_records`, synthetic organisations):",
            "",
            "| organisations | seconds | records/s | peak RSS |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {r['records']:,} | {r['seconds']} | {r['records_per_s']:,} | {r['peak_rss_mb']} MB |" for r in scale
        ]
        if scale and "ratio_to_first" in scale[-1]:
            lines.append(f"\n100k / 10k time ratio: {scale[-1]['ratio_to_first']} (10 = linear).")
    elif scale:
        lines.append(f"Matcher scale timing: {scale}.")
    lines.append("")
    body = "\n".join(lines)
    current = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    updated = pattern.sub(body + "\n", current) if pattern.search(current) else current.rstrip() + "\n\n" + body
    path.write_text(updated, encoding="utf-8")


def run(
    size: int = 4000,
    seed: int = 7,
    splink: bool = True,
    scale: bool = True,
    examples: int = 15,
    database_url: str | None = None,
    workdir: Path | None = None,
) -> dict[str, Any]:
    """The whole benchmark; returns the report (also printed)."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix="hub-match-bench-"))
    settings = Settings(
        database_url=database_url or f"sqlite:///{workdir / 'hub.db'}",
        data_dir=workdir,
        admin_token=SecretStr("bench-admin-token-0123456789"),
        secret_key=SecretStr(Fernet.generate_key().decode()),
        scheduler_enabled=False,
        outbound_allow="127.0.0.1,localhost,::1",  # the sandbox is on loopback (docs/security.md)
    )
    report: dict[str, Any] = {"size": size, "seed": seed}
    print(f"sandbox world: seed {seed}, size {size} per system; hub database {settings.database_url}")
    with SandboxServer(port=0, seed=seed, size=size, rate_limit=0, search_rate_limit=0) as server:
        truth = identity_truth(world_document(server))
        hub = Hub.from_settings(settings)
        try:
            for connector in _connectors(server):
                hub.store.create(connector)
            started = time.perf_counter()
            report["sync"] = sync_all(hub)
            report["sync_seconds"] = round(time.perf_counter() - started, 1)
            clusters, fields, by_canonical = read_clusters(hub)
            report["review_queue"] = review_queue(hub)
        finally:
            hub.close()
    print(
        "synced: " + ", ".join(f"{r['connector']} {r['records']} records in {r['seconds']} s" for r in report["sync"])
    )
    print(f"review queue: {report['review_queue']} pairs")
    report["hub"] = evaluate("hub", truth, clusters, fields, by_canonical, examples)
    if splink:
        report["splink"] = run_splink(truth, clusters, fields, by_canonical, examples)
    if scale:

        def show(row: dict[str, Any]) -> None:
            print(
                f"scale: {row['records']} organisations in {row['seconds']} s ({row['records_per_s']} records/s, "
                f"peak RSS {row['peak_rss_mb']} MB)",
                flush=True,
            )

        result = match_scale.time_matcher(on_row=show)
        report["scale"] = result
        if isinstance(result, str):
            print(f"scale: {result}")
        else:
            if result and "ratio_to_first" in result[-1]:
                print(f"scale: 100k/10k time ratio {result[-1]['ratio_to_first']}")
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=4000, help="records per system in the sandbox world")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--examples", type=int, default=15, help="false positives / negatives to print")
    parser.add_argument("--no-splink", action="store_true", help="skip the Splink comparison")
    parser.add_argument("--no-scale", action="store_true", help="skip timing the matcher at 10k / 100k")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--output", type=Path, default=Path("bench/results/match.json"))
    parser.add_argument("--write-docs", action="store_true", help="rewrite docs/benchmarks.md's section")
    args = parser.parse_args(argv)
    report = run(
        size=args.size,
        seed=args.seed,
        splink=not args.no_splink,
        scale=not args.no_scale,
        examples=args.examples,
        database_url=args.database_url,
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, default=str))
    if args.write_docs:
        write_docs(report)
        print(f"wrote the '{SECTION[3:]}' section of {DOCS}")


if __name__ == "__main__":
    main()
