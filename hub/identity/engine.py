"""Blocking, scoring and constrained clustering, independent of the database.

The same pieces serve the write path (a page of records matched against the stored blocking index,
see :mod:`hub.identity.store`) and whole re-clustering (:func:`cluster_records`, also what the
benchmark times at 10k and 100k organisations).

Clustering takes pairwise links strongest first (deterministic rules, then by probability) and
merges clusters with three guards, so one weak link never chains unrelated records together:

* a pair or cluster a steward rejected (or unmerged) is never merged again automatically;
* a merge that would put two different strong keys (DUNS, hub id) in one cluster goes to review;
* a scored (not deterministic) link merges a record into a cluster, but never joins two clusters
  that both already hold several records: that goes to review too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hub.identity import features
from hub.identity.compare import Comparison, Context, compare, strong_keys
from hub.identity.config import MatchConfig, active


@dataclass(frozen=True)
class MatchInput:
    """A source record as the matcher sees it: its record id, where it is from, its canonical fields."""

    record_id: str
    system: str
    instance: str
    object: str
    fields: dict[str, Any]
    external_id: str = ""


@dataclass
class Link:
    """A scored pair: ``a`` is the record being matched, ``b`` the candidate it was compared with."""

    a: str
    b: str
    comparison: Comparison

    def order(self) -> tuple[int, float, str, str]:
        c = self.comparison
        return (0 if c.deterministic else 1, -c.probability, min(self.a, self.b), max(self.a, self.b))


@dataclass
class Outcome:
    link: Link
    action: str  # merged | review | same | rejected
    reason: str | None = None
    survivor: str | None = None
    moves: list[tuple[str, str, str]] = field(default_factory=list)  # (record, from golden, to golden)


class Clusterer:
    """Union of records into clusters under the guards in the module docstring."""

    def __init__(self, entity_type: str) -> None:
        self.entity_type = entity_type
        self.golden: dict[str, str] = {}
        self.members: dict[str, set[str]] = {}
        self.strong: dict[str, dict[str, set[str]]] = {}
        self.cannot: dict[str, set[str]] = {}

    def add(self, record_id: str, golden_id: str, strong: Mapping[str, str]) -> None:
        self.golden[record_id] = golden_id
        self.members.setdefault(golden_id, set()).add(record_id)
        keys = self.strong.setdefault(golden_id, {})
        for kind, value in strong.items():
            keys.setdefault(kind, set()).add(value)

    def cannot_link(self, a: str, b: str) -> None:
        self.cannot.setdefault(a, set()).add(b)
        self.cannot.setdefault(b, set()).add(a)

    def _rejected_between(self, ga: str, gb: str) -> bool:
        small, other = sorted((ga, gb), key=lambda g: len(self.members[g]))
        members = self.members[other]
        return any(self.cannot.get(r, set()) & members for r in self.members[small])

    def _conflict(self, ga: str, gb: str) -> str | None:
        ka, kb = self.strong.get(ga, {}), self.strong.get(gb, {})
        for kind in sorted(ka.keys() & kb.keys()):
            if ka[kind] != kb[kind]:
                return kind
        return None

    def link(self, link: Link, *, force: bool = False) -> Outcome:
        ga, gb = self.golden[link.a], self.golden[link.b]
        if ga == gb:
            return Outcome(link, "same", survivor=ga)
        if not force:
            if link.b in self.cannot.get(link.a, set()):
                return Outcome(link, "rejected", "a steward said these records differ")
            if self._rejected_between(ga, gb):
                return Outcome(link, "review", "a steward separated these clusters")
            conflict = self._conflict(ga, gb)
            if conflict is not None:
                return Outcome(link, "review", f"the clusters hold different {conflict} values")
            if not link.comparison.deterministic and len(self.members[ga]) > 1 and len(self.members[gb]) > 1:
                return Outcome(link, "review", "one scored link would join two clusters")
        # The larger cluster survives; on a tie the candidate's (it was there first).
        survivor, loser = (ga, gb) if len(self.members[ga]) > len(self.members[gb]) else (gb, ga)
        moves = [(record, loser, survivor) for record in sorted(self.members[loser])]
        self.apply(moves)
        return Outcome(link, "merged", survivor=survivor, moves=moves)

    def apply(self, moves: Iterable[tuple[str, str, str]]) -> None:
        """Move records between clusters (a merge, or an unmerge replayed)."""
        for record, source, target in moves:
            self.members.get(source, set()).discard(record)
            self.members.setdefault(target, set()).add(record)
            self.golden[record] = target
            if source in self.strong:
                keys = self.strong.setdefault(target, {})
                for kind, values in self.strong[source].items():
                    keys.setdefault(kind, set()).update(values)
            if not self.members.get(source):
                self.members.pop(source, None)
                self.strong.pop(source, None)


def resolve(clusterer: Clusterer, links: Sequence[Link]) -> list[Outcome]:
    """Apply auto-band links strongest first; review-band links (and blocked merges) go to review."""
    outcomes: list[Outcome] = []
    for link in sorted(links, key=Link.order):
        band = link.comparison.band
        if band == "auto":
            outcome = clusterer.link(link)
        elif band == "review":
            ga, gb = clusterer.golden[link.a], clusterer.golden[link.b]
            if ga == gb:
                outcome = Outcome(link, "same", survivor=ga)
            elif link.b in clusterer.cannot.get(link.a, set()):
                outcome = Outcome(link, "rejected", "a steward said these records differ")
            else:
                outcome = Outcome(link, "review", link.comparison.conflict and f"different {link.comparison.conflict}")
        else:
            continue
        outcomes.append(outcome)
    return outcomes


class BlockingIndex:
    """In-memory blocking index over profiles (whole re-clustering and the benchmark)."""

    def __init__(self, entity_type: str, config: MatchConfig) -> None:
        self.entity_type = entity_type
        self.config = config
        self.index: dict[tuple[str, str], list[str]] = {}
        self.keys: dict[str, list[tuple[str, str]]] = {}

    def add(self, record_id: str, profile: dict[str, Any]) -> None:
        keys = features.blocking_keys(self.entity_type, profile)
        self.keys[record_id] = keys
        for key in keys:
            self.index.setdefault(key, []).append(record_id)

    def frequency(self, kind: str, value: str) -> int:
        return len(self.index.get((kind, value), ()))

    def candidates(self, record_id: str) -> set[str]:
        return candidate_ids(
            self.keys[record_id], self.frequency, lambda key: self.index.get(key, ()), self.config, record_id
        )


def usable_keys(
    keys: Sequence[tuple[str, str]], frequency: Callable[[str, str], int], config: MatchConfig
) -> list[tuple[str, str]]:
    """The keys that form candidate pairs: identifiers always, other keys under the cap, and of the
    name words only the rarest."""
    tokens = sorted((frequency(k, v), v) for k, v in keys if k == "tok")
    rare_tokens = {v for _, v in tokens[: config.block_tokens]}
    out = []
    for kind, value in keys:
        if kind in features.TF_ONLY or (kind == "tok" and value not in rare_tokens):
            continue
        if kind not in features.IDENTIFIERS and frequency(kind, value) > config.block_cap:
            continue
        out.append((kind, value))
    return out


def candidate_ids(
    keys: Sequence[tuple[str, str]],
    frequency: Callable[[str, str], int],
    members: Callable[[tuple[str, str]], Iterable[str]],
    config: MatchConfig,
    exclude: str | None = None,
) -> set[str]:
    """Records sharing a usable blocking key: every one sharing an identifier, and of the rest the
    ``max_candidates`` that share the most keys (a shared rare key counts more than a common one)."""
    strong: set[str] = set()
    score: dict[str, float] = {}
    for key in usable_keys(keys, frequency, config):
        if key[0] in features.IDENTIFIERS:
            strong.update(members(key))
            continue
        weight = 1.0 / max(frequency(*key), 1)
        for member in members(key):
            score[member] = score.get(member, 0.0) + 1.0 + weight
    if exclude is not None:
        strong.discard(exclude)
        score.pop(exclude, None)
    ranked = sorted(score, key=lambda m: (-score[m], m))[: config.max_candidates]
    return strong | set(ranked)


def cluster_records(
    entity_type: str,
    records: Sequence[MatchInput],
    config: MatchConfig | None = None,
    *,
    employer: Mapping[str, str] | None = None,
    rejected: Iterable[tuple[str, str]] = (),
    accepted: Iterable[tuple[str, str]] = (),
) -> dict[str, str]:
    """Cluster ``records`` from scratch: record id -> cluster id (the id of a member record)."""
    clusterer, _outcomes = cluster_with_outcomes(
        entity_type, records, config, employer=employer, rejected=rejected, accepted=accepted
    )
    return dict(clusterer.golden)


def cluster_with_outcomes(
    entity_type: str,
    records: Sequence[MatchInput],
    config: MatchConfig | None = None,
    *,
    employer: Mapping[str, str] | None = None,
    rejected: Iterable[tuple[str, str]] = (),
    accepted: Iterable[tuple[str, str]] = (),
) -> tuple[Clusterer, list[Outcome]]:
    config = config or active()
    bands = config.bands(entity_type)
    index = BlockingIndex(entity_type, config)
    profiles: dict[str, dict[str, Any]] = {}
    clusterer = Clusterer(entity_type)
    for record in records:
        p = features.profile(entity_type, record.fields, record.external_id) or {}
        profiles[record.record_id] = p
        index.add(record.record_id, p)
        clusterer.add(record.record_id, record.record_id, strong_keys(entity_type, p))
    for a, b in rejected:
        if a in clusterer.golden and b in clusterer.golden:
            clusterer.cannot_link(a, b)
    ctx = Context(total=len(records), frequency=index.frequency, employer=employer or {})
    position = {record.record_id: i for i, record in enumerate(records)}
    links: list[Link] = []
    seen: set[tuple[str, str]] = set()
    for record in records:
        for other in index.candidates(record.record_id):
            # each pair once, the later record first (the earlier one's cluster survives a tie)
            a, b = sorted((record.record_id, other), key=lambda r: -position[r])
            if (a, b) in seen:
                continue
            seen.add((a, b))
            comparison = compare(entity_type, profiles[a], profiles[b], ctx, bands)
            if comparison.band != "none":
                links.append(Link(a, b, comparison))
    outcomes: list[Outcome] = []
    for a, b in accepted:
        if a in clusterer.golden and b in clusterer.golden:
            forced = Comparison("steward", True, float("inf"), 1.0, "auto")
            outcomes.append(clusterer.link(Link(a, b, forced), force=True))
    outcomes += resolve(clusterer, links)
    return clusterer, outcomes
