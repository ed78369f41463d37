"""Drafting the generated Accounts, members, Contacts, Opportunities, Partners and Leads.

Each ``make_*`` returns ``(created_ms, record)`` pairs (ids are assigned by the caller in creation
order) except where a record needs ids of others, which are then already assigned.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from sandbox.kit import fakedata as fd
from sandbox.kit.clock import DAY_MS, FIXED_EPOCH_MS
from sandbox.salesforce import gen_base as gb
from sandbox.salesforce.objects import OPP_TYPES, SOURCES, STAGES
from sandbox.salesforce.values import date_of_ms
from sandbox.salesforce.world import JsonDict

Draft = tuple[int, JsonDict]
LinkedAccount = Callable[[random.Random, int, gb.Org, bool], Draft]
LinkedLevel = Callable[[random.Random, gb.Org], tuple[int, int, JsonDict | None] | None]
PARTNER_TYPES = ("Channel Partner / Reseller", "Technology Partner", "Partner")
CUSTOMER_TYPES = ("Customer - Direct", "Customer - Channel", "Prospect", "Other", None)
STAGE_WEIGHTS = (8, 8, 7, 7, 6, 6, 8, 8, 25, 17)
REG_STATUSES = ("Draft", "Submitted", "In Review", "Approved", "Rejected", "Expired")
REG_WEIGHTS = (7, 25, 15, 33, 12, 8)


def stamped(rng: random.Random, created: int, record: JsonDict) -> Draft:
    modified, modstamp = gb.modified_after(rng, created)
    record.update(gb.system(created, modified, modstamp))
    record["IsDeleted"] = False
    return created, record


def make_accounts(rng: random.Random, orgs: list[gb.Org], n: int, linked: LinkedAccount | None = None) -> list[Draft]:
    """Accounts; ``_org`` (removed by the caller) is the organisation index.

    ``linked`` drafts the accounts of organisations that come from HubSpot (``org.hub`` set).
    """
    if not orgs:
        return []
    sequence = list(range(len(orgs))) + [rng.randrange(len(orgs)) for _ in range(n - len(orgs))]
    rng.shuffle(sequence)
    seen: set[int] = set()
    drafts = []
    for index in sequence:
        org, duplicate = orgs[index], index in seen
        seen.add(index)
        if linked is not None and org.hub is not None:
            drafts.append(linked(rng, index, org, duplicate))
            continue
        website: str | None = f"www.{org.domain}" if rng.random() < 0.5 else org.domain
        if duplicate or rng.random() < 0.1:
            website = fd.domain_variant(rng, org.domain)
        if not duplicate and rng.random() < 0.08:
            website = None
        partner = org.partner if rng.random() < 0.9 else False
        if not org.partner and rng.random() < 0.02:
            partner = True
        employees = max(1, int(org.employees * rng.uniform(0.9, 1.1)))
        record: JsonDict = {
            "_org": index,
            "Name": fd.name_variant(rng, org.name) if duplicate else org.name,
            "Type": rng.choice(PARTNER_TYPES) if org.partner else rng.choices(CUSTOMER_TYPES, (45, 15, 25, 5, 10))[0],
            "IsPartner": partner,
            "Website": website,
            "Industry": org.industry,
            "Phone": fd.phone_number(rng, org.code) if rng.random() < 0.85 else None,
            "BillingCity": org.city,
            "BillingCountry": org.country,
            "NumberOfEmployees": employees,
            "AnnualRevenue": float(employees * rng.randrange(80, 250) * 1000) if rng.random() < 0.6 else None,
            "AccountSource": rng.choice(SOURCES) if rng.random() < 0.7 else None,
            "DUNS__c": org.duns if org.duns and rng.random() < 0.9 else None,
            "CurrencyIsoCode": gb.CURRENCY_BY_COUNTRY.get(org.code, "USD"),
            "OwnerId": rng.choice(gb.CHANNEL_MANAGERS if org.partner else gb.SALES_REPS),
        }
        drafts.append(stamped(rng, gb.created_between(rng, 0), record))
    return drafts


def make_members(
    rng: random.Random, orgs: list[gb.Org], accounts: list[JsonDict], level: LinkedLevel | None = None
) -> list[Draft]:
    """One ChannelProgramMember per partner organisation (its first partner account).

    ``level`` picks ``(program, rank, discrepancy note)`` for organisations that come from HubSpot
    (``None`` = draw at random as for the others).
    """
    by_id = {a["Id"]: a for a in accounts}
    drafts = []
    for org in orgs:
        account = next((by_id[i] for i in org.account_ids if by_id[i]["IsPartner"]), None)
        if account is None:
            continue
        chosen = level(rng, org) if level is not None and org.hub is not None else None
        note = None
        if chosen is None:
            program = 0 if rng.random() < 0.8 else 1
            name, _, tiers = gb.PROGRAMS[program]
            rank = rng.choices(range(1, len(tiers) + 1), (40, 30, 20, 10)[: len(tiers)])[0]
        else:
            program, rank, note = chosen
            name, _, tiers = gb.PROGRAMS[program]
        account["ChannelProgramName"] = name
        account["ChannelProgramLevelName"] = tiers[rank - 1] if rng.random() < 0.95 else rng.choice(tiers)
        created = gb.created_between(rng, gb.ms_of(account["CreatedDate"]))
        record: JsonDict = {
            "PartnerId": account["Id"],
            "ProgramId": gb.fixed_id("0Hp", program),
            "LevelId": gb.level_id(program, rank),
        }
        if note is not None:
            record["_notes"] = [note]
        drafts.append(stamped(rng, created, record))
    return drafts


def _email(rng: random.Random, first: str, last: str, domain: str, used: set[str]) -> str:
    local = fd.email_local(first, last)
    email, n = f"{local}@{domain}", 2
    while email in used:
        email, n = f"{local}{n}@{domain}", n + 1
    used.add(email)
    return email


def make_contacts(
    rng: random.Random,
    orgs: list[gb.Org],
    accounts: list[JsonDict],
    n: int,
    used: set[str] | None = None,
    names_at: set[tuple[str, str, str]] | None = None,
) -> list[Draft]:
    """Contacts spread over the accounts; ``used`` holds (lower-case) e-mails already taken.

    ``names_at`` holds ``(organisation domain, first, last)`` of people already there: a new person
    never bears the name of another person of the same organisation.
    """
    used = set() if used is None else used
    names_at = set() if names_at is None else names_at
    drafts = []
    org_of = {i: o for o in orgs for i in o.account_ids}
    for _ in range(n if accounts else 0):
        account = rng.choice(accounts)
        org = org_of[account["Id"]]
        for _ in range(20):
            first, last = rng.choice(fd.FIRST_NAMES), rng.choice(fd.LAST_NAMES)
            if (org.domain, first, last) not in names_at:
                break
        names_at.add((org.domain, first, last))
        email: str | None = _email(rng, first, last, org.domain, used)
        roll = rng.random()
        if roll < 0.06:
            email = fd.email_variant(rng, str(email))
        elif roll < 0.10:
            email = None
        record: JsonDict = {
            "AccountId": account["Id"] if rng.random() < 0.98 else None,
            "FirstName": first,
            "LastName": last,
            "Email": email,
            "Title": rng.choice(fd.JOB_TITLES),
            "Phone": fd.phone_number(rng, org.code) if rng.random() < 0.7 else None,
            "LeadSource": rng.choice(SOURCES) if rng.random() < 0.5 else None,
            "MailingCity": org.city if rng.random() < 0.6 else None,
            "MailingCountry": org.country if rng.random() < 0.6 else None,
            "OwnerId": account["OwnerId"],
        }
        drafts.append(stamped(rng, gb.created_between(rng, gb.ms_of(account["CreatedDate"])), record))
    return drafts


def make_opportunities(
    rng: random.Random, orgs: list[gb.Org], accounts: list[JsonDict], n: int, partner_share: float = 0.35
) -> list[Draft]:
    """Opportunities on customer accounts; ``_partners`` (removed later) lists partner account ids."""
    partner_ids = [a["Id"] for a in accounts if a["IsPartner"]]
    customers = [a for a in accounts if not a["IsPartner"]] or accounts
    drafts = []
    for _ in range(n if accounts else 0):
        account = rng.choice(customers)
        created = gb.created_between(rng, gb.ms_of(account["CreatedDate"]))
        stage, probability, _, closed, _ = rng.choices(STAGES, STAGE_WEIGHTS)[0]
        close = created + rng.randrange(14, 270) * DAY_MS
        if closed:
            close = min(close, FIXED_EPOCH_MS - DAY_MS)
        amount = rng.randrange(10, 500) * 250 + rng.choice((0, 0, 0, 0.5, 99.99))
        partners: list[str] = []
        if partner_ids and rng.random() < partner_share:
            partners.append(rng.choice(partner_ids))
            if len(partner_ids) > 1 and rng.random() < 0.12:
                partners.append(rng.choice([p for p in partner_ids if p != partners[0]]))
        record: JsonDict = {
            "AccountId": account["Id"],
            "Name": f"{account['Name'].split(',')[0]} - {rng.choice(fd.PRODUCTS)}",
            "StageName": stage,
            "Amount": float(amount) if rng.random() < 0.95 else None,
            "CurrencyIsoCode": account["CurrencyIsoCode"] if rng.random() < 0.97 else None,
            "CloseDate": date_of_ms(close),
            "Probability": probability if rng.random() < 0.93 else float(rng.choice((5, 25, 40, 65, 80))),
            "Type": rng.choices((*OPP_TYPES, None), (50, 25, 15, 10))[0],
            "LeadSource": "Partner" if partners else rng.choice(SOURCES),
            "PartnerAccountId": partners[0] if partners and rng.random() < 0.75 else None,
            "RecordTypeId": gb.RT_OPPORTUNITY_STANDARD,
            "OwnerId": account["OwnerId"],
            "_partners": partners,
        }
        drafts.append(stamped(rng, created, record))
    return drafts


def make_partners(
    rng: random.Random, orgs: list[gb.Org], accounts: list[JsonDict], opportunities: list[JsonDict]
) -> list[Draft]:
    """Partner rows (with ``OpportunityId``) for the opportunities' ``_partners``."""
    drafts = []
    for opp in opportunities:
        for n, partner_id in enumerate(opp.pop("_partners")):
            role = rng.choice(("VAR/Reseller", "System Integrator", "Distributor")) if n == 0 else "Consultant"
            created = gb.created_between(rng, gb.ms_of(opp["CreatedDate"]))
            record = {
                "OpportunityId": opp["Id"],
                "AccountFromId": opp["AccountId"],
                "AccountToId": partner_id,
                "Role": role,
                "IsPrimary": n == 0,
            }
            record.update(gb.system(created))
            record["IsDeleted"] = False
            drafts.append((created, record))
    return drafts


def opportunity_partner(partner: JsonDict) -> JsonDict:
    """The OpportunityPartner view of a Partner row (same Id)."""
    skip = ("AccountFromId",)
    return {k: v for k, v in partner.items() if k not in skip}


def make_leads(
    rng: random.Random,
    orgs: list[gb.Org],
    accounts: list[JsonDict],
    contacts: list[JsonDict],
    opportunities: list[JsonDict],
    n: int,
    used: set[str] | None = None,
) -> list[Draft]:
    """Standard leads and deal registrations (some converted); ``used``: e-mails already taken."""
    partner_ids = [a["Id"] for a in accounts if a["IsPartner"]]
    org_of = {i: o for o in orgs for i in o.account_ids}
    opps_by_account: dict[str, list[JsonDict]] = {}
    for opp in opportunities:
        opps_by_account.setdefault(opp["AccountId"], []).append(opp)
    contacts_by_account: dict[str, list[str]] = {}
    for contact in contacts:
        if contact["AccountId"]:
            contacts_by_account.setdefault(contact["AccountId"], []).append(contact["Id"])
    customers = [a for a in accounts if not a["IsPartner"]]
    used = set() if used is None else used
    drafts = []
    for _ in range(n):
        account = rng.choice(customers) if customers and rng.random() < 0.5 else None
        org = org_of[account["Id"]] if account else None
        company = fd.name_variant(rng, org.name) if org and rng.random() < 0.3 else (org.name if org else None)
        if company is None:
            company = f"{rng.choice(fd.NAME_HEADS)} {rng.choice(fd.NAME_TAILS)}"
        domain = org.domain if org else re.sub(r"[^a-z]", "", company.lower()) + ".com"
        first, last = rng.choice(fd.FIRST_NAMES), rng.choice(fd.LAST_NAMES)
        created = gb.created_between(rng, gb.ms_of(account["CreatedDate"]) if account else 0)
        registration = bool(partner_ids) and rng.random() < 0.4
        status = ""
        record: JsonDict = {
            "FirstName": first,
            "LastName": last,
            "Company": company,
            "Email": _email(rng, first, last, domain, used),
            "Title": rng.choice(fd.JOB_TITLES),
            "Country": org.country if org else None,
            "Industry": org.industry if org else None,
            "IsConverted": False,
            "Status": rng.choices(
                ("Open - Not Contacted", "Working - Contacted", "Closed - Not Converted"), (50, 35, 15)
            )[0],
            "LeadSource": rng.choice(SOURCES),
            "RecordTypeId": gb.RT_LEAD_STANDARD if rng.random() < 0.95 else None,
            "OwnerId": rng.choice(gb.SALES_REPS),
        }
        if registration:
            status = rng.choices(REG_STATUSES, REG_WEIGHTS)[0]
            record.update(
                {
                    "RecordTypeId": gb.RT_DEAL_REGISTRATION,
                    "LeadSource": "Partner",
                    "OwnerId": rng.choice(gb.CHANNEL_MANAGERS),
                    "PartnerAccountId": rng.choice(partner_ids),
                    "Registration_Status__c": status.lower() if rng.random() < 0.05 else status,
                    "Est_Amount__c": float(rng.randrange(20, 400) * 250),
                    "Expected_Close_Date__c": date_of_ms(created + rng.randrange(30, 180) * DAY_MS),
                    "CurrencyIsoCode": gb.CURRENCY_BY_COUNTRY.get(org.code, "USD") if org else "USD",
                }
            )
        converts = (
            account
            and opps_by_account.get(account["Id"])
            and ((registration and status == "Approved" and rng.random() < 0.5) or rng.random() < 0.05)
        )
        if account and converts:
            opp = rng.choice(opps_by_account[account["Id"]])
            people = contacts_by_account.get(account["Id"])
            created = min(created, gb.ms_of(opp["CreatedDate"]))
            record.update(
                {
                    "IsConverted": True,
                    "Status": "Closed - Converted",
                    "ConvertedDate": date_of_ms(gb.ms_of(opp["CreatedDate"])),
                    "ConvertedAccountId": account["Id"],
                    "ConvertedOpportunityId": opp["Id"],
                    "ConvertedContactId": rng.choice(people) if people else None,
                }
            )
            if registration:
                record["Registration_Status__c"] = "Converted"
        drafts.append(stamped(rng, created, record))
    return drafts
