"""Drafting the synthetic organisations, companies, contacts and deals (before ids are assigned).

Used by :mod:`sandbox.ecosystem.generate`; every function draws only from the ``random.Random``
passed in.  Drafts are returned sorted by creation time so that ids grow with ``createdAt``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sandbox.ecosystem.vocabulary import DEAL_STAGES, INDUSTRIES
from sandbox.kit import fakedata as fd
from sandbox.kit.clock import DAY_MS, FIXED_EPOCH_MS, iso_from_ms

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
    phone: str = ""  # national significant number of the switchboard
    base: str = ""  # the name without legal form
    hide_domain: bool = False  # HubSpot never recorded the domain
    distractor: tuple[str, int] | None = None  # ("namesake" | "near_namesake", index of the other org)
    record_ids: list[str] = field(default_factory=list)


@dataclass
class Draft:
    created: int
    props: dict[str, str]
    org: int = -1
    company: int = -1
    contacts: list[int] = field(default_factory=list)
    partners: list[tuple[int, int]] = field(default_factory=list)
    person: int = -1  # contacts: the real person (several drafts may be one person)


NAMESAKE_SHARE = 0.04  # another company of the same name in another country
NEAR_NAMESAKE_SHARE = 0.03  # another company whose name is one letter away


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
        country, code, city = fd.pick_country(rng)
        roll = rng.random()
        distractor: tuple[str, int] | None = None
        if i >= 10 and roll < NAMESAKE_SHARE + NEAR_NAMESAKE_SHARE:
            other = rng.randrange(i)
            kind = "namesake" if roll < NAMESAKE_SHARE else "near_namesake"
            found = _distractor(rng, orgs[other], kind, used_names)
            if found is not None:
                base, country, code, city = found
                distractor = (kind, other)
        if distractor is None:
            base = _unique_name(rng, used_names, partner, code)
        name = f"{base} {fd.legal_form(rng, code)}".strip()
        if distractor is not None and name.lower() == orgs[distractor[1]].name.lower():
            name = f"{base} {next(f for f in fd.LEGAL_FORMS[code] if f and f.lower() not in name.lower())}"
        if distractor is not None and distractor[0] == "namesake":
            domain = fd.namesake_domain(base, code, used_domains)
        else:
            domain = _unique_domain(fd.company_domain(rng, base, code), used_domains)
        orgs.append(
            Org(
                name=name,
                domain=domain,
                country=country,
                country_code=code,
                city=city,
                partner=partner,
                duns=f"{rng.randrange(10**9):09d}" if rng.random() < 0.45 else None,
                industry=rng.choice(INDUSTRIES) if rng.random() < 0.95 else None,
                employees=int(rng.lognormvariate(4.5, 1.4)) + 1,
                phone=fd.national_number(rng, code),
                base=base,
                hide_domain=rng.random() < (0.3 if distractor and distractor[0] == "namesake" else 0.03),
                distractor=distractor,
            )
        )
    return orgs


def _distractor(rng: random.Random, other: Org, kind: str, used_names: set[str]) -> tuple[str, str, str, str] | None:
    """(base name, country as typed, code, city) of a company easily confused with ``other``."""
    country, code, city = fd.pick_country(rng)
    if kind == "namesake":
        for _ in range(10):
            if code != other.country_code:
                return other.base, country, code, city
            country, code, city = fd.pick_country(rng)
        return None
    base = fd.near_name(rng, other.base)
    if base.lower() in used_names:
        return None
    used_names.add(base.lower())
    if rng.random() < 0.5:
        country, code, city = other.country, other.country_code, other.city
    return base, country, code, city


def _unique_name(rng: random.Random, used: set[str], partner: bool, code: str = "US") -> str:
    for attempt in range(50):
        name = fd.company_base(rng, code, partner, attempt)
        if name.lower() not in used:
            used.add(name.lower())
            return name
    raise RuntimeError("could not find a unique company name")


def _unique_domain(domain: str, used: set[str]) -> str:
    stem, _, tld = domain.partition(".")
    n = 2
    while domain in used:
        domain = f"{stem}{n}.{tld}"
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
    if not duplicate and org.hide_domain:
        domain = None
    props: dict[str, str] = {"name": name}
    if domain:
        props["domain"] = domain
    props["phone"] = fd.format_phone(rng, org.country_code, org.phone)
    props["city"] = org.city
    props["country"] = fd.country_spelling(rng, org.country_code) if duplicate else org.country
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


PERSON_DUPLICATE_SHARE = 0.025  # contacts that are a second record of someone already there
FREE_MAIL_SHARE = 0.03  # people who gave their personal address


def _fresh(local: str, domain: str, used: set[str]) -> str:
    email, n = f"{local}@{domain}", 2
    while email in used:
        email, n = f"{local}{n}@{domain}", n + 1
    used.add(email)
    return email


def make_contacts(rng: random.Random, orgs: list[Org], companies: list[Draft], n: int) -> list[Draft]:
    """Contacts; ``Draft.person`` numbers the real people (~2.5 % of contacts are someone's second record)."""
    used_emails: set[str] = set()
    names_at: set[tuple[int, str, str]] = set()  # distinct people of one organisation never share a name
    by_org: dict[int, list[int]] = {}
    for index, company in enumerate(companies):
        by_org.setdefault(company.org, []).append(index)
    people: list[tuple[str, str, int]] = []  # first, last, company index
    drafts: list[Draft] = []
    for _ in range(n if companies else 0):
        if people and rng.random() < PERSON_DUPLICATE_SHARE:
            person = rng.randrange(len(people))
            first, last, company_index = people[person]
            company_index = rng.choice(by_org[companies[company_index].org])
            org = orgs[companies[company_index].org]
            first, email = _second_record(rng, first, last, org, used_emails)
        else:
            company_index = rng.randrange(len(companies))
            org_index = companies[company_index].org
            org = orgs[org_index]
            for _ in range(20):
                first, last = rng.choice(fd.FIRST_NAMES), rng.choice(fd.LAST_NAMES)
                if (org_index, first, last) not in names_at:
                    break
            names_at.add((org_index, first, last))
            person = len(people)
            people.append((first, last, company_index))
            local = fd.email_local(first, last)
            if rng.random() < FREE_MAIL_SHARE:
                email = _fresh(local, rng.choice(fd.FREE_MAIL), used_emails)
            else:
                email = _fresh(local, org.domain, used_emails)
        company = companies[company_index]
        props: dict[str, str] = {}
        roll = rng.random()
        if email and roll < 0.06:
            props["email"] = fd.email_variant(rng, email)
        elif email and roll < 0.99:
            props["email"] = email
        props["firstname"] = first
        props["lastname"] = last
        props["jobtitle"] = rng.choice(fd.JOB_TITLES)
        if rng.random() < 0.7:
            props["phone"] = fd.phone_number(rng, org.country_code)
        props["company"] = company.props["name"] if rng.random() < 0.95 else fd.name_variant(rng, org.name)
        stage = ("customer", "opportunity", "salesqualifiedlead") if not org.partner else ("other", "evangelist")
        props["lifecyclestage"] = rng.choice(stage) if rng.random() < 0.7 else rng.choice(("lead", "subscriber"))
        draft = Draft(_created(rng, company.created), props, company=company_index)
        draft.person = person
        drafts.append(draft)
    order = sorted(range(len(drafts)), key=lambda i: drafts[i].created)
    return [drafts[i] for i in order]


def _second_record(rng: random.Random, first: str, last: str, org: Org, used: set[str]) -> tuple[str, str | None]:
    """(first name, email) of a person entered again: a nickname, an alias, a personal address or none."""
    if first in fd.NICKNAMES and rng.random() < 0.4:
        first = fd.NICKNAMES[first]
    f, sur = fd.slug(first) or "x", fd.slug(last) or "contact"
    roll = rng.random()
    if roll < 0.35:
        return first, _fresh(rng.choice((f"{f[0]}.{sur}", f"{f[0]}{sur}", f, f"{sur}.{f}")), org.domain, used)
    if roll < 0.65:
        return first, _fresh(rng.choice((f"{f}.{sur}", f"{f}{sur}", f"{f}.{sur}{rng.randrange(60, 99)}")),
                             rng.choice(fd.FREE_MAIL), used)  # fmt: skip
    if roll < 0.85:  # another form of the work address (HubSpot refuses a second contact with the same one)
        return first, _fresh(rng.choice((f"{f}{sur}", f"{f}_{sur}", f"{sur}{f[0]}")), org.domain, used)
    return first, None


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
