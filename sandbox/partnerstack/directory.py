"""Where the synthetic world's organisations and people come from.

Either invented here (:func:`synthetic_directory`) or read from a HubSpot fixture section
(:func:`directory_from_ecosystem`), so that PartnerStack partners, referred customers and deal
registrations are the *same* real-world organisations as the ecosystem's companies and deals (and
so as every other simulator's) — the cross-system identity problem the hub must solve.  Only the
documented record format is read (``companies``, ``contacts``, ``deals``, ``associations``,
``entities``; :mod:`sandbox.ecosystem.model`), never another simulator's code.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.ecosystem.vocabulary import SECTION as ECOSYSTEM_SECTION
from sandbox.kit import fakedata as fd
from sandbox.kit.clock import DAY_MS, FIXED_EPOCH_MS, iso_from_ms, ms_from_iso

PARTNER_TYPES = ("reseller", "referral", "SI", "MSP", "ISV")
TIERS = ("Registered", "Silver", "Gold", "Platinum")
SPAN_MS = 3 * 365 * DAY_MS
#: PartnerStack-only organisations of a linked world live on ``<name><tag>.<tld>`` domains, which the
#: Salesforce-only organisations (generated independently) never use: two different companies
#: never share a domain, even when they share a name.
DOMAIN_TAGS = ("hq", "group", "global", "online", "app")


@dataclass
class Person:
    """A human with a (clean) email address."""

    first: str
    last: str
    email: str


@dataclass
class Org:
    """A real-world organisation; ``entity`` is its ground-truth id."""

    entity: str
    name: str
    domain: str
    country: str
    partner: bool
    tier: str | None = None
    partner_type: str | None = None
    people: list[Person] = field(default_factory=list)


@dataclass
class DealHint:
    """A CRM deal a partner also registered (drives PartnerStack deal registrations)."""

    partner_entity: str
    account_entity: str
    amount_cents: int | None
    currency: str
    close_date: str | None
    outcome: str  # "open", "won" or "lost"
    external_id: str
    created_ms: int


@dataclass
class Directory:
    """Partner orgs, customer orgs and deal hints; ``source`` is ``synthetic`` or ``hubspot``."""

    partners: list[Org]
    customers: list[Org]
    deals: list[DealHint]
    source: str


def clean_domain(raw: str | None) -> str:
    """``https://WWW.Acme.com/`` → ``acme.com`` (empty when nothing usable)."""
    text = (raw or "").strip().lower()
    text = re.sub(r"^https?://", "", text).removeprefix("www.")
    return text.split("/")[0]


def slug(text: str) -> str:
    """Lower-case letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def person_at(rng: random.Random, domain: str, used: set[str]) -> Person:
    """A new person with a unique ``first.last@domain`` address."""
    first, last = rng.choice(fd.FIRST_NAMES), rng.choice(fd.LAST_NAMES)
    local = fd.email_local(first, last)
    email, n = f"{local}@{domain}", 2
    while email in used:
        email, n = f"{local}{n}@{domain}", n + 1
    used.add(email)
    return Person(first, last, email)


def synthetic_directory(
    rng: random.Random, n_partners: int, n_customers: int, prefix: str = "ps-org", taken: set[str] | None = None
) -> Directory:
    """Invent ``n_partners`` partner and ``n_customers`` customer organisations.

    ``taken`` holds lower-cased base names already in use (e.g. HubSpot's), which are avoided.
    """
    used_names: set[str] = taken if taken is not None else set()
    used_emails: set[str] = set()
    orgs: list[Org] = []
    for i in range(n_partners + n_customers):
        partner = i < n_partners
        _, code, _ = fd.pick_country(rng)
        for attempt in range(100):
            base = fd.company_base(rng, code, partner, attempt if attempt < 20 else attempt + 10)
            if base.lower() not in used_names:
                used_names.add(base.lower())
                break
        domain = fd.company_domain(rng, base, code)
        if taken is not None:  # beside a HubSpot world: never a domain Salesforce's own companies could have
            stem, _, tld = domain.partition(".")
            domain = f"{stem}{rng.choice(DOMAIN_TAGS)}.{tld}"
        org = Org(f"{prefix}-{i + 1:05d}", f"{base} {fd.legal_form(rng, code)}".strip(), domain, code, partner)
        if partner:
            org.tier = rng.choices(TIERS, (40, 30, 20, 10))[0]
            org.partner_type = rng.choice(PARTNER_TYPES)
        org.people = [person_at(rng, domain, used_emails) for _ in range(rng.randint(1, 3))]
        orgs.append(org)
    return Directory(orgs[:n_partners], orgs[n_partners:], [], "synthetic")


def directory_from_ecosystem(section: Mapping[str, Any]) -> Directory:
    """Organisations, people and partner-sourced deals of the ecosystem's records (a section or document)."""
    section = section.get(ECOSYSTEM_SECTION, section)
    companies = {str(c["id"]): c.get("properties") or {} for c in section.get("companies") or []}
    entity_of: dict[str, str] = {}
    for entity, ids in (section.get("entities") or {}).items():
        for company_id in ids:
            entity_of[str(company_id)] = str(entity)
    for company_id in companies:
        entity_of.setdefault(company_id, f"hs-company-{company_id}")
    contacts = {str(c["id"]): c.get("properties") or {} for c in section.get("contacts") or []}
    people: dict[str, list[Person]] = {}
    deal_company: dict[str, str] = {}
    deal_partner: dict[str, str] = {}
    for row in section.get("associations") or []:
        pair = (row.get("fromType"), row.get("toType"))
        from_id, to_id = str(row.get("fromId")), str(row.get("toId"))
        type_ids = {t.get("typeId") for t in row.get("types") or []}
        if pair == ("contacts", "companies") and from_id in contacts and to_id in entity_of:
            props = contacts[from_id]
            email = str(props.get("email") or "").strip().lower()
            if re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", email):
                person = Person(str(props.get("firstname") or ""), str(props.get("lastname") or ""), email)
                people.setdefault(entity_of[to_id], []).append(person)
        elif pair == ("deals", "companies") and to_id in entity_of:
            if 5 in type_ids:
                deal_company[from_id] = entity_of[to_id]
            elif 101 in type_ids:
                deal_partner.setdefault(from_id, entity_of[to_id])
    orgs: dict[str, Org] = {}
    for company_id in sorted(companies, key=int):
        entity, props = entity_of[company_id], companies[company_id]
        org = orgs.get(entity)
        if org is None:
            org = orgs[entity] = Org(entity, str(props.get("name") or ""), "", "", False)
            org.people = people.get(entity, [])
        org.domain = org.domain or clean_domain(props.get("domain"))
        if props.get("partner_tier"):
            org.partner, org.tier = True, str(props["partner_tier"])
            org.partner_type = str(props.get("partner_type") or "") or None
    hints = []
    for deal in section.get("deals") or []:
        deal_id = str(deal["id"])
        if deal_id not in deal_partner or deal_id not in deal_company:
            continue
        hints.append(_hint(deal_id, deal, deal_partner[deal_id], deal_company[deal_id]))
    partners = [o for o in orgs.values() if o.partner]
    customers = [o for o in orgs.values() if not o.partner]
    return Directory(partners, customers, hints, "hubspot")


def _hint(deal_id: str, deal: Mapping[str, Any], partner: str, account: str) -> DealHint:
    props = deal.get("properties") or {}
    try:
        amount: int | None = round(float(str(props.get("amount", ""))) * 100)
    except ValueError:
        amount = None
    try:
        close: str | None = _date(ms_from_iso(str(props.get("closedate", ""))))
    except ValueError:
        close = None
    stage = str(props.get("dealstage", ""))
    outcome = "won" if stage == "closedwon" else "lost" if stage == "closedlost" else "open"
    try:
        created = ms_from_iso(str(deal.get("createdAt", "")))
    except ValueError:
        created = FIXED_EPOCH_MS - SPAN_MS
    currency = str(props.get("deal_currency_code") or "USD")
    return DealHint(partner, account, amount, currency, close, outcome, deal_id, created)


def _date(ms: int) -> str:
    return iso_from_ms(ms)[:10]
