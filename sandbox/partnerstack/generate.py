"""Deterministic synthetic PartnerStack program: groups, partnerships, customers (then deals, money).

``generate_world(seed, size, ecosystem=None)`` splits ``size`` records ~10 % partnerships, 30 %
customers, 25 % deals, 20 % transactions and 15 % rewards; the same arguments always give
byte-identical JSON (``random.Random``, timestamps in the three years before 2026-01-01, never the
wall clock).  With ``ecosystem`` (a :class:`sandbox.ecosystem.Ecosystem`, or a fixture section or
document holding its records) ~85 % of the ecosystem's partner organisations become partnerships,
referred customers are its customer organisations and people, and ~half of the deal registrations
mirror its deals that have a sourcing partner (``external_key`` = the deal's record id, which HubSpot
keeps, on some of them); ``entities`` then uses the ecosystem's ids.

Groups (fixed): *Resellers* (deal stages Registered, Approved, Negotiation, Closed Won, Closed
Lost, Rejected), *Referral partners* (the default group; Registered, Approved, Closed Won, Closed
Lost) and *Technology partners* (deals disabled).  Every group has tiers Registered, Silver, Gold,
Platinum.  The test partner ``gstest`` always exists (its customers are ``test: true``).

Realistic mess, recorded in ``discrepancies``: company names typed in upper/lower case (~8 %),
websites typed messily (~12 %) or missing (~10 % of organisations; always for individuals),
partner emails with capitals or spaces (~5 %), tiers that are stale compared with HubSpot (~15 %
of linked partners), ~15 % individual referral partners on free-mail addresses, ~4 % partner
organisations with two partnerships, the same customer organisation referred by two partners,
deal account names spelt differently from the CRM.  Deliberately invalid records are listed in
``defects`` (see :mod:`sandbox.partnerstack.generate_deals`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from sandbox.ecosystem import Ecosystem
from sandbox.kit import fakedata as fd
from sandbox.kit.clock import DAY_MS, FIXED_EPOCH_MS, iso_from_ms
from sandbox.kit.perf import paused_gc
from sandbox.partnerstack.directory import (
    SPAN_MS,
    TIERS,
    Directory,
    Org,
    Person,
    directory_from_ecosystem,
    person_at,
    slug,
    synthetic_directory,
)
from sandbox.partnerstack.generate_deals import add_deals, add_defects, add_money
from sandbox.partnerstack.objects import JsonDict, KeyMaker, find_tier, group_ref, make_field
from sandbox.partnerstack.world import PartnerStackWorld

GROUP_SPECS: tuple[tuple[str, str, bool, bool, tuple[str, ...]], ...] = (
    (
        "Resellers",
        "resellers",
        False,
        True,
        ("Registered", "Approved", "Negotiation", "Closed Won", "Closed Lost", "Rejected"),
    ),
    ("Referral partners", "referral-partners", True, True, ("Registered", "Approved", "Closed Won", "Closed Lost")),
    ("Technology partners", "technology-partners", False, False, ()),
)
GROUP_OF_TYPE = {"reseller": "resellers", "MSP": "resellers", "SI": "resellers", "referral": "referral-partners"}
MANAGERS: tuple[JsonDict, ...] = (
    {"email": "olivia.chen@sandbox-vendor.example", "name": "Olivia Chen"},
    {"email": "marcus.webb@sandbox-vendor.example", "name": "Marcus Webb"},
    {"email": "ines.garcia@sandbox-vendor.example", "name": "Ines Garcia"},
    {"email": "tom.becker@sandbox-vendor.example", "name": "Tom Becker"},
)
TAGS = ("emea", "north-america", "apac", "priority", "onboarding", "co-marketing", "certified")
FREE_MAIL = ("gmail.com", "outlook.com", "yahoo.com", "proton.me")
NAMESAKE_SHARE = 0.08  # PartnerStack-only customers named like a HubSpot organisation (another company)
TEST_PARTNER_KEY = "gstest"
PROVIDER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"


def split_size(size: int) -> tuple[int, int, int, int, int]:
    """Numbers of (partnerships, customers, deals, transactions, rewards) for ``size`` records."""
    n_part = max(2, round(size * 0.10))
    n_cust, n_deal, n_tran = round(size * 0.30), round(size * 0.25), round(size * 0.20)
    return n_part, n_cust, n_deal, n_tran, max(0, size - n_part - n_cust - n_deal - n_tran)


@dataclass
class Gen:
    """Generation context shared by the steps."""

    rng: random.Random
    keys: KeyMaker
    world: PartnerStackWorld
    groups: dict[str, JsonDict] = field(default_factory=dict)
    orgs: dict[str, Org] = field(default_factory=dict)  # partnership / customer key -> org
    used_emails: set[str] = field(default_factory=set)

    def created(self, earliest: int = 0) -> int:
        """A creation time after ``earliest`` within the three years before the epoch."""
        start = max(earliest + DAY_MS // 24, FIXED_EPOCH_MS - SPAN_MS)
        return self.rng.randrange(start, max(start + 1, FIXED_EPOCH_MS - DAY_MS))

    def updated(self, created: int) -> int:
        """A last-update time between ``created`` and the epoch, skewed towards ``created``."""
        return created + int((FIXED_EPOCH_MS - created) * self.rng.random() ** 2)

    def note(self, object_type: str, key: str, field_name: str, value: Any, kind: str, expected: Any) -> None:
        """Record a discrepancy: ``value`` is what the record says, ``expected`` the organisation's truth."""
        row = {"object": object_type, "key": key, "field": field_name, "value": value, "kind": kind}
        self.world.discrepancies.append({**row, "expected": expected})

    def entity(self, entity: str, key: str) -> None:
        """Ground truth: ``key`` belongs to organisation ``entity``."""
        self.world.entities.setdefault(entity, []).append(key)


def generate_world(
    seed: int = 7, size: int = 1000, ecosystem: Ecosystem | Mapping[str, Any] | None = None
) -> PartnerStackWorld:
    """Generate a deterministic PartnerStack world (see the module docstring)."""
    with paused_gc():
        rng = random.Random(f"partnerstack:{seed}:{size}")
        n_part, n_cust, n_deal, n_tran, n_rew = split_size(size)
        world = PartnerStackWorld(
            meta={
                "seed": seed,
                "size": size,
                "epoch": iso_from_ms(FIXED_EPOCH_MS),
                "linked_to": "hubspot" if ecosystem is not None else None,
                "managers": [dict(m) for m in MANAGERS],
            }
        )
        g = Gen(rng, KeyMaker(rng), world)
        directory = _directory(g, None if ecosystem is None else Ecosystem.coerce(ecosystem), n_part, n_cust)
        _groups(g)
        _partnerships(g, directory, n_part)
        _customers(g, directory, n_cust)
        add_deals(g, directory, n_deal)
        add_defects(g, size)
        add_money(g, n_tran, n_rew)
        for name in ("partnerships", "customers", "deals", "transactions", "rewards"):
            world.table(name).sort(key=lambda r: (r["created_at"], r["key"]))
        return world


def _directory(g: Gen, ecosystem: Ecosystem | None, n_part: int, n_cust: int) -> Directory:
    need_partners, need_customers = n_part, max(1, round(n_cust * 0.9))
    if ecosystem is None:
        return synthetic_directory(g.rng, need_partners, need_customers)
    linked = directory_from_ecosystem(ecosystem.section())
    partners = [o for o in linked.partners if g.rng.random() < 0.85][:need_partners]
    by_entity = {o.entity: o for o in linked.customers}
    first = list(dict.fromkeys(h.account_entity for h in linked.deals if h.account_entity in by_entity))
    seen = set(first)
    rest = [o for o in linked.customers if o.entity not in seen]
    g.rng.shuffle(rest)
    customers = ([by_entity[e] for e in first] + rest)[:need_customers]
    taken = {o.name.lower().rsplit(" ", 1)[0] for o in linked.partners + linked.customers}
    taken |= {o.name.lower() for o in linked.partners + linked.customers}
    extra = synthetic_directory(
        g.rng, max(0, need_partners - len(partners)), max(0, need_customers - len(customers)), taken=taken
    )
    domains = {o.domain for o in linked.partners + linked.customers + extra.partners + extra.customers}
    everyone = linked.partners + linked.customers
    for org in extra.customers:  # other companies bearing a HubSpot organisation's name
        if everyone and g.rng.random() < NAMESAKE_SHARE:
            _namesake(g, org, g.rng.choice(everyone), domains)
    return Directory(partners + extra.partners, customers + extra.customers, linked.deals, "hubspot")


def _namesake(g: Gen, org: Org, other: Org, domains: set[str]) -> None:
    base, form = fd.split_legal(other.name)
    code = g.rng.choice([c[1] for c in fd.COUNTRIES if c[1] != other.country])
    legal = next((f for f in (fd.legal_form(g.rng, code), *fd.LEGAL_FORMS[code]) if f.lower() != form.lower()), "")
    org.name, org.country = f"{base} {legal}".strip(), code
    org.domain = fd.namesake_domain(base, code, domains)
    org.people = [person_at(g.rng, org.domain, g.used_emails)]
    g.world.distractors.append({"kind": "namesake", "entity": org.entity, "of": other.entity})


def _groups(g: Gen) -> None:
    created = FIXED_EPOCH_MS - SPAN_MS - 30 * DAY_MS
    for n, (name, group_slug, default, deals, stages) in enumerate(GROUP_SPECS):
        group = {
            "key": g.keys.new("groups"),
            "created_at": created + n * DAY_MS,
            "updated_at": created + n * DAY_MS,
            "name": name,
            "slug": group_slug,
            "archived": False,
            "default": default,
            "features": {"deals": deals, "leads": deals, "rewards": True},
            "deal_stages": list(stages),
            "tiers": [{"key": g.keys.new("tiers"), "name": t} for t in TIERS],
            "mold_key": g.keys.new("molds") if deals else None,
        }
        g.world.groups.append(group)
        g.groups[group_slug] = group


def _partnerships(g: Gen, directory: Directory, n: int) -> None:
    rng = g.rng
    test = Org("ps-test-partner", "PartnerStack Test Partner", "", "US", True, "Registered", "referral")
    test.people = [Person("Test", "Partner", "gstest@sandbox-vendor.example")]
    _partnership(g, test, test.people[0], "referral-partners", TEST_PARTNER_KEY, FIXED_EPOCH_MS - SPAN_MS)
    n_individual = round((n - 1) * 0.15)
    n_org = n - 1 - n_individual
    n_dup = round(n_org * 0.04)
    orgs = directory.partners[: max(0, n_org - n_dup)]
    seats: list[Org | None] = [*orgs, *(rng.choice(orgs) for _ in range(n_dup if orgs else 0))]
    seats += [None] * (n - 1 - len(seats))
    for org in seats:
        created = g.created()
        if org is None:
            person = person_at(rng, rng.choice(FREE_MAIL), g.used_emails)
            org = Org(f"ps-person-{slug(person.email)}", f"{person.first} {person.last}", "", "US", True, None)
            org.people = [person]
            group_slug = "referral-partners"
        else:
            person = _person(g, org)
            group_slug = GROUP_OF_TYPE.get(org.partner_type or "", "technology-partners")
            if org.partner_type is None:
                group_slug = rng.choice(("resellers", "referral-partners"))
        _partnership(g, org, person, group_slug, None, created)


def _person(g: Gen, org: Org) -> Person:
    free = [p for p in org.people if p.email not in g.used_emails]
    if free:
        person = g.rng.choice(free)
        g.used_emails.add(person.email)
        return person
    return person_at(g.rng, org.domain or g.rng.choice(FREE_MAIL), g.used_emails)


def _partner_key(g: Gen, org: Org, person: Person) -> str:
    words = org.name.split(",")[0].split()
    if len(words) > 1 and words[-1] in fd.LEGAL_SUFFIXES:
        words = words[:-1]
    base = slug(" ".join(words))[:24] if org.domain else slug(f"{person.first}{person.last}")[:16]
    base = base or "partner"
    key, n = base, 2
    while key in g.keys.used:
        key, n = f"{base}{n}", n + 1
    g.keys.used.add(key)
    return key


def _partnership(g: Gen, org: Org, person: Person, group_slug: str, partner_key: str | None, created: int) -> None:
    rng, group = g.rng, g.groups[group_slug]
    key = g.keys.new("partnerships")
    individual = not org.domain
    email = person.email
    if rng.random() < 0.05 and partner_key is None:
        email = fd.email_variant(rng, email)
        g.note("partnerships", key, "email", email, "email_format", expected=person.email)
    tier_name = org.tier or rng.choices(TIERS, (55, 25, 15, 5))[0]
    if org.tier and rng.random() < 0.15 and partner_key is None:
        stale = TIERS[max(0, TIERS.index(org.tier) - 1)] if org.tier != TIERS[0] else TIERS[1]
        g.note("partnerships", key, "tier", stale, "stale_tier", expected=org.tier)
        tier_name = stale
    company = org.name
    roll = rng.random()
    if not individual and roll < 0.08:
        company = company.upper() if rng.random() < 0.5 else company.lower()
        g.note("partnerships", key, "company_name", company, "name_casing", expected=org.name)
    elif not individual and roll < 0.18:
        company = fd.name_variant(rng, org.name)
        if company != org.name:
            g.note("partnerships", key, "company_name", company, "name_variant", expected=org.name)
    fields = [make_field("company_name", company)] if not individual else []
    if org.domain and rng.random() < 0.90:
        website = rng.choice((f"https://{org.domain}", org.domain, f"https://www.{org.domain}"))
        if rng.random() < 0.12:
            website = fd.domain_variant(rng, org.domain)
            g.note("partnerships", key, "website", website, "messy_website", expected=org.domain)
        fields.append(make_field("website", website))
    elif org.domain:
        g.note("partnerships", key, "website", None, "missing_website", expected=org.domain)
    fields.append(make_field("country", org.country))
    if org.partner_type:
        fields.append(make_field("partner_type", org.partner_type))
    joined = created + rng.randrange(0, 14 * DAY_MS) if rng.random() < 0.95 or partner_key else None
    manager = dict(rng.choice(MANAGERS)) if rng.random() < 0.7 else None
    record: JsonDict = {
        "key": key,
        "created_at": created,
        "updated_at": g.updated(created),
        "email": email,
        "first_name": person.first,
        "last_name": person.last,
        "partner_key": partner_key or _partner_key(g, org, person),
        "group": group_ref(group),
        "tier": find_tier(group, name=tier_name),
        "team": {"key": g.keys.new("teams"), "name": company if not individual else f"{person.first} {person.last}"},
        "manager": manager,
        "tags": sorted(rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2, 3)))) if partner_key is None else ["test"],
        "fields": fields,
        "joined_at": joined,
        "archived": partner_key is None and rng.random() < 0.04,
        "meta": {},
    }
    g.world.partnerships.append(record)
    g.orgs[key] = org
    g.entity(org.entity, key)


def _customers(g: Gen, directory: Directory, n: int) -> None:
    rng = g.rng
    partners = [p for p in g.world.partnerships if p["partner_key"] != TEST_PARTNER_KEY]
    test = next(p for p in g.world.partnerships if p["partner_key"] == TEST_PARTNER_KEY)
    weights = list(accumulate(1 if p["group"]["slug"] == "technology-partners" else 3 for p in partners))
    pool = list(directory.customers)
    for i in range(n):
        org = pool[i] if i < len(pool) else rng.choice(pool)
        partnership = test if rng.random() < 0.03 else rng.choices(partners, cum_weights=weights)[0]
        key = g.keys.new("customers")
        person = _person(g, org)
        email = person.email
        if rng.random() < 0.04:
            email = fd.email_variant(rng, email)
            g.note("customers", key, "email", email, "email_format", expected=person.email)
        created = g.created(partnership["joined_at"] or partnership["created_at"])
        name = org.name
        roll = rng.random()
        if roll < 0.3 and email.strip().lower().rpartition("@")[2] not in fd.FREE_MAIL_DOMAINS:
            name = f"{person.first} {person.last}"  # the referred person, not the company
        elif roll < 0.45:
            name = fd.legal_variant(rng, org.name) if rng.random() < 0.7 else fd.name_variant(rng, org.name)
            if name != org.name:
                g.note("customers", key, "name", name, "name_variant", expected=org.name)
        source = rng.choices(("API", "LINK", "FORM"), (50, 35, 15))[0]
        provider = "cus_" + "".join(rng.choice(PROVIDER_ALPHABET) for _ in range(14)) if rng.random() < 0.6 else None
        source_key = None if source == "API" else f"{source.lower()}_{rng.randrange(16**10):010x}"
        record: JsonDict = {
            "key": key,
            "created_at": created,
            "updated_at": g.updated(created),
            "customer_key": _account_id(g) if rng.random() < 0.8 else None,
            "email": email,
            "name": name,
            "partner_key": partnership["partner_key"],
            "partnership_key": partnership["key"],
            "provider_key": provider,
            "meta": {"plan": rng.choice(("starter", "pro", "enterprise"))},
            "fields": [],
            "source_key": source_key,
            "source_type": source,
            "test": partnership["partner_key"] == TEST_PARTNER_KEY,
        }
        g.world.customers.append(record)
        g.orgs[key] = org
        g.entity(org.entity, key)


def _account_id(g: Gen) -> str:
    """A unique external customer id as the vendor's app would send it (``acct-004213``)."""
    while True:
        value = f"acct-{g.rng.randrange(10**6):06d}"
        if value not in g.keys.used:
            g.keys.used.add(value)
            return value
