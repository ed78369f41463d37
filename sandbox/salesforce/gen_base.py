"""Fixed records of the synthetic org (users, record types, channel programs) and the organisations.

Ids of the fixed records are constants, so configuration (the integration user) and tests can
refer to them.  Everything random draws from the ``random.Random`` passed in.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

from sandbox.ecosystem.directory import Organisation
from sandbox.kit import fakedata as fd
from sandbox.kit.clock import DAY_MS, FIXED_EPOCH_MS
from sandbox.salesforce.ids import IdAllocator, make_id
from sandbox.salesforce.objects import INDUSTRIES
from sandbox.salesforce.values import format_datetime, parse_datetime

JsonDict = dict[str, Any]
SPAN_MS = 3 * 365 * DAY_MS
ORG_CREATED_MS = FIXED_EPOCH_MS - SPAN_MS - 30 * DAY_MS
ORGANIZATION_ID = make_id("00D", IdAllocator.FIRST)


def fixed_id(prefix: str, n: int) -> str:
    """The ``n``-th fixed id of a prefix."""
    return make_id(prefix, IdAllocator.FIRST + n)


INTEGRATION_USER_ID = fixed_id("005", 0)
USERS = (  # first, last, title, user type
    ("Integration", "User", "API Integration", "Standard"),
    ("Dana", "Whitfield", "Account Executive", "Standard"),
    ("Marcus", "Oyelaran", "Account Executive", "Standard"),
    ("Ingrid", "Solberg", "Sales Director", "Standard"),
    ("Tomas", "Reyes", "Channel Account Manager", "Standard"),
    ("Aiko", "Mori", "Partner Success Manager", "Standard"),
    ("Paul", "Brennan", "Partner Sales Rep", "PowerPartner"),
)
SALES_REPS = tuple(fixed_id("005", i) for i in (1, 2, 3))
CHANNEL_MANAGERS = tuple(fixed_id("005", i) for i in (4, 5))
RT_LEAD_STANDARD = fixed_id("012", 0)
RT_DEAL_REGISTRATION = fixed_id("012", 1)
RT_OPPORTUNITY_STANDARD = fixed_id("012", 2)
PROGRAMS = (  # name, category, levels (rank order)
    ("Reseller Program", "Reseller", ("Registered", "Silver", "Gold", "Platinum")),
    ("Referral Program", "Referral", ("Member", "Preferred")),
)
CURRENCY_BY_COUNTRY = {"US": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "NL": "EUR", "CA": "CAD", "AU": "AUD"}


def stamp(ms: int) -> str:
    """A datetime value as the API returns it."""
    return format_datetime(ms)


def system(created: int, modified: int | None = None, modstamp: int | None = None) -> JsonDict:
    """System fields for a record created at ``created``."""
    modified = created if modified is None else modified
    return {
        "CreatedDate": stamp(created),
        "CreatedById": INTEGRATION_USER_ID,
        "LastModifiedDate": stamp(modified),
        "LastModifiedById": INTEGRATION_USER_ID,
        "SystemModstamp": stamp(modstamp if modstamp is not None else modified),
    }


def fixed_records() -> dict[str, list[JsonDict]]:
    """Users, record types, channel programs and levels (identical for every seed)."""
    base = system(ORG_CREATED_MS)
    users = []
    for n, (first, last, title, kind) in enumerate(USERS):
        login = f"{first}.{last}".lower()
        users.append({"Id": fixed_id("005", n), "Username": f"{login}@partnerhub.sandbox", "FirstName": first,
                      "LastName": last, "Email": f"{login}@partnerhub.example", "IsActive": True, "Title": title,
                      "UserType": kind, **base})  # fmt: skip
    record_types = [
        {"Id": RT_LEAD_STANDARD, "Name": "Standard", "DeveloperName": "Standard", "SobjectType": "Lead",
         "IsActive": True, "Description": "Inbound and outbound leads", **base},
        {"Id": RT_DEAL_REGISTRATION, "Name": "Deal Registration", "DeveloperName": "Deal_Registration",
         "SobjectType": "Lead", "IsActive": True, "Description": "Partner-submitted deal registrations", **base},
        {"Id": RT_OPPORTUNITY_STANDARD, "Name": "Standard", "DeveloperName": "Standard",
         "SobjectType": "Opportunity", "IsActive": True, "Description": None, **base},
    ]  # fmt: skip
    programs, levels = [], []
    for p, (name, category, tiers) in enumerate(PROGRAMS):
        program_id = fixed_id("0Hp", p)
        programs.append({"Id": program_id, "Name": name, "Category": category, "IsActive": True,
                         "Description": f"{category} partners", **base})  # fmt: skip
        for rank, tier in enumerate(tiers, start=1):
            levels.append({"Id": level_id(p, rank), "Name": tier, "ProgramId": program_id, "Rank": rank,
                           "BenefitsInformation": f"{tier} benefits: {5 * rank}% discount", **base})  # fmt: skip
    return {"User": users, "RecordType": record_types, "ChannelProgram": programs, "ChannelProgramLevel": levels}


def level_id(program: int, rank: int) -> str:
    """The id of level ``rank`` (1-based) of program number ``program``."""
    return fixed_id("0Hl", program * 10 + rank)


@dataclass
class Org:
    """A real organisation behind one or more Account records."""

    name: str
    domain: str
    country: str
    code: str
    city: str
    partner: bool
    duns: str | None
    industry: str | None
    employees: int
    account_ids: list[str] = field(default_factory=list)
    entity: str | None = None  # ground-truth id (set when the organisation comes from HubSpot)
    hub: Organisation | None = None  # HubSpot's view of the organisation (linked worlds only)


def make_orgs(rng: random.Random, n_accounts: int) -> list[Org]:
    """Distinct organisations for ``n_accounts`` accounts (~3 % of accounts will be duplicates)."""
    return invent_orgs(rng, org_count(n_accounts))


def org_count(n_accounts: int) -> int:
    """How many distinct organisations ``n_accounts`` accounts represent (~3 % are duplicates)."""
    return max(n_accounts - round(n_accounts * 0.03), min(n_accounts, 1))


def invent_orgs(
    rng: random.Random, n_orgs: int, taken_names: set[str] | None = None, taken_domains: set[str] | None = None
) -> list[Org]:
    """``n_orgs`` new organisations (~20 % partners) whose names/domains avoid the ``taken`` ones."""
    n_partners = max(round(n_orgs * 0.2), 1 if n_orgs >= 2 else 0)
    partner_idx = set(rng.sample(range(n_orgs), n_partners))
    used: set[str] = set(taken_names or ())
    orgs = []
    for i in range(n_orgs):
        partner = i in partner_idx
        country, code, city = fd.pick_country(rng)
        base = _unique_name(rng, used, partner, code)
        name = f"{base} {fd.legal_form(rng, code)}".strip()
        domain = fd.company_domain(rng, base, code)
        if taken_domains:
            domain = unique_domain(domain, taken_domains)
        orgs.append(Org(
            name=name,
            domain=domain,
            country=country, code=code, city=city, partner=partner,
            duns=duns_for(name) if rng.random() < 0.45 else None,
            industry=rng.choice(INDUSTRIES) if rng.random() < 0.93 else None,
            employees=int(rng.lognormvariate(4.5, 1.4)) + 1,
        ))  # fmt: skip
    return orgs


def duns_for(name: str) -> str:
    """A DUNS number of the organisation called ``name``: nine digits from a hash of the name, so two
    organisations never share one by accident of two random streams drawing the same number (DUNS is
    an identifier: a shared one means the same site)."""
    digest = int(hashlib.sha256(f"duns|{name}".encode()).hexdigest(), 16)
    return str(10**8 + digest % (9 * 10**8))


def unique_domain(domain: str, taken: set[str]) -> str:
    """``domain``, or ``stem2.tld``... when taken; the result is added to ``taken``."""
    stem, _, tld = domain.partition(".")
    found, n = domain, 2
    while found in taken:
        found, n = f"{stem}{n}.{tld}", n + 1
    taken.add(found)
    return found


def _unique_name(rng: random.Random, used: set[str], partner: bool, code: str = "US") -> str:
    for attempt in range(60):
        name = fd.company_base(rng, code, partner, attempt)
        if name.lower() not in used:
            used.add(name.lower())
            return name
    raise RuntimeError("could not find a unique account name")


def created_between(rng: random.Random, earliest: int) -> int:
    """A creation time in the three years before the fixed epoch, not before ``earliest``."""
    start = max(earliest, FIXED_EPOCH_MS - SPAN_MS)
    return rng.randrange(start, max(start + 1, FIXED_EPOCH_MS - DAY_MS))


def modified_after(rng: random.Random, created: int) -> tuple[int, int]:
    """``(LastModifiedDate, SystemModstamp)``; ~5 % have a later system-only change."""
    modified = created if rng.random() < 0.3 else rng.randrange(created, FIXED_EPOCH_MS)
    modstamp = modified if rng.random() < 0.95 else rng.randrange(modified, FIXED_EPOCH_MS)
    return modified, modstamp


def ms_of(value: str) -> int:
    """Epoch ms of a datetime produced by :func:`stamp`."""
    return parse_datetime(value)
