"""Comparing two match profiles: deterministic rules first, then a Fellegi-Sunter score.

Deterministic rules (strongest first) decide a pair outright: the hub's id found in a system's
external-id slot, a cloud account id, DUNS, the registrable domain (never a free-mail domain, nor a
partner's own domain on a customer's record), a normalised e-mail for people, an external-id round
trip for opportunities and deal registrations. Strong keys that conflict (two different DUNS or hub
ids) block a merge: the pair goes to review, never to an automatic merge.

What the keys leave is scored. Each compared field falls into a level (exact, close, different,
unknown) with a match weight log2(m/u): m = P(level | same entity), u = P(level | different
entities). The weights are set by hand from the synthetic world's error rates and documented in
``docs/adr/0013-identity-resolution.md``; exact name and last-name levels use term frequencies as u,
so a common name ("Global Solutions", "Smith") weighs less than a rare one. The summed weight plus
the prior log-odds gives the match probability that the bands in ``hub.identity.config`` cut.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import JaroWinkler
from rapidfuzz.fuzz import ratio, token_set_ratio

from hub.identity.config import Bands

# The prior: about one true match per record among all N records, so log-odds log2(1/N) (N at least
# 1,000, so a tiny world is not over-confident).
MIN_PRIOR_N = 1000
_U_FLOOR = 1e-6


def _w(m: float, u: float) -> float:
    return math.log2(m / max(u, _U_FLOOR))


@dataclass
class Comparison:
    """The verdict on one pair, with the evidence that made it."""

    rule: str
    deterministic: bool
    weight: float
    probability: float
    band: str  # auto | review | none
    conflict: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "deterministic": self.deterministic,
            "weight": None if math.isinf(self.weight) else round(self.weight, 3),
            "probability": round(self.probability, 6),
            "band": self.band,
            "conflict": self.conflict,
            "evidence": self.evidence,
        }


@dataclass
class Context:
    """What a comparison needs beyond the two profiles."""

    total: int = 1  # profiles of this entity type (for term frequencies)
    frequency: Callable[[str, str], int] = lambda kind, value: 1
    employer: Mapping[str, str] = field(default_factory=dict)  # employer record id -> its golden id


def _tf_u(ctx: Context, kind: str, value: str, floor: float) -> float:
    """u of an exact agreement on ``value``: how often a random record carries it (the same N as the prior)."""
    return max(ctx.frequency(kind, value) / max(ctx.total, MIN_PRIOR_N), floor)


def _probability(weight: float, total: int) -> float:
    prior = 1.0 / max(total, MIN_PRIOR_N)
    logit = weight + math.log2(prior / (1 - prior))
    if logit > 60:
        return 1.0
    return 1.0 / (1.0 + 2.0 ** (-logit))


def _band(probability: float, bands: Bands) -> str:
    if probability >= bands.auto:
        return "auto"
    if probability >= bands.review:
        return "review"
    return "none"


def _ev(name: str, a: Any, b: Any, level: str, weight: float) -> dict[str, Any]:
    return {"field": name, "a": a, "b": b, "level": level, "weight": None if math.isinf(weight) else round(weight, 3)}


# -- organizations ---------------------------------------------------------------------------------
def _strong_conflict(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    if a.get("hub_id") and b.get("hub_id") and a["hub_id"] != b["hub_id"]:
        return "hub_id"
    if a.get("duns") and b.get("duns") and a["duns"] != b["duns"]:
        return "duns"
    return None


def _partner_vs_customer(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """A partner's own domain on a customer's record is no key (partners type their own domain)."""
    ra, rb = set(a.get("roles") or ()), set(b.get("roles") or ())
    a_partner, b_partner = "partner" in ra, "partner" in rb
    a_customer, b_customer = bool(ra & {"customer", "prospect"}), bool(rb & {"customer", "prospect"})
    return (a_partner and b_customer and not b_partner) or (b_partner and a_customer and not a_partner)


def _org_deterministic(a: dict[str, Any], b: dict[str, Any]) -> tuple[str, str] | None:
    if a.get("hub_id") and a["hub_id"] == b.get("hub_id"):
        return "hub_id", a["hub_id"]
    shared_cloud = sorted(set(a.get("cloud") or ()) & set(b.get("cloud") or ()))
    if shared_cloud:
        return "cloud_account", shared_cloud[0]
    if a.get("duns") and a["duns"] == b.get("duns") and _names_compatible(a.get("name"), b.get("name")):
        # A DUNS names one site; the same number on two differently named companies is a data error
        # (a copied field), so that pair is scored (and lands in review) instead.
        return "duns", a["duns"]
    shared = sorted(set(a.get("domains") or ()) & set(b.get("domains") or ()))
    if shared and (not _partner_vs_customer(a, b) or _names_agree(a.get("name"), b.get("name"))):
        return "domain", shared[0]
    return None


def _names_compatible(a: str | None, b: str | None) -> bool:
    """No contradiction between two names: one is unknown, or they are at least loosely alike."""
    if not a or not b or a == b:
        return True
    ta, tb = set(a.split()), set(b.split())
    return ratio(a, b) >= 80 or JaroWinkler.similarity(a, b) >= 0.92 or ta <= tb or tb <= ta


def _names_agree(a: str | None, b: str | None) -> bool:
    return bool(a and b and (a == b or token_set_ratio(a, b) >= 85))


def _name_levels(ctx: Context, a: str | None, b: str | None) -> tuple[str, float]:
    """Exact (term-frequency weighted), a typo away, one name inside the other ("Northwind" and
    "Northwind Traders"), loosely alike, or different. A shared common word ("Logistics") alone
    makes no likeness: whole-string similarity decides, token sets only when one contains the other."""
    if not a or not b:
        return "unknown", 0.0
    if a == b:
        return "exact", _w(0.70, _tf_u(ctx, "name", a, 1e-5))
    whole = ratio(a, b)
    # A letter apart is a typo as often as a near-namesake ("Acme Analytics" / "Acme Analytica"): a
    # modest weight, so the rest of the record must agree too.
    if whole >= 92 or JaroWinkler.similarity(a, b) >= 0.96:
        return "close", _w(0.15, 0.004)
    ta, tb = set(a.split()), set(b.split())
    if (ta <= tb or tb <= ta) and token_set_ratio(a, b) >= 90:
        return "contained", _w(0.08, 0.006)
    if whole >= 80:
        return "similar", _w(0.04, 0.01)
    return "different", _w(0.03, 0.96)


def _root(domain: str) -> str:
    return domain.split(".", 1)[0]


def _domain_levels(da: set[str], db: set[str]) -> tuple[str, float]:
    if not da or not db:
        return "unknown", 0.0
    if da & db:  # shared, but not a key here (a partner's domain on a customer's record)
        return "exact", _w(0.5, 0.05)
    if {_root(d) for d in da} & {_root(d) for d in db}:
        # acme.com and acme.co.uk: one company's two sites as often as two companies of one name in
        # two countries, so no evidence either way (country and city decide).
        return "same_root", 0.0
    # A near-namesake's own domain (acme-data.com against acmedata.com) counts against a match.
    return "different", _w(0.08, 0.99)


def _phone_levels(ctx: Context, a: str | None, b: str | None) -> tuple[str, float]:
    """Phones: a shared switchboard number is common, a stale one more so; exact uses term frequency."""
    if not a or not b:
        return "unknown", 0.0
    if a == b:
        return "exact", _w(0.3, _tf_u(ctx, "phone", a, 2e-4))
    return "different", _w(0.45, 0.999)


def _exact_or_differ(a: Any, b: Any, agree: tuple[float, float], differ: tuple[float, float]) -> tuple[str, float]:
    if not a or not b:
        return "unknown", 0.0
    if a == b:
        return "exact", _w(*agree)
    return "different", _w(*differ)


def compare_organizations(a: dict[str, Any], b: dict[str, Any], ctx: Context, bands: Bands) -> Comparison:
    conflict = _strong_conflict(a, b)
    rule = _org_deterministic(a, b)
    evidence: list[dict[str, Any]] = []
    if rule is not None and conflict is None:
        evidence.append(_ev(rule[0], rule[1], rule[1], "exact", math.inf))
        return Comparison(rule[0], True, math.inf, 1.0, "auto", None, evidence)
    total = 0.0
    level, weight = _name_levels(ctx, a.get("name"), b.get("name"))
    evidence.append(_ev("name", a.get("name"), b.get("name"), level, weight))
    total += weight
    da, db = set(a.get("domains") or ()), set(b.get("domains") or ())
    level, weight = _domain_levels(da, db)
    evidence.append(_ev("domain", sorted(da), sorted(db), level, weight))
    total += weight
    for name, agree, differ in (
        ("country", (0.95, 0.15), (0.03, 0.85)),
        ("city", (0.7, 0.02), (0.15, 0.98)),
    ):
        level, weight = _exact_or_differ(a.get(name), b.get(name), agree, differ)
        evidence.append(_ev(name, a.get(name), b.get(name), level, weight))
        total += weight
    level, weight = _phone_levels(ctx, a.get("phone"), b.get("phone"))
    evidence.append(_ev("phone", a.get("phone"), b.get("phone"), level, weight))
    total += weight
    if a.get("duns") and a["duns"] == b.get("duns"):  # only here when the names contradict it
        weight = _w(0.9, 0.02)
        evidence.append(_ev("duns", a["duns"], b["duns"], "exact", weight))
        total += weight
    if conflict is not None:
        evidence.append(_ev(conflict, a.get(conflict), b.get(conflict), "conflict", 0.0))
    probability = _probability(total, ctx.total)
    band = _band(probability, bands)
    if conflict is not None:
        band = "review" if band != "none" or rule is not None else "none"
    return Comparison(
        "conflict:" + conflict if conflict else "score", False, total, probability, band, conflict, evidence
    )


# -- people ----------------------------------------------------------------------------------------
def _first_levels(a: dict[str, Any], b: dict[str, Any]) -> tuple[str, float]:
    fa, fb = a.get("first"), b.get("first")
    if not fa or not fb:
        return "unknown", 0.0
    if fa == fb:
        return "exact", _w(0.85, 0.01)
    if fa in (b.get("first_keys") or ()) or fb in (a.get("first_keys") or ()):  # one hop: Bob ~ Robert
        return "nickname", _w(0.08, 0.002)
    if JaroWinkler.similarity(fa, fb) >= 0.9:
        return "close", _w(0.04, 0.01)
    if fa[0] == fb[0] and (len(fa) == 1 or len(fb) == 1):
        return "initial", _w(0.02, 0.02)
    return "different", _w(0.01, 0.96)


def _last_levels(ctx: Context, a: str | None, b: str | None) -> tuple[str, float]:
    if not a or not b:
        return "unknown", 0.0
    if a == b:
        return "exact", _w(0.9, _tf_u(ctx, "last", a, 2e-4))
    if JaroWinkler.similarity(a, b) >= 0.93:
        return "close", _w(0.06, 0.004)
    return "different", _w(0.04, 0.99)


def _employer_levels(a: dict[str, Any], b: dict[str, Any], ctx: Context) -> tuple[str, float, Any, Any]:
    ea, eb = a.get("employer"), b.get("employer")
    ga, gb = (ctx.employer.get(ea, ea) if ea else None), (ctx.employer.get(eb, eb) if eb else None)
    if ga and gb and ga == gb:
        return "same_org", _w(0.85, 0.01), ga, gb
    if a.get("email_domain") and a.get("email_domain") == b.get("email_domain"):
        return "same_email_domain", _w(0.6, 0.01), a["email_domain"], b["email_domain"]
    if a.get("company") and a.get("company") == b.get("company"):
        return "same_company_name", _w(0.5, 0.01), a["company"], b["company"]
    if ga and gb:
        return "different_org", _w(0.08, 0.99), ga, gb
    if a.get("email_domain") and b.get("email_domain"):
        return "different_email_domain", _w(0.15, 0.99), a["email_domain"], b["email_domain"]
    return "unknown", 0.0, ga, gb


def _email_levels(a: str, b: str) -> tuple[str, float]:
    """Different addresses: aliases and personal addresses are common (a mild penalty), but a
    numbered twin at one domain (jane.doe@ and jane.doe2@) is another person of the same name."""
    local_a, _, domain_a = a.partition("@")
    local_b, _, domain_b = b.partition("@")
    if domain_a == domain_b:
        stem_a, stem_b = local_a.rstrip("0123456789"), local_b.rstrip("0123456789")
        if stem_a == stem_b and local_a != local_b:
            return "numbered_twin", _w(0.01, 0.5)
    return "different", _w(0.35, 0.999)


def compare_people(a: dict[str, Any], b: dict[str, Any], ctx: Context, bands: Bands) -> Comparison:
    conflict = "hub_id" if a.get("hub_id") and b.get("hub_id") and a["hub_id"] != b["hub_id"] else None
    evidence: list[dict[str, Any]] = []
    if conflict is None:
        if a.get("hub_id") and a["hub_id"] == b.get("hub_id"):
            evidence.append(_ev("hub_id", a["hub_id"], b["hub_id"], "exact", math.inf))
            return Comparison("hub_id", True, math.inf, 1.0, "auto", None, evidence)
        if a.get("email") and a["email"] == b.get("email"):
            evidence.append(_ev("email", a["email"], b["email"], "exact", math.inf))
            return Comparison("email", True, math.inf, 1.0, "auto", None, evidence)
    total = 0.0
    level, weight = _first_levels(a, b)
    evidence.append(_ev("first_name", a.get("first"), b.get("first"), level, weight))
    total += weight
    level, weight = _last_levels(ctx, a.get("last"), b.get("last"))
    evidence.append(_ev("last_name", a.get("last"), b.get("last"), level, weight))
    total += weight
    level, weight, ga, gb = _employer_levels(a, b, ctx)
    evidence.append(_ev("employer", ga, gb, level, weight))
    total += weight
    level, weight = _phone_levels(ctx, a.get("phone"), b.get("phone"))
    evidence.append(_ev("phone", a.get("phone"), b.get("phone"), level, weight))
    total += weight
    if a.get("email") and b.get("email"):
        level, weight = _email_levels(a["email"], b["email"])
        evidence.append(_ev("email", a["email"], b["email"], level, weight))
        total += weight
    probability = _probability(total, ctx.total)
    band = _band(probability, bands)
    if conflict is not None:
        evidence.append(_ev("hub_id", a.get("hub_id"), b.get("hub_id"), "conflict", 0.0))
        band = "review" if band != "none" else "none"
    return Comparison("conflict:hub_id" if conflict else "score", False, total, probability, band, conflict, evidence)


# -- opportunities and deal registrations ----------------------------------------------------------
def compare_deals(a: dict[str, Any], b: dict[str, Any], ctx: Context, bands: Bands) -> Comparison:
    evidence: list[dict[str, Any]] = []
    if a.get("hub_id") and a["hub_id"] == b.get("hub_id"):
        evidence.append(_ev("hub_id", a["hub_id"], b["hub_id"], "exact", math.inf))
        return Comparison("hub_id", True, math.inf, 1.0, "auto", None, evidence)
    for key_a, key_b in (("external_key", "self"), ("self", "external_key"), ("external_key", "external_key")):
        if a.get(key_a) and a.get(key_a) == b.get(key_b):
            evidence.append(_ev("external_id", a[key_a], b[key_b], "round_trip", math.inf))
            return Comparison("external_id", True, math.inf, 1.0, "auto", None, evidence)
    total = 0.0
    level, weight = _name_levels(ctx, a.get("name"), b.get("name"))
    evidence.append(_ev("name", a.get("name"), b.get("name"), level, weight))
    total += weight
    for name, agree, differ in (
        ("customer", (0.9, 0.001), (0.1, 0.999)),
        ("amount", (0.6, 0.01), (0.4, 0.99)),
        ("close_date", (0.5, 0.005), (0.5, 0.995)),
    ):
        level, weight = _exact_or_differ(a.get(name), b.get(name), agree, differ)
        evidence.append(_ev(name, a.get(name), b.get(name), level, weight))
        total += weight
    probability = _probability(total, ctx.total)
    return Comparison("score", False, total, probability, _band(probability, bands), None, evidence)


COMPARERS: dict[str, Callable[[dict[str, Any], dict[str, Any], Context, Bands], Comparison]] = {
    "organization": compare_organizations,
    "person": compare_people,
    "opportunity": compare_deals,
    "deal_registration": compare_deals,
}


def compare(entity_type: str, a: dict[str, Any], b: dict[str, Any], ctx: Context, bands: Bands) -> Comparison:
    return COMPARERS[entity_type](a, b, ctx, bands)


def strong_keys(entity_type: str, p: dict[str, Any]) -> dict[str, str]:
    """The keys of a profile that must agree across a cluster (a second DUNS means another company)."""
    keys = {}
    if p.get("hub_id"):
        keys["hub_id"] = p["hub_id"]
    if entity_type == "organization" and p.get("duns"):
        keys["duns"] = p["duns"]
    return keys
