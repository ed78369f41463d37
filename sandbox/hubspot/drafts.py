"""Drafting the synthetic organisations, companies, contacts and deals (before ids are assigned).

Used by :mod:`sandbox.hubspot.generate`; every function draws only from the ``random.Random``
passed in.  Drafts are returned sorted by creation time so that ids grow with ``createdAt``.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from sandbox.clock import DAY_MS, FIXED_EPOCH_MS, iso_from_ms
from sandbox.hubspot import fakedata as fd
from sandbox.hubspot.schema import DEAL_STAGES, INDUSTRIES

_SPAN_MS = 3 * 365 * DAY_MS


@dataclass
class Org:
    name: str
    domain: str
    country: str
    country_code: str
    city: str
    partner: bool
    duns: str | None
    industry: str | None
    employees: int
    record_ids: list[str] = field(default_factory=list)


@dataclass
class Draft:
    created: int
    props: dict[str, str]
    org: int = -1
    company: int = -1
    contacts: list[int] = field(default_factory=list)
    partners: list[tuple[int, int]] = field(default_factory=list)


def make_orgs(rng: random.Random, n_companies: int) -> list[Org]:
    n_dup = round(n_companies * 0.03)
    n_orgs = max(n_companies - n_dup, min(n_companies, 1))
    n_partners = round(n_orgs * 0.15) if n_orgs >= 2 else 0
    if n_orgs >= 2:
        n_partners = max(n_partners, 1)
    partner_idx = set(rng.sample(range(n_orgs), n_partners))
    used_names: set[str] = set()
    used_domains: set[str] = set()
    orgs: list[Org] = []
    for i in range(n_orgs):
        partner = i in partner_idx
        base = _unique_name(rng, used_names, partner)
        country, code, city = fd.pick_country(rng)
        tld = {"GB": "co.uk", "DE": "de", "FR": "fr", "NL": "nl", "AU": "com.au"}.get(code, "com")
        domain = _unique_domain(base, "com" if rng.random() < 0.6 else tld, used_domains)
        suffix = rng.choice(fd.LEGAL_SUFFIXES)
        orgs.append(
            Org(
                name=f"{base} {suffix}".strip(),
                domain=domain,
                country=country,
                country_code=code,
                city=city,
                partner=partner,
                duns=f"{rng.randrange(10**9):09d}" if rng.random() < 0.45 else None,
                industry=rng.choice(INDUSTRIES) if rng.random() < 0.95 else None,
                employees=int(rng.lognormvariate(4.5, 1.4)) + 1,
            )
        )
    return orgs


def _unique_name(rng: random.Random, used: set[str], partner: bool) -> str:
    tails = fd.PARTNER_WORDS if partner else fd.NAME_TAILS
    for attempt in range(50):
        head = rng.choice(fd.NAME_HEADS)
        if attempt >= 5:
            head = f"{head} {rng.choice(fd.NAME_HEADS)}"
        if attempt >= 20:
            head = f"{head} {attempt}"
        name = f"{head} {rng.choice(tails)}"
        if name.lower() not in used:
            used.add(name.lower())
            return name
    raise RuntimeError("could not find a unique company name")


def _unique_domain(base: str, tld: str, used: set[str]) -> str:
    slug = re.sub(r"[^a-z0-9]", "", base.lower())
    domain = f"{slug}.{tld}"
    n = 2
    while domain in used:
        domain = f"{slug}{n}.{tld}"
        n += 1
    used.add(domain)
    return domain


def _created(rng: random.Random, earliest: int) -> int:
    start = max(earliest, FIXED_EPOCH_MS - _SPAN_MS)
    return rng.randrange(start, FIXED_EPOCH_MS - DAY_MS)


def make_companies(rng: random.Random, orgs: list[Org], n_companies: int) -> list[Draft]:
    sequence = list(range(len(orgs))) + [rng.randrange(len(orgs)) for _ in range(n_companies - len(orgs))]
    rng.shuffle(sequence)
    seen: set[int] = set()
    drafts: list[Draft] = []
    for org_index in sequence:
        org = orgs[org_index]
        duplicate = org_index in seen
        seen.add(org_index)
        drafts.append(Draft(_created(rng, 0), _company_props(rng, org, duplicate), org=org_index))
    drafts.sort(key=lambda d: d.created)
    return drafts


def _company_props(rng: random.Random, org: Org, duplicate: bool) -> dict[str, str]:
    name = fd.name_variant(rng, org.name) if duplicate else org.name
    domain: str | None = org.domain
    if duplicate or rng.random() < 0.10:
        domain = fd.domain_variant(rng, org.domain)
    if not duplicate and rng.random() < 0.03:
        domain = None
    props: dict[str, str] = {"name": name}
    if domain:
        props["domain"] = domain
    props["phone"] = fd.phone_number(rng, org.country_code)
    props["city"] = org.city
    props["country"] = org.country
    if org.industry:
        props["industry"] = org.industry
    employees = max(1, int(org.employees * rng.uniform(0.9, 1.1)))
    props["numberofemployees"] = str(employees)
    props["annualrevenue"] = str(employees * rng.randrange(80, 250) * 1000)
    if org.partner:
        ptype = rng.choice(("reseller", "referral", "SI", "MSP", "ISV"))
        props["type"] = "RESELLER" if ptype == "reseller" and rng.random() < 0.5 else "PARTNER"
        props["partner_tier"] = rng.choices(("Registered", "Silver", "Gold", "Platinum"), (40, 30, 20, 10))[0]
        props["partner_type"] = ptype
    else:
        kind = rng.choices(("CUSTOMER", "PROSPECT", "VENDOR", "OTHER", ""), (50, 30, 5, 5, 10))[0]
        if kind:
            props["type"] = kind
    if org.duns and rng.random() < 0.85:
        props["duns"] = org.duns
    return props


def make_contacts(rng: random.Random, orgs: list[Org], companies: list[Draft], n: int) -> list[Draft]:
    used_emails: set[str] = set()
    drafts: list[Draft] = []
    for _ in range(n if companies else 0):
        company_index = rng.randrange(len(companies))
        company = companies[company_index]
        org = orgs[company.org]
        first, last = rng.choice(fd.FIRST_NAMES), rng.choice(fd.LAST_NAMES)
        local = re.sub(r"[^a-z.]", "", f"{first}.{last}".lower())
        email = f"{local}@{org.domain}"
        n_suffix = 2
        while email in used_emails:
            email = f"{local}{n_suffix}@{org.domain}"
            n_suffix += 1
        used_emails.add(email)
        props: dict[str, str] = {}
        roll = rng.random()
        if roll < 0.06:
            props["email"] = fd.email_variant(rng, email)
        elif roll < 0.99:
            props["email"] = email
        props["firstname"] = first
        props["lastname"] = last
        props["jobtitle"] = rng.choice(fd.JOB_TITLES)
        if rng.random() < 0.7:
            props["phone"] = fd.phone_number(rng, org.country_code)
        props["company"] = company.props["name"] if rng.random() < 0.95 else fd.name_variant(rng, org.name)
        stage = (
            ("customer", "opportunity", "salesqualifiedlead") if not org.partner else ("other", "evangelist")
        )
        props["lifecyclestage"] = (
            rng.choice(stage) if rng.random() < 0.7 else rng.choice(("lead", "subscriber"))
        )
        drafts.append(Draft(_created(rng, company.created), props, company=company_index))
    order = sorted(range(len(drafts)), key=lambda i: drafts[i].created)
    return [drafts[i] for i in order]


def make_deals(
    rng: random.Random, orgs: list[Org], companies: list[Draft], contacts: list[Draft], n: int
) -> list[Draft]:
    customers = [i for i, c in enumerate(companies) if not orgs[c.org].partner] or list(range(len(companies)))
    partners = [i for i, c in enumerate(companies) if orgs[c.org].partner]
    by_company: dict[int, list[int]] = {}
    for index, contact in enumerate(contacts):
        by_company.setdefault(contact.company, []).append(index)
    drafts: list[Draft] = []
    for _ in range(n if companies else 0):
        company_index = rng.choice(customers)
        company = companies[company_index]
        created = _created(rng, company.created)
        people = by_company.get(company_index, [])
        chosen = rng.sample(people, min(len(people), rng.randint(1, 3))) if people else []
        draft = Draft(created, _deal_props(rng, orgs[company.org], created), company=company_index)
        draft.contacts = sorted(chosen)
        if partners and rng.random() < 0.40:
            label = 101 if rng.random() < 0.6 else 102
            draft.partners.append((rng.choice(partners), label))
            if label == 101 and len(partners) > 1 and rng.random() < 0.1:
                second = rng.choice([p for p in partners if p != draft.partners[0][0]])
                draft.partners.append((second, 102))
        drafts.append(draft)
    order = sorted(range(len(drafts)), key=lambda i: drafts[i].created)
    return [drafts[i] for i in order]


def _deal_props(rng: random.Random, org: Org, created: int) -> dict[str, str]:
    amount = rng.randrange(10, 500) * 250 + rng.choice((0, 0, 0, 0.5, 99.99))
    close = created + rng.randrange(14, 270) * DAY_MS
    close -= close % DAY_MS
    base = org.name.split(",")[0]
    return {
        "dealname": f"{base} - {rng.choice(fd.PRODUCTS)}",
        "amount": f"{amount:.2f}" if rng.random() < 0.7 else f"{amount:g}",
        "deal_currency_code": rng.choices(("USD", "EUR", "GBP"), (80, 12, 8))[0],
        "dealstage": rng.choices(DEAL_STAGES, (15, 15, 12, 10, 10, 23, 15))[0],
        "pipeline": "default",
        "closedate": iso_from_ms(close),
    }
