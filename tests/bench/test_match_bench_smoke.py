"""The identity-resolution benchmark end to end on a tiny world: sandbox, three full syncs, scores, docs."""

from __future__ import annotations

from pathlib import Path

from bench import match_bench, match_splink
from bench.match_metrics import mistakes, score, truth_index


def test_pair_scores_count_per_system_pair() -> None:
    a, b, c, d = (
        ("hubspot", "companies", "1"),
        ("salesforce", "accounts", "2"),
        ("hubspot", "companies", "3"),
        ("partnerstack", "customers", "4"),
    )
    truth = [frozenset({a, b, c}), frozenset({d})]
    predicted = {a: "x", b: "x", c: "y", d: "y"}
    truth_of = truth_index(truth, predicted)
    scores = score(truth_of, predicted)
    assert (scores["overall"].tp, scores["overall"].fp, scores["overall"].fn) == (1, 1, 2)
    assert scores["hubspot-salesforce"].tp == 1 and scores["hubspot-salesforce"].fn == 1
    assert scores["within hubspot"].fn == 1 and scores["hubspot-partnerstack"].fp == 1
    fps, fns = mistakes(truth_of, predicted)
    assert fps == [(c, d)] and len(fns) == 1


def test_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    report = match_bench.run(size=300, splink=False, scale=False, examples=3, workdir=tmp_path)
    assert [r["connector"] for r in report["sync"]] == ["hubspot", "salesforce", "partnerstack"]
    for entity in ("organization", "person"):
        overall = report["hub"][entity]["overall"]
        assert report["hub"][entity]["records"] > 100
        assert overall["tp"] + overall["fn"] > 0  # the world has same-entity pairs to find
        assert 0.0 <= overall["precision"] <= 1.0 and 0.0 <= overall["recall"] <= 1.0
    assert "hubspot-salesforce" in report["hub"]["organization"]
    assert report["review_queue"] >= 0
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\n## Sync\n\ntext\n\n## Identity resolution\n\nold\n\n## Later\n\nkept\n")
    match_bench.write_docs(report, docs)
    match_bench.write_docs(report, docs)  # idempotent: the section is replaced, not appended
    written = docs.read_text()
    assert written.count("## Identity resolution") == 1 and "\nold\n" not in written
    assert "## Later\n\nkept" in written and "| hub | organization |" in written


def test_splink_standardisation() -> None:
    assert match_splink.std_name("Müller Logistik GmbH & Co. KG") == "muller logistik"
    assert match_splink.std_name("ACME, Inc.") == "acme"
    assert match_splink.registrable("shop.acme.co.uk") == "acme.co.uk"
