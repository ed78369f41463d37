"""The ecosystem's organisations, people and partner deals, read from its records.

Simulators project these onto their own objects (Salesforce Accounts, Contacts and Opportunities;
PartnerStack partnerships, customers and deals), so that every system holds the *same* real-world
organisations and people.  Only the documented record format is read (``companies``, ``contacts``,
``deals``, ``associations``, ``entities``, ``people``; see :mod:`sandbox.ecosystem.model`).

Ground-truth ids: organisations keep the ``entities`` ids (``org-00001``; a company missing from
``entities`` gets ``hs-company-<id>``).  People keep the ``people`` ids (``person-00001``; several
contacts may be one person); records without ``people`` number every contact ``person-00001``... in
ascending id order.  The records hold no deal ground truth, so every deal is numbered
``deal-00001``... in ascending id order: every projection derives the same ids.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.ecosystem.vocabulary import (
    CONTACT_PRIMARY_COMPANY,
    DEAL_PRIMARY_COMPANY,
    INFLUENCING_PARTNER,
    INVERSE,
    SECTION,
    SOURCING_PARTNER,
)
from sandbox.kit import fakedata as fd
from sandbox.kit.clock import FIXED_EPOCH_MS, ms_from_iso

EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]+")
PRIMARY_TO_COMPANY = {"contacts": CONTACT_PRIMARY_COMPANY, "deals": DEAL_PRIMARY_COMPANY}
PARTNER_LABELS = (SOURCING_PARTNER, INFLUENCING_PARTNER)  # deals -> companies
INDUSTRY_MAP = {
    "COMPUTER_SOFTWARE": "Technology",
    "INFORMATION_TECHNOLOGY_AND_SERVICES": "Technology",
    "FINANCIAL_SERVICES": "Finance",
    "HOSPITAL_HEALTH_CARE": "Healthcare",
    "RETAIL": "Retail",
    "MACHINERY": "Manufacturing",
    "TELECOMMUNICATIONS": "Telecommunications",
    "LOGISTICS_AND_SUPPLY_CHAIN": "Transportation",
    "MARKETING_AND_ADVERTISING": "Media",
    "EDUCATION_MANAGEMENT": "Education",
}


def _country_codes() -> dict[str, str]:
    codes: dict[str, str] = {}
    for name, code, _, _ in fd.COUNTRIES:
        for spelling in (name, code, *fd.COUNTRY_SPELLINGS.get(name, ())):
            codes[spelling.lower()] = code
    return codes


COUNTRY_CODES = _country_codes()


@dataclass
class Organisation:
    """One organisation (entity), described by its best company record."""

    entity: str
    company_ids: list[str]
    name: str
    domain: str  # cleaned (``acme.com``), "" when no record has one
    phone: str | None
    city: str | None
    country: str | None
    industry: str | None  # the record format's enumeration value
    kind: str  # the company ``type`` ("" when blank)
    tier: str | None  # ``partner_tier``: set exactly for partner organisations
    partner_type: str | None
    duns: str | None
    employees: int | None
    created: int

    @property
    def partner(self) -> bool:
        """Whether the records treat the organisation as a partner (it has a ``partner_tier``)."""
        return self.tier is not None


@dataclass
class Person:
    """One contact record of a person; ``email`` is the cleaned address (None when missing or invalid)."""

    pid: str
    contact_id: str
    entity: str | None
    first: str
    last: str
    email: str | None
    raw_email: str | None
    title: str | None
    phone: str | None
    created_at: Any  # the record's ``createdAt`` (parsed on use: most people are never projected)

    @property
    def created(self) -> int:
        """``createdAt`` in epoch ms (the fixed epoch when missing or invalid)."""
        return _ms(self.created_at)


@dataclass
class Deal:
    """One deal that has partners, with its customer and partner organisations (label order)."""

    pid: str
    deal_id: str
    account_entity: str | None
    partners: list[tuple[str, int]]  # (entity, 101 sourcing / 102 influencing)
    name: str
    amount: float | None
    currency: str | None
    stage: str
    close_ms: int | None
    created: int


@dataclass
class Directory:
    """Everything a projection needs from the ecosystem, plus the names/domains/emails its records use."""

    orgs: list[Organisation] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)  # those with partners only
    names: set[str] = field(default_factory=set)
    domains: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)


def clean_domain(raw: str | None) -> str:
    """``https://WWW.Acme.com/`` → ``acme.com`` (empty when nothing usable)."""
    text = (raw or "").strip().lower()
    text = re.sub(r"^https?://", "", text).removeprefix("www.")
    return text.split("/")[0]


def clean_email(raw: str | None) -> str | None:
    """Trimmed lower-case address, or None when missing or not an address."""
    text = (raw or "").strip().lower()
    return text if EMAIL_RE.fullmatch(text) else None


def base_name(name: str) -> str:
    """The name without its legal form (``Acme Robotics Inc.`` → ``Acme Robotics``)."""
    return fd.split_legal(name.replace(",", " ").strip())[0]


def country_code(country: str | None) -> str | None:
    """ISO code of a country as typed in the CRM (None when unknown)."""
    return COUNTRY_CODES.get((country or "").strip().lower())


def read_directory(source: Mapping[str, Any]) -> Directory:
    """The directory of the ecosystem's records (a fixture section, or a document holding one)."""
    section = source.get(SECTION, source)
    section = section if isinstance(section, Mapping) else {}
    companies = {str(c["id"]): c for c in section.get("companies") or []}
    entity_of: dict[str, str] = {}
    for entity, ids in (section.get("entities") or {}).items():
        for company_id in ids:
            entity_of.setdefault(str(company_id), str(entity))
    for company_id in companies:
        entity_of.setdefault(company_id, f"hs-company-{company_id}")
    contact_company, deal_company, deal_partners = _associations(section, companies)
    out = Directory()
    out.orgs = _orgs(companies, entity_of)
    for org in out.orgs:
        out.names |= {org.name.lower(), base_name(org.name).lower()}
        if org.domain:
            out.domains.add(org.domain)
    contacts = sorted((str(c["id"]) for c in section.get("contacts") or []), key=_id_key)
    by_id = {str(c["id"]): c for c in section.get("contacts") or []}
    person_of = _person_ids(section, contacts)
    for contact_id in contacts:
        person = _person(
            person_of[contact_id], contact_id, by_id[contact_id], entity_of.get(contact_company.get(contact_id, ""))
        )
        out.people.append(person)
        if person.email:
            out.emails.add(person.email)
    deals = {str(d["id"]): d for d in section.get("deals") or []}
    for n, deal_id in enumerate(sorted(deals, key=_id_key), start=1):
        partners = [(entity_of[c], t) for c, t in deal_partners.get(deal_id, []) if c in entity_of]
        if partners:  # only partner deals are projected
            account = entity_of.get(deal_company.get(deal_id, ""))
            out.deals.append(_deal(f"deal-{n:05d}", deal_id, deals[deal_id], account, partners))
    return out


def _person_ids(section: Mapping[str, Any], contacts: list[str]) -> dict[str, str]:
    """Contact id → person id: the ``people`` ground truth when present, else ``person-00001``... per contact."""
    person_of: dict[str, str] = {}
    for person, ids in (section.get("people") or {}).items():
        for contact_id in ids:
            person_of.setdefault(str(contact_id), str(person))
    if not person_of:
        return {contact_id: f"person-{n:05d}" for n, contact_id in enumerate(contacts, start=1)}
    n = 0
    for contact_id in contacts:
        if contact_id not in person_of:
            n += 1
            person_of[contact_id] = f"hs-contact-{contact_id}"
    return person_of


def _id_key(value: str) -> tuple[int, str]:
    return (int(value), value) if value.isdigit() else (1 << 62, value)


def _associations(
    section: Mapping[str, Any], companies: Mapping[str, Any]
) -> tuple[dict[str, str], dict[str, str], dict[str, list[tuple[str, int]]]]:
    """(contact → primary company, deal → customer company, deal → [(partner company, label)])."""
    contact_company: dict[str, str] = {}
    deal_company: dict[str, str] = {}
    deal_fallback: dict[str, str] = {}
    deal_partners: dict[str, list[tuple[str, int]]] = {}
    for row in section.get("associations") or []:
        from_type, to_type = row.get("fromType"), row.get("toType")
        from_id, to_id = str(row.get("fromId")), str(row.get("toId"))
        type_ids = {int(t.get("typeId", t.get("associationTypeId", 0))) for t in row.get("types") or []}
        if from_type == "companies" and to_type in ("contacts", "deals"):
            from_type, to_type, from_id, to_id = to_type, from_type, to_id, from_id
            type_ids = {INVERSE.get(t, t) for t in type_ids}
        if to_type != "companies" or to_id not in companies:
            continue
        if from_type == "contacts":
            if PRIMARY_TO_COMPANY["contacts"] in type_ids or from_id not in contact_company:
                contact_company[from_id] = to_id
        elif from_type == "deals":
            labels = [t for t in PARTNER_LABELS if t in type_ids]
            if labels:
                deal_partners.setdefault(from_id, []).append((to_id, labels[0]))
            elif PRIMARY_TO_COMPANY["deals"] in type_ids:
                deal_company[from_id] = to_id
            else:
                deal_fallback.setdefault(from_id, to_id)
    for deal_id, company_id in deal_fallback.items():
        deal_company.setdefault(deal_id, company_id)
    for rows in deal_partners.values():
        rows.sort(key=lambda r: r[1])
    return contact_company, deal_company, deal_partners


def _canonical(records: list[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The company record that looks typed with care (clean domain, normal casing), else the first."""
    for record in records:
        props = record.get("properties") or {}
        name, domain = str(props.get("name") or ""), str(props.get("domain") or "")
        if domain and domain == clean_domain(domain) and name not in (name.upper(), name.lower()):
            return record
    return records[0]


def _orgs(companies: Mapping[str, Mapping[str, Any]], entity_of: Mapping[str, str]) -> list[Organisation]:
    grouped: dict[str, list[str]] = {}
    for company_id in sorted(companies, key=_id_key):
        grouped.setdefault(entity_of[company_id], []).append(company_id)
    orgs = []
    for entity, ids in grouped.items():
        records = [companies[i] for i in ids]
        best = _canonical(records)
        props = {k: str(v) for k, v in (best.get("properties") or {}).items() if v is not None}
        tiers = [str((r.get("properties") or {}).get("partner_tier") or "") for r in records]
        tier = props.get("partner_tier") or next((t for t in tiers if t), None)
        domains = (clean_domain((r.get("properties") or {}).get("domain")) for r in records)
        domain = clean_domain(props.get("domain")) or next((d for d in domains if d), "")
        orgs.append(
            Organisation(
                entity=entity,
                company_ids=ids,
                name=props.get("name") or base_name(domain.split(".")[0].title()) or entity,
                domain=domain,
                phone=props.get("phone") or None,
                city=props.get("city") or None,
                country=props.get("country") or None,
                industry=props.get("industry") or None,
                kind=(props.get("type") or "").upper(),
                tier=tier or None,
                partner_type=props.get("partner_type") or None,
                duns=props.get("duns") or None,
                employees=_int(props.get("numberofemployees")),
                created=min(_ms(r.get("createdAt")) for r in records),
            )
        )
    return orgs


def _person(pid: str, contact_id: str, record: Mapping[str, Any], entity: str | None) -> Person:
    props = record.get("properties") or {}
    raw = props.get("email")
    return Person(
        pid=pid,
        contact_id=contact_id,
        entity=entity,
        first=str(props.get("firstname") or ""),
        last=str(props.get("lastname") or ""),
        email=clean_email(None if raw is None else str(raw)),
        raw_email=None if raw is None else str(raw),
        title=str(props["jobtitle"]) if props.get("jobtitle") else None,
        phone=str(props["phone"]) if props.get("phone") else None,
        created_at=record.get("createdAt"),
    )


def _deal(
    pid: str, deal_id: str, record: Mapping[str, Any], account: str | None, partners: list[tuple[str, int]]
) -> Deal:
    props = record.get("properties") or {}
    try:
        amount: float | None = float(str(props.get("amount", "")))
    except ValueError:
        amount = None
    try:
        close: int | None = ms_from_iso(str(props.get("closedate", "")))
    except ValueError:
        close = None
    return Deal(
        pid=pid,
        deal_id=deal_id,
        account_entity=account,
        partners=partners,
        name=str(props.get("dealname") or ""),
        amount=amount if amount is not None and amount == amount else None,
        currency=str(props["deal_currency_code"]).upper() if props.get("deal_currency_code") else None,
        stage=str(props.get("dealstage") or ""),
        close_ms=close,
        created=_ms(record.get("createdAt")),
    )


def _int(value: Any) -> int | None:
    try:
        return int(float(str(value)))
    except (ValueError, OverflowError):
        return None


def _ms(value: Any) -> int:
    if isinstance(value, int | float):
        return int(value)
    try:
        return ms_from_iso(str(value or ""))
    except ValueError:
        return FIXED_EPOCH_MS
