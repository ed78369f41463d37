"""Pairwise precision / recall of a clustering against ground-truth clusters, per system pair.

A pair is two records of one entity.  True positives are pairs in the same predicted cluster and
the same true cluster; counted from cluster sizes (never by listing pairs), so a matcher that
glues everything together costs no more to score than a perfect one.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Record = tuple[str, str, str]  # (system, object, external id)
SYSTEMS = ("hubspot", "salesforce", "partnerstack")


@dataclass
class PairScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def pair_label(a: str, b: str) -> str:
    """``hubspot-salesforce``; ``within hubspot`` for two records of one system."""
    if a == b:
        return f"within {a}"
    x, y = sorted((a, b), key=lambda s: SYSTEMS.index(s) if s in SYSTEMS else len(SYSTEMS))
    return f"{x}-{y}"


def _pairs_by_label(groups: Iterable[Iterable[Record]]) -> Counter[str]:
    out: Counter[str] = Counter()
    for group in groups:
        per_system = Counter(r[0] for r in group)
        systems = sorted(per_system)
        for i, a in enumerate(systems):
            out[pair_label(a, a)] += per_system[a] * (per_system[a] - 1) // 2
            for b in systems[i + 1 :]:
                out[pair_label(a, b)] += per_system[a] * per_system[b]
    return out


def truth_index(truth: Iterable[frozenset[Record]], records: Iterable[Record]) -> dict[Record, int]:
    """Record → true cluster number, for ``records`` only (a record the truth lacks is its own cluster)."""
    wanted = set(records)
    index: dict[Record, int] = {}
    n = 0
    for n, cluster in enumerate(truth):
        for record in cluster:
            if record in wanted:
                index[record] = n
    for record in sorted(wanted - index.keys()):
        n += 1
        index[record] = n
    return index


def score(truth_of: Mapping[Record, int], predicted: Mapping[Record, str]) -> dict[str, PairScore]:
    """``{"overall": ..., "hubspot-salesforce": ..., "within hubspot": ...}`` over ``predicted``'s records."""
    by_truth: dict[int, list[Record]] = defaultdict(list)
    by_pred: dict[str, list[Record]] = defaultdict(list)
    by_both: dict[tuple[int, str], list[Record]] = defaultdict(list)
    for record, cluster in predicted.items():
        t = truth_of[record]
        by_truth[t].append(record)
        by_pred[cluster].append(record)
        by_both[(t, cluster)].append(record)
    true_pairs = _pairs_by_label(by_truth.values())
    pred_pairs = _pairs_by_label(by_pred.values())
    both = _pairs_by_label(by_both.values())
    out: dict[str, PairScore] = {"overall": PairScore()}
    for label in sorted(set(true_pairs) | set(pred_pairs)):
        tp = both[label]
        s = PairScore(tp=tp, fp=pred_pairs[label] - tp, fn=true_pairs[label] - tp)
        if s.tp or s.fp or s.fn:
            out[label] = s
        out["overall"].tp += s.tp
        out["overall"].fp += s.fp
        out["overall"].fn += s.fn
    return out


def mistakes(
    truth_of: Mapping[Record, int], predicted: Mapping[Record, str], limit: int = 15, seed: int = 0
) -> tuple[list[tuple[Record, Record]], list[tuple[Record, Record]]]:
    """A deterministic sample of false-positive and false-negative pairs (one pair per cluster split)."""
    by_pred: dict[str, dict[int, list[Record]]] = defaultdict(lambda: defaultdict(list))
    by_truth: dict[int, dict[str, list[Record]]] = defaultdict(lambda: defaultdict(list))
    for record, cluster in sorted(predicted.items()):
        by_pred[cluster][truth_of[record]].append(record)
        by_truth[truth_of[record]][cluster].append(record)
    fps = [_two(parts) for parts in by_pred.values() if len(parts) > 1]
    fns = [_two(parts) for parts in by_truth.values() if len(parts) > 1]
    rng = random.Random(seed)
    return _sample(rng, fps, limit), _sample(rng, fns, limit)


def _two(parts: Mapping[Any, list[Record]]) -> tuple[Record, Record]:
    groups = sorted(parts.values())
    return groups[0][0], groups[1][0]


def _sample(rng: random.Random, pairs: list[tuple[Record, Record]], limit: int) -> list[tuple[Record, Record]]:
    pairs.sort()
    return sorted(rng.sample(pairs, limit)) if len(pairs) > limit else pairs
