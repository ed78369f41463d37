"""Projecting the shared ecosystem onto Salesforce: the same organisations, people and partner deals.

Used by :func:`sandbox.salesforce.generate.generate_world` when it is given an ecosystem (its
:class:`sandbox.ecosystem.Directory`; "HubSpot" below means the ecosystem's records, which HubSpot's
projection keeps as they are).  Shares (of the Salesforce record counts, capped by what it holds):

* ~72 % of the distinct organisations behind Accounts are HubSpot organisations (~90 % of
  HubSpot's partners first, then customers that have partner deals), the rest exist only in
  Salesforce (domains never used in HubSpot; names neither, except ~8 % *namesakes*: another
  company with a HubSpot organisation's name and another legal form, in another country, on its
  own domain — distractors the matcher must keep apart);
* ~75 % of the HubSpot contacts of those organisations become Contacts (at most 75 % of the
  Contacts), ~2 % of them twice; the other Contacts exist only in Salesforce;
* ~85 % of HubSpot's partner deals whose customer and a partner are both in Salesforce become
  Opportunities with Partner / OpportunityPartner rows (at most 60 % of the Opportunities); ~15 %
  of the Salesforce-only Opportunities have a partner too.

Realistic disagreements with HubSpot are listed in ``discrepancies`` (``object``, ``id``, ``field``,
``value`` = what Salesforce says, ``kind``, ``expected`` = HubSpot's value): legal-form,
casing, typo and accent variants of names, websites typed as URLs (``https://www.x.com/about-us``;
a few on another domain or missing), countries spelt otherwise or as ISO codes, the same phone in
another format, stale or missing phones, industries, DUNS, stale ``IsPartner`` flags and program
levels, e-mails in other case / other addresses / missing, nicknames, stale titles, and for deals
stale stages, other amounts or close dates and lost partners.
"""

from __future__ import annotations

import random
import re

from sandbox.ecosystem.directory import INDUSTRY_MAP, Deal, Directory, Organisation, Person, base_name, country_code
from sandbox.kit import fakedata as fd
from sandbox.kit.clock import DAY_MS, FIXED_EPOCH_MS
from sandbox.salesforce import gen_base as gb
from sandbox.salesforce import gen_records as gr
from sandbox.salesforce.objects import CURRENCIES, INDUSTRIES, OPP_TYPES, SOURCES, STAGE_NAMES, STAGES
from sandbox.salesforce.values import date_of_ms
from sandbox.salesforce.world import JsonDict

LINKED_ORG_SHARE = 0.72
PARTNER_KEEP = 0.9
DEAL_CUSTOMER_KEEP = 0.85
PEOPLE_SHARE, PEOPLE_CAP = 0.75, 0.75
DEAL_SHARE, DEAL_CAP = 0.85, 0.6
OTHER_PARTNER_SHARE = 0.15  # Salesforce-only opportunities with a partner
NAMESAKE_SHARE = 0.08  # Salesforce-only organisations named like a HubSpot one (another company)
TIERS = ("Registered", "Silver", "Gold", "Platinum")
SUFFIX_VARIANTS = {
    "Inc": ("Inc.", "Incorporated"),
    "Inc.": ("Inc", "Incorporated", ", Inc."),
    "LLC": ("L.L.C.", "Llc"),
    "Ltd": ("Ltd.", "Limited"),
    "GmbH": ("Gmbh",),
    "Corp": ("Corp.", "Corporation"),
    "Corporation": ("Corp.", "Corp"),
    "Co.": ("Company", "Co"),
    "plc": ("PLC", "Plc"),
}
PARTNER_TYPE_MAP = {
    "reseller": "Channel Partner / Reseller",
    "MSP": "Channel Partner / Reseller",
    "SI": "Channel Partner / Reseller",
    "ISV": "Technology Partner",
    "referral": "Partner",
}
CUSTOMER_TYPE_MAP = {"PROSPECT": "Prospect", "VENDOR": "Other", "OTHER": "Other", "PARTNER": "Partner",
                     "RESELLER": "Channel Partner / Reseller"}  # fmt: skip
STAGE_MAP = {
    "appointmentscheduled": "Qualification",
    "qualifiedtobuy": "Needs Analysis",
    "presentationscheduled": "Value Proposition",
    "decisionmakerboughtin": "Id. Decision Makers",
    "contractsent": "Negotiation/Review",
    "closedwon": "Closed Won",
    "closedlost": "Closed Lost",
}
STAGE_INFO = {s[0]: s for s in STAGES}
NICKNAMES = fd.NICKNAMES
FREE_MAIL = ("gmail.com", "outlook.com", "yahoo.com")


def _note(notes: list[JsonDict], field: str, value: object, kind: str, expected: object) -> None:
    notes.append({"field": field, "value": value, "kind": kind, "expected": expected})


def _near(rng: random.Random, around: int, earliest: int) -> int:
    """A time within a few weeks of ``around`` (HubSpot's), not before ``earliest``, before the epoch."""
    around = min(around, FIXED_EPOCH_MS - 2 * DAY_MS)
    lo = max(earliest, FIXED_EPOCH_MS - gb.SPAN_MS, around - 20 * DAY_MS)
    hi = min(FIXED_EPOCH_MS - DAY_MS, around + 40 * DAY_MS)
    return rng.randrange(lo, hi) if hi > lo else gb.created_between(rng, lo)


# -- organisations ---------------------------------------------------------------------------------
def choose_orgs(rng: random.Random, hub: Directory, n_accounts: int) -> list[gb.Org]:
    """HubSpot organisations to project (~72 %), then invented Salesforce-only ones."""
    if n_accounts <= 0:
        return []
    n_orgs = gb.org_count(n_accounts)
    want = min(len(hub.orgs), round(n_orgs * LINKED_ORG_SHARE))
    deal_customers = {d.account_entity for d in hub.deals if d.partners}
    partners = [o for o in hub.orgs if o.partner and rng.random() < PARTNER_KEEP]
    partners = partners[: min(want, max(1, round(want * 0.3)))]
    picked = {o.entity for o in partners}
    first = [o for o in hub.orgs if not o.partner and o.entity in deal_customers and rng.random() < DEAL_CUSTOMER_KEEP]
    rng.shuffle(first)
    early = {o.entity for o in first}
    rest = [o for o in hub.orgs if o.entity not in picked and o.entity not in early]
    rng.shuffle(rest)
    for org in first + rest:
        if len(picked) >= want:
            break
        picked.add(org.entity)
    taken_domains = set(hub.domains)
    linked = [_org(rng, o, taken_domains) for o in hub.orgs if o.entity in picked]
    invented = gb.invent_orgs(rng, n_orgs - len(linked), set(hub.names), taken_domains)
    for made in invented:  # different companies bearing a HubSpot organisation's name, elsewhere
        if hub.orgs and rng.random() < NAMESAKE_SHARE:
            _namesake(rng, made, rng.choice(hub.orgs), taken_domains)
    return linked + invented


def _namesake(rng: random.Random, org: gb.Org, other: Organisation, taken_domains: set[str]) -> None:
    base, form = fd.split_legal(other.name)
    other_code = country_code(other.country)
    for _ in range(10):
        country, code, city = fd.pick_country(rng)
        if code != other_code:
            break
    else:
        return
    legal = next((f for f in (fd.legal_form(rng, code), *fd.LEGAL_FORMS[code]) if f.lower() != form.lower()), "")
    org.name = f"{base} {legal}".strip()
    org.domain = fd.namesake_domain(base, code, taken_domains)
    org.country, org.code, org.city = country, code, city


def _org(rng: random.Random, hub: Organisation, taken_domains: set[str]) -> gb.Org:
    code = country_code(hub.country)
    country, city = hub.country, hub.city
    if code is None or country is None:  # missing or unknown spelling: keep what HubSpot typed, if anything
        picked_country, code, picked_city = fd.pick_country(rng)
        country, city = country or picked_country, city or picked_city
    if not city:
        city = next(c[3][0] for c in fd.COUNTRIES if c[1] == code)
    domain = hub.domain
    if not domain:  # HubSpot never recorded it; the organisation still has one
        slug = re.sub(r"[^a-z0-9]", "", base_name(hub.name).lower()) or "company"
        domain = gb.unique_domain(f"{slug}.com", taken_domains)
    return gb.Org(
        name=hub.name, domain=domain, country=country, code=code, city=city, partner=hub.partner, duns=hub.duns,
        industry=INDUSTRY_MAP.get(hub.industry or ""), employees=hub.employees or int(rng.lognormvariate(4.5, 1.4)) + 1,
        entity=hub.entity, hub=hub,
    )  # fmt: skip


def _suffix_variant(rng: random.Random, name: str) -> str:
    return fd.legal_variant(rng, name)


def _name(rng: random.Random, name: str, notes: list[JsonDict]) -> str:
    roll = rng.random()
    if roll < 0.14:
        variant = _suffix_variant(rng, name)
    elif roll < 0.20:
        variant = rng.choice((name.upper(), name.lower(), name.title()))
    elif roll < 0.28:
        variant = fd.name_variant(rng, name)
    else:
        return name
    if variant != name:
        _note(notes, "Name", variant, "name_variant", name)
    return variant


def _other_domain(rng: random.Random, domain: str) -> str:
    stem = domain.split(".")[0]
    return rng.choice((f"{stem}.io", f"get{stem}.com", f"{stem}-group.com", f"{stem}hq.com"))


def _website(rng: random.Random, org: gb.Org, hub: Organisation, notes: list[JsonDict]) -> str | None:
    domain = hub.domain
    if not domain:
        if rng.random() < 0.7:
            website = f"https://www.{org.domain}"
            _note(notes, "Website", website, "website_not_in_hubspot", None)
            return website
        return None
    roll = rng.random()
    if roll < 0.08:
        _note(notes, "Website", None, "missing_website", domain)
        return None
    if roll < 0.12:
        website = f"https://www.{_other_domain(rng, domain)}/"
        _note(notes, "Website", website, "different_domain", domain)
        return website
    forms = (f"https://www.{domain}/", f"https://www.{domain}", f"http://www.{domain}", f"www.{domain}", domain,
             f"https://{domain}/", fd.domain_variant(rng, domain), f"https://www.{domain}/about-us",
             f"https://{domain}/en/home")  # fmt: skip
    return rng.choices(forms, (25, 15, 8, 22, 15, 10, 5, 4, 3))[0]


def linked_account(rng: random.Random, index: int, org: gb.Org, duplicate: bool) -> gr.Draft:
    """The Account of a HubSpot organisation, with realistic differences (see the module docstring)."""
    hub = org.hub
    assert hub is not None
    notes: list[JsonDict] = []
    website: str | None
    if duplicate:
        name, website = fd.name_variant(rng, org.name), fd.domain_variant(rng, org.domain)
    else:
        name, website = _name(rng, org.name, notes), _website(rng, org, hub, notes)
    roll = rng.random()
    phone = hub.phone if hub.phone or rng.random() < 0.5 else fd.phone_number(rng, org.code)
    if hub.phone and rng.random() < 0.5:  # the same number, typed the way Salesforce users do
        phone = fd.reformat_phone(rng, org.code, hub.phone)
    if roll < 0.12 and hub.phone:
        phone = fd.phone_number(rng, org.code)
        _note(notes, "Phone", phone, "stale_phone", hub.phone)
    elif roll < 0.27:
        if hub.phone:
            _note(notes, "Phone", None, "missing_phone", hub.phone)
        phone = None
    industry = org.industry
    roll = rng.random()
    if roll < 0.12:
        industry = rng.choice([i for i in INDUSTRIES if i != org.industry])
        _note(notes, "Industry", industry, "stale_industry", org.industry)
    elif roll < 0.18 and industry:
        _note(notes, "Industry", None, "missing_industry", industry)
        industry = None
    duns = hub.duns
    if duns and rng.random() < 0.28:
        _note(notes, "DUNS__c", None, "missing_duns", duns)
        duns = None
    elif not duns and rng.random() < 0.2:
        duns = gb.duns_for(hub.name)
        _note(notes, "DUNS__c", duns, "duns_not_in_hubspot", None)
    account_type, partner = _account_type(rng, hub, notes)
    employees = max(1, int(org.employees * rng.uniform(0.9, 1.1)))
    record: JsonDict = {
        "_org": index,
        "Name": name,
        "Type": account_type,
        "IsPartner": partner,
        "Website": website,
        "Industry": industry,
        "Phone": phone,
        "BillingCity": org.city,
        "BillingCountry": _country(rng, org, notes),
        "NumberOfEmployees": employees,
        "AnnualRevenue": float(employees * rng.randrange(80, 250) * 1000) if rng.random() < 0.6 else None,
        "AccountSource": rng.choice(SOURCES) if rng.random() < 0.7 else None,
        "DUNS__c": duns,
        "CurrencyIsoCode": gb.CURRENCY_BY_COUNTRY.get(org.code, "USD"),
        "OwnerId": rng.choice(gb.CHANNEL_MANAGERS if org.partner else gb.SALES_REPS),
    }
    if notes:  # a duplicate's own name/website spelling is not noted: ``entities`` says it all
        record["_notes"] = notes
    return gr.stamped(rng, _near(rng, hub.created, 0), record)


def _country(rng: random.Random, org: gb.Org, notes: list[JsonDict]) -> str:
    """HubSpot's spelling of the country (~55 %), else its ISO code or another spelling."""
    if rng.random() < 0.55:
        return org.country
    typed = fd.country_spelling(rng, org.code)
    if typed != org.country:
        _note(notes, "BillingCountry", typed, "country_spelling", org.country)
    return typed


def _account_type(rng: random.Random, hub: Organisation, notes: list[JsonDict]) -> tuple[str | None, bool]:
    account_type: str | None
    if hub.partner:
        account_type = PARTNER_TYPE_MAP.get(hub.partner_type or "") or rng.choice(gr.PARTNER_TYPES)
        if rng.random() < 0.1:
            _note(notes, "IsPartner", False, "stale_partner_flag", True)
            return account_type, False
        return account_type, True
    if hub.kind == "CUSTOMER":
        account_type = "Customer - Direct" if rng.random() < 0.7 else "Customer - Channel"
        if rng.random() < 0.06:
            account_type = "Prospect"
            _note(notes, "Type", account_type, "stale_type", hub.kind)
    else:
        account_type = CUSTOMER_TYPE_MAP.get(hub.kind)
    if rng.random() < 0.02:
        _note(notes, "IsPartner", True, "partner_not_in_hubspot", False)
        return account_type, True
    return account_type, False


def linked_level(rng: random.Random, org: gb.Org) -> tuple[int, int, JsonDict | None] | None:
    """``(program, rank, note)`` of a HubSpot partner's membership; ~20 % disagree with HubSpot's tier."""
    hub = org.hub
    if hub is None or hub.tier is None:
        return None
    program = 1 if hub.partner_type == "referral" else 0
    tiers = gb.PROGRAMS[program][2]
    if program == 0:
        true_rank = TIERS.index(hub.tier) + 1 if hub.tier in TIERS else 1
    else:
        true_rank = 1 if hub.tier in ("Registered", "Silver") else 2
    if rng.random() >= 0.2:
        return program, true_rank, None
    if program == 1:
        rank = 3 - true_rank
    else:
        rank = true_rank - 1 if true_rank == len(tiers) or (true_rank > 1 and rng.random() < 0.7) else true_rank + 1
    note = {"field": "Level.Name", "value": tiers[rank - 1], "kind": "tier_mismatch", "expected": hub.tier}
    return program, rank, note


# -- people ----------------------------------------------------------------------------------------
def linked_contacts(
    rng: random.Random, hub: Directory, orgs: list[gb.Org], accounts: list[JsonDict], n: int, used: set[str]
) -> list[gr.Draft]:
    """Contacts for HubSpot people of projected organisations; ``_person`` = (person id, contact id)."""
    by_entity = {o.entity: o for o in orgs if o.entity and o.account_ids}
    by_id = {a["Id"]: a for a in accounts}
    seen: set[str] = set()  # one Contact per HubSpot person, even when HubSpot has them twice
    pool = []
    for p in hub.people:
        if p.entity in by_entity and rng.random() < PEOPLE_SHARE and p.pid not in seen:
            seen.add(p.pid)
            pool.append(p)
    cap = round(n * PEOPLE_CAP)
    if len(pool) > cap:
        pool = [pool[i] for i in sorted(rng.sample(range(len(pool)), cap))]
    drafts: list[gr.Draft] = []
    for person in pool:
        org = by_entity[str(person.entity)]
        drafts.append(_contact(rng, person, org, by_id, used, False))
        if rng.random() < 0.02 and len(drafts) < n:
            drafts.append(_contact(rng, person, org, by_id, used, True))
    return drafts[:n]


def _local(first: str, last: str) -> str:
    return fd.email_local(first, last)


def _fresh(local: str, domain: str, used: set[str]) -> str:
    email, n = f"{local}@{domain}", 2
    while email in used:
        email, n = f"{local}{n}@{domain}", n + 1
    used.add(email)
    return email


def _case_variant(rng: random.Random, email: str) -> str:
    local, _, domain = email.partition("@")
    variant = rng.choice((f"{local.title()}@{domain}", f"{local.title()}@{domain.capitalize()}", email.upper()))
    return variant if variant != email else email.upper()


def _other_email(rng: random.Random, person: Person, org: gb.Org, used: set[str]) -> str:
    first, last = _local(person.first, "").strip("."), _local("", person.last).strip(".")
    first, last = first or "x", last or "contact"
    local, domain = rng.choice(
        ((f"{first[0]}.{last}", org.domain), (first, org.domain), (f"{first[0]}{last}", org.domain),
         (f"{first}.{last}", rng.choice(FREE_MAIL)))
    )  # fmt: skip
    return _fresh(local, domain, used)


def _email(rng: random.Random, person: Person, org: gb.Org, used: set[str], notes: list[JsonDict]) -> str | None:
    if person.email is None:  # HubSpot has no usable address; Salesforce has the real one
        email = _fresh(_local(person.first, person.last), org.domain, used)
        _note(notes, "Email", email, "email_not_in_hubspot", person.raw_email)
        return email
    roll = rng.random()
    if roll < 0.10:
        variant = _case_variant(rng, person.email)
        _note(notes, "Email", variant, "email_case", person.email)
        return variant
    if roll < 0.18:
        other = _other_email(rng, person, org, used)
        _note(notes, "Email", other, "different_email", person.email)
        return other
    if roll < 0.22:
        _note(notes, "Email", None, "missing_email", person.email)
        return None
    return person.email


def _contact(
    rng: random.Random, person: Person, org: gb.Org, by_id: dict[str, JsonDict], used: set[str], again: bool
) -> gr.Draft:
    ids = org.account_ids
    account = by_id[ids[0] if len(ids) == 1 or rng.random() < 0.7 else rng.choice(ids)]
    notes: list[JsonDict] = []
    email = _email(rng, person, org, used, notes)
    first = person.first
    if first in NICKNAMES and rng.random() < 0.12:
        first = NICKNAMES[first]
        _note(notes, "FirstName", first, "nickname", person.first)
    title = person.title
    if rng.random() < 0.15:
        title = rng.choice([t for t in fd.JOB_TITLES if t != person.title])
        _note(notes, "Title", title, "stale_title", person.title)
    phone = person.phone if rng.random() < 0.6 else None
    if phone is None and rng.random() < 0.25:
        phone = fd.phone_number(rng, org.code)
    record: JsonDict = {
        "AccountId": account["Id"] if rng.random() < 0.98 else None,
        "FirstName": first or None,
        "LastName": person.last or "Unknown",
        "Email": email,
        "Title": title,
        "Phone": phone,
        "LeadSource": rng.choice(SOURCES) if rng.random() < 0.5 else None,
        "MailingCity": org.city if rng.random() < 0.6 else None,
        "MailingCountry": org.country if rng.random() < 0.6 else None,
        "OwnerId": account["OwnerId"],
        "_person": (person.pid, person.contact_id),
    }
    if notes:
        record["_notes"] = notes
    created = _near(rng, person.created + (30 * DAY_MS if again else 0), gb.ms_of(account["CreatedDate"]))
    return gr.stamped(rng, created, record)


# -- deals -----------------------------------------------------------------------------------------
def linked_opportunities(
    rng: random.Random, hub: Directory, orgs: list[gb.Org], accounts: list[JsonDict], n: int
) -> list[gr.Draft]:
    """Opportunities for HubSpot partner deals; ``_deal`` = (deal id, HubSpot deal id), ``_partners``."""
    by_entity = {o.entity: o for o in orgs if o.entity and o.account_ids}
    by_id = {a["Id"]: a for a in accounts}
    pool: list[tuple[Deal, gb.Org, list[gb.Org]]] = []
    for deal in hub.deals:
        customer = by_entity.get(deal.account_entity or "")
        partners = list({e: by_entity[e] for e, _ in deal.partners if e in by_entity}.values())
        if customer is None or not partners or rng.random() >= DEAL_SHARE:
            continue
        pool.append((deal, customer, partners))
    cap = min(n, round(n * DEAL_CAP))
    if len(pool) > cap:
        pool = [pool[i] for i in sorted(rng.sample(range(len(pool)), cap))]
    return [_opportunity(rng, deal, customer, partners, by_id) for deal, customer, partners in pool]


def _stage(rng: random.Random, hub_stage: str, notes: list[JsonDict]) -> str:
    stage = STAGE_MAP.get(hub_stage, "Prospecting")
    if rng.random() < 0.12:
        closed = STAGE_INFO[stage][3]
        stale = "Negotiation/Review" if closed else STAGE_NAMES[max(0, STAGE_NAMES.index(stage) - 1)]
        if stale != stage:
            _note(notes, "StageName", stale, "stale_stage", stage)
            return stale
    return stage


def _amount(rng: random.Random, amount: float | None, notes: list[JsonDict]) -> float | None:
    if amount is None:  # HubSpot's is unusable; Salesforce has one
        value = float(rng.randrange(10, 500) * 250)
        _note(notes, "Amount", value, "amount_not_in_hubspot", None)
        return value
    roll = rng.random()
    if roll < 0.08:
        value = float(max(250, round(amount * rng.choice((0.9, 0.95, 1.1)) / 250) * 250))
        _note(notes, "Amount", value, "different_amount", amount)
        return value
    if roll < 0.12:
        _note(notes, "Amount", None, "missing_amount", amount)
        return None
    return float(amount)


def _opportunity(
    rng: random.Random, deal: Deal, customer: gb.Org, partners: list[gb.Org], by_id: dict[str, JsonDict]
) -> gr.Draft:
    ids = customer.account_ids
    account = by_id[ids[0] if len(ids) == 1 or rng.random() < 0.8 else rng.choice(ids)]
    notes: list[JsonDict] = []
    partner_ids: list[str] = []
    for org in partners:
        found = next((i for i in org.account_ids if by_id[i]["IsPartner"]), org.account_ids[0])
        if found not in partner_ids and found != account["Id"]:
            partner_ids.append(found)
    if partner_ids and rng.random() < 0.08:
        _note(notes, "OpportunityPartner", None, "missing_partner", [o.entity for o in partners])
        partner_ids = []
    created = _near(rng, deal.created, gb.ms_of(account["CreatedDate"]))
    stage = _stage(rng, deal.stage, notes)
    _, probability, _, closed, _ = STAGE_INFO[stage]
    close = deal.close_ms if deal.close_ms is not None else created + rng.randrange(14, 270) * DAY_MS
    if rng.random() < 0.1:
        close += rng.choice((-1, 1)) * rng.randrange(3, 45) * DAY_MS
        expected = date_of_ms(deal.close_ms) if deal.close_ms is not None else None
        _note(notes, "CloseDate", date_of_ms(max(close, created)), "different_close_date", expected)
    close = max(close, created)
    if closed:
        close = min(close, FIXED_EPOCH_MS - DAY_MS)
    name = deal.name or f"{account['Name'].split(',')[0]} - {rng.choice(fd.PRODUCTS)}"
    if deal.name and rng.random() < 0.15:
        variant = rng.choice((name.replace(" - ", ": "), f"{name} ({date_of_ms(created)[:4]})", name.upper()))
        if variant != name:
            _note(notes, "Name", variant, "name_variant", name)
            name = variant
    currency = deal.currency if deal.currency in CURRENCIES else account["CurrencyIsoCode"]
    record: JsonDict = {
        "AccountId": account["Id"],
        "Name": name[:120],
        "StageName": stage,
        "Amount": _amount(rng, deal.amount, notes),
        "CurrencyIsoCode": currency if rng.random() < 0.97 else None,
        "CloseDate": date_of_ms(close),
        "Probability": probability if rng.random() < 0.93 else float(rng.choice((5, 25, 40, 65, 80))),
        "Type": rng.choices((*OPP_TYPES, None), (50, 25, 15, 10))[0],
        "LeadSource": "Partner" if partner_ids else rng.choice(SOURCES),
        "PartnerAccountId": partner_ids[0] if partner_ids and rng.random() < 0.8 else None,
        "RecordTypeId": gb.RT_OPPORTUNITY_STANDARD,
        "OwnerId": account["OwnerId"],
        "_partners": partner_ids,
        "_deal": (deal.pid, deal.deal_id),
    }
    if notes:
        record["_notes"] = notes
    return gr.stamped(rng, created, record)


# -- ground truth ----------------------------------------------------------------------------------
def entities(orgs: list[gb.Org]) -> dict[str, list[str]]:
    """Organisation → Account ids: HubSpot's entity ids, ``sf-org-00001``... for Salesforce-only ones."""
    out: dict[str, list[str]] = {}
    n = 0
    for org in sorted((o for o in orgs if o.account_ids), key=lambda o: o.account_ids[0]):
        if org.entity is None:
            n += 1
        out[org.entity or f"sf-org-{n:05d}"] = org.account_ids
    return out


def matches(rows: list[JsonDict], key: str, prefix: str) -> dict[str, JsonDict]:
    """``{id: {"hubspot": [...], "salesforce": [...]}}`` from (and removing) the rows' ``key`` tags."""
    out: dict[str, JsonDict] = {}
    n = 0
    for row in rows:
        tag = row.pop(key, None)
        if tag is None:
            n += 1
            out[f"{prefix}-{n:05d}"] = {"hubspot": [], "salesforce": [row["Id"]]}
        else:
            out.setdefault(tag[0], {"hubspot": [tag[1]], "salesforce": []})["salesforce"].append(row["Id"])
    return out


def discrepancies(object_name: str, rows: list[JsonDict]) -> list[JsonDict]:
    """The rows' ``_notes`` (removed) as discrepancy entries."""
    out = []
    for row in rows:
        for note in row.pop("_notes", ()):
            out.append({"object": object_name, "id": row["Id"], **note})
    return out
