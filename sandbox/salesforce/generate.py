"""Deterministic synthetic Salesforce org: ``generate_world(seed, size, ecosystem=None)``.

``size`` records are split ~18 % Accounts, ~40 % Contacts, ~25 % Opportunities, ~17 % Leads; on top
come Partner/OpportunityPartner rows (~35 % of opportunities have a partner, some two), one
ChannelProgramMember per partner organisation and the fixed Users, RecordTypes, ChannelPrograms and
ChannelProgramLevels of :mod:`.gen_base`.  The same ``(seed, size)`` gives byte-identical JSON;
timestamps lie in the three years before 2026-01-01T00:00:00Z.

Realistic mess, on purpose:

* ~20 % of organisations are partners (``IsPartner`` true, ``Type`` 'Channel Partner / Reseller',
  'Technology Partner' or 'Partner'); ~10 % of them are stale (``Type`` says partner, ``IsPartner``
  false); ~2 % of customers have ``IsPartner`` true; ~5 % of members' ``ChannelProgramLevelName``
  disagree with their ChannelProgramMember level.
* ~3 % of accounts duplicate another organisation (name casing / legal suffix / typo, messy
  ``Website``); ``entities`` lists which account ids are the same organisation.  ``BillingCountry``
  is spelt several ways (USA, US, United States...), phones in many formats, ``DUNS__c`` on ~40 %.
* Contacts: ~6 % e-mails in odd case or with spaces, ~4 % without e-mail, ~2 % without AccountId.
* Opportunities: ~7 % have a stale ``Probability``, ~3 % no ``CurrencyIsoCode``, ~5 % no
  ``Amount``; only ~75 % of partnered ones carry ``PartnerAccountId``.
* Leads: ~40 % are deal registrations (record type ``Deal_Registration``, ``PartnerAccountId``,
  ``Registration_Status__c`` with ~5 % lower-case values, ``Est_Amount__c``,
  ``Expected_Close_Date__c``); some approved ones are converted (``IsConverted``,
  ``ConvertedOpportunityId``...).  ~1 % of Contacts, Opportunities and Leads are in the recycle bin.
* Deliberately bad records (listed in ``defects``; ~0.5 % of ``size``, at least one of each kind
  from 200 records up), cycling through: a Contact whose ``Email`` is ``not-an-email``; an
  Opportunity with a negative ``Amount``; an Account whose ``DUNS__c`` duplicates another
  organisation's (an upsert on that value answers 300); a deal-registration Lead without
  ``PartnerAccountId``; an Opportunity whose ``CurrencyIsoCode`` is ``US$``.

With ``ecosystem`` (a :class:`sandbox.ecosystem.Ecosystem`, or a fixture section / document
holding its records) the world is projected from the shared ecosystem (see :mod:`.gen_linked`):
~70 % of the Accounts are its organisations, a good share of its contacts are Contacts and its
partner deals are Opportunities with partners, the rest exist only in Salesforce.  Ground truth
then uses the ecosystem's ids (which HubSpot's projection keeps, hence the ``hubspot`` keys):
``entities`` is keyed by HubSpot's ``org-…`` ids (``sf-org-…`` for Salesforce-only organisations),
``people`` maps ``person-…`` (HubSpot contacts numbered in id order; ``sf-person-…`` for
Salesforce-only people) to ``{"hubspot": [contact ids], "salesforce": [Contact ids]}``, ``deals``
likewise (``deal-…`` / ``sf-deal-…``) to deal and Opportunity ids, ``discrepancies`` lists the
deliberate disagreements with the ecosystem's records and ``meta.linked_to`` is ``"hubspot"``.
Without ``ecosystem`` the world is exactly the stand-alone one described above.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from sandbox.ecosystem import Directory, Ecosystem
from sandbox.kit.clock import DAY_MS, FIXED_EPOCH_MS
from sandbox.kit.perf import paused_gc
from sandbox.salesforce import gen_base as gb
from sandbox.salesforce import gen_linked as gl
from sandbox.salesforce import gen_records as gr
from sandbox.salesforce.ids import IdAllocator, make_id
from sandbox.salesforce.values import format_datetime
from sandbox.salesforce.world import JsonDict, SalesforceWorld

FIRST_GENERATED = IdAllocator.FIRST + 1000
DEFECT_KINDS = ("bad_email", "negative_amount", "duplicate_duns", "registration_without_partner", "bad_currency")


def split_size(size: int) -> tuple[int, int, int, int]:
    """Numbers of (accounts, contacts, opportunities, leads) for ``size`` records."""
    accounts = max(round(size * 0.18), 1 if size > 0 else 0)
    contacts = min(round(size * 0.40), size - accounts)
    opportunities = min(round(size * 0.25), size - accounts - contacts)
    return accounts, contacts, opportunities, size - accounts - contacts - opportunities


def generate_world(
    seed: int = 7, size: int = 1000, ecosystem: Ecosystem | Mapping[str, Any] | None = None
) -> SalesforceWorld:
    """A deterministic Salesforce world of ``size`` main records, projected from ``ecosystem`` if given."""
    with paused_gc():
        if ecosystem is None:
            return _generate(seed, size)
        return _generate_linked(seed, size, Ecosystem.coerce(ecosystem).directory())


def _assign_ids(rows: list[tuple[int, JsonDict]], prefix: str) -> list[JsonDict]:
    rows.sort(key=lambda row: row[0])
    out = []
    for n, (_, record) in enumerate(rows):
        out.append({"Id": make_id(prefix, FIRST_GENERATED + n), **record})
    return out


def _generate(seed: int, size: int) -> SalesforceWorld:
    rng = random.Random(f"salesforce:{seed}")
    n_acc, n_con, n_opp, n_lead = split_size(size)
    world = SalesforceWorld(
        meta={
            "seed": seed,
            "size": size,
            "epoch": format_datetime(FIXED_EPOCH_MS),
            "organizationId": gb.ORGANIZATION_ID,
        }
    )
    world.objects.update(gb.fixed_records())
    orgs = gb.make_orgs(rng, n_acc) if n_acc else []
    accounts = _assign_ids(gr.make_accounts(rng, orgs, n_acc), "001")
    for account in accounts:
        orgs[account.pop("_org")].account_ids.append(account["Id"])
    members = gr.make_members(rng, orgs, accounts)
    contacts = _assign_ids(gr.make_contacts(rng, orgs, accounts, n_con), "003")
    opportunities = _assign_ids(gr.make_opportunities(rng, orgs, accounts, n_opp), "006")
    partners = _assign_ids(gr.make_partners(rng, orgs, accounts, opportunities), "00I")
    leads = _assign_ids(gr.make_leads(rng, orgs, accounts, contacts, opportunities, n_lead), "00Q")
    for rows in (contacts, opportunities, leads):
        _recycle(rng, rows)
    world.objects["Account"] = accounts
    world.objects["Contact"] = contacts
    world.objects["Opportunity"] = opportunities
    world.objects["Lead"] = leads
    world.objects["Partner"] = partners
    world.objects["OpportunityPartner"] = [gr.opportunity_partner(p) for p in partners]
    world.objects["ChannelProgramMember"] = _assign_ids(members, "0Hm")
    ordered = sorted((o for o in orgs if o.account_ids), key=lambda o: o.account_ids[0])
    world.entities = {f"org-{n + 1:05d}": o.account_ids for n, o in enumerate(ordered)}
    world.defects = _inject_defects(rng, world, size)
    return world


def _generate_linked(seed: int, size: int, hub: Directory) -> SalesforceWorld:
    rng = random.Random(f"salesforce:{seed}")
    n_acc, n_con, n_opp, n_lead = split_size(size)
    world = SalesforceWorld(
        meta={
            "seed": seed,
            "size": size,
            "epoch": format_datetime(FIXED_EPOCH_MS),
            "organizationId": gb.ORGANIZATION_ID,
            "linked_to": "hubspot",
        }
    )
    world.objects.update(gb.fixed_records())
    orgs = gl.choose_orgs(rng, hub, n_acc)
    accounts = _assign_ids(gr.make_accounts(rng, orgs, n_acc, gl.linked_account), "001")
    for account in accounts:
        orgs[account.pop("_org")].account_ids.append(account["Id"])
    members = _assign_ids(gr.make_members(rng, orgs, accounts, gl.linked_level), "0Hm")
    used = set(hub.emails)
    drafts = gl.linked_contacts(rng, hub, orgs, accounts, n_con, used)
    domain_of = {o.entity: o.domain for o in orgs if o.entity}
    names_at = {(domain_of[p.entity], p.first, p.last) for p in hub.people if p.entity in domain_of}
    rest = gr.make_contacts(rng, orgs, accounts, n_con - len(drafts), used, names_at)
    contacts = _assign_ids(drafts + rest, "003")
    drafts = gl.linked_opportunities(rng, hub, orgs, accounts, n_opp)
    rest = gr.make_opportunities(rng, orgs, accounts, n_opp - len(drafts), gl.OTHER_PARTNER_SHARE)
    opportunities = _assign_ids(drafts + rest, "006")
    partners = _assign_ids(gr.make_partners(rng, orgs, accounts, opportunities), "00I")
    leads = _assign_ids(gr.make_leads(rng, orgs, accounts, contacts, opportunities, n_lead, used), "00Q")
    for rows in (contacts, opportunities, leads):
        _recycle(rng, rows)
    world.objects["Account"] = accounts
    world.objects["Contact"] = contacts
    world.objects["Opportunity"] = opportunities
    world.objects["Lead"] = leads
    world.objects["Partner"] = partners
    world.objects["OpportunityPartner"] = [gr.opportunity_partner(p) for p in partners]
    world.objects["ChannelProgramMember"] = members
    world.entities = gl.entities(orgs)
    world.people = gl.matches(contacts, "_person", "sf-person")
    world.deals = gl.matches(opportunities, "_deal", "sf-deal")
    for name, rows in (("Account", accounts), ("ChannelProgramMember", members), ("Contact", contacts),
                       ("Opportunity", opportunities)):  # fmt: skip
        world.discrepancies.extend(gl.discrepancies(name, rows))
    world.defects = _inject_defects(rng, world, size)
    return world


def _recycle(rng: random.Random, rows: list[JsonDict]) -> None:
    """Put ~1 % of the records in the recycle bin."""
    for record in rows:
        if rng.random() < 0.01:
            record["IsDeleted"] = True
            record["SystemModstamp"] = format_datetime(FIXED_EPOCH_MS - rng.randrange(1, 20) * DAY_MS // 2)


def _inject_defects(rng: random.Random, world: SalesforceWorld, size: int) -> list[JsonDict]:
    if size < 200:
        return []
    count = max(len(DEFECT_KINDS), round(size * 0.005))
    live = {n: [r for r in world.records(n) if not r.get("IsDeleted")] for n in ("Account", "Contact", "Opportunity")}
    registrations = [
        r for r in world.records("Lead") if r.get("RecordTypeId") == gb.RT_DEAL_REGISTRATION and not r.get("IsDeleted")
    ]
    used: set[str] = set()
    defects: list[JsonDict] = []

    def pick(rows: list[JsonDict]) -> JsonDict | None:
        for _ in range(50 if rows else 0):
            record = rng.choice(rows)
            if record["Id"] not in used:
                used.add(record["Id"])
                return record
        return None

    for n in range(count):
        kind = DEFECT_KINDS[n % len(DEFECT_KINDS)]
        if kind == "bad_email" and (record := pick(live["Contact"])):
            record["Email"] = "not-an-email"
            defects.append(
                {
                    "object": "Contact",
                    "id": record["Id"],
                    "field": "Email",
                    "kind": kind,
                    "reason": "Email is not a valid address",
                }
            )
        elif kind == "negative_amount" and (record := pick(live["Opportunity"])):
            record["Amount"] = -float(rng.randrange(1, 50) * 100)
            defects.append(
                {
                    "object": "Opportunity",
                    "id": record["Id"],
                    "field": "Amount",
                    "kind": kind,
                    "reason": "Amount is negative",
                }
            )
        elif kind == "duplicate_duns" and (first := pick(live["Account"])) and (second := pick(live["Account"])):
            first["DUNS__c"] = first.get("DUNS__c") or f"{rng.randrange(10**8, 10**9)}"
            second["DUNS__c"] = first["DUNS__c"]
            defects.append(
                {
                    "object": "Account",
                    "id": second["Id"],
                    "field": "DUNS__c",
                    "kind": kind,
                    "other": first["Id"],
                    "reason": "DUNS__c duplicates another organisation's DUNS",
                }
            )
        elif kind == "registration_without_partner" and (record := pick(registrations)):
            record["PartnerAccountId"] = None
            defects.append(
                {
                    "object": "Lead",
                    "id": record["Id"],
                    "field": "PartnerAccountId",
                    "kind": kind,
                    "reason": "deal registration without a partner account",
                }
            )
        elif kind == "bad_currency" and (record := pick(live["Opportunity"])):
            record["CurrencyIsoCode"] = "US$"
            defects.append(
                {
                    "object": "Opportunity",
                    "id": record["Id"],
                    "field": "CurrencyIsoCode",
                    "kind": kind,
                    "reason": "CurrencyIsoCode is not an ISO 4217 code",
                }
            )
    return defects
