"""``POST /_sandbox/mutate``: deterministic changes to the live data, for incremental-sync tests.

Body: ``{"object": "Account", "count": 10, "create": 0, "delete": 0, "convert": 0, "seed": 1}``
(``object`` one of Account, Contact, Opportunity, Lead).  With the same seed and data the same
records are picked and changed the same way.  Updates change one visible field (Account: Phone,
Website, Industry or NumberOfEmployees; Contact: Title, Phone or LastName; Opportunity: the next
StageName or a higher Amount; Lead: Status, or a deal registration's ``Registration_Status__c``)
through the normal write path: timestamps move, outbound messages fire.  ``convert`` (Lead only)
converts unconverted leads: a new Account (unless one has the Company name), Contact and
Opportunity are created and the lead gets ``IsConverted``, ``ConvertedDate`` and the
``Converted*Id`` fields.
"""

from __future__ import annotations

import random
from typing import Any

from sandbox.kit import fakedata as fd
from sandbox.kit.clock import DAY_MS
from sandbox.salesforce import writes
from sandbox.salesforce.objects import INDUSTRIES, REGISTRATION_STATUSES, STAGE_NAMES
from sandbox.salesforce.state import SalesforceState
from sandbox.salesforce.store import Record
from sandbox.salesforce.values import date_of_ms

OBJECTS = ("Account", "Contact", "Opportunity", "Lead")


class MutateSpecError(ValueError):
    """The mutate request is invalid."""


def _count(body: dict[str, Any], key: str) -> int:
    value = body.get(key, 0) or 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100_000:
        raise MutateSpecError(f"'{key}' must be an integer between 0 and 100000")
    return value


def mutate(state: SalesforceState, body: dict[str, Any]) -> dict[str, Any]:
    """Apply the changes; return the affected ids."""
    obj = state.store.resolve(str(body.get("object", "")))
    if obj is None or obj.name not in OBJECTS:
        raise MutateSpecError(f"'object' must be one of {', '.join(OBJECTS)}")
    count, create, delete, convert = (_count(body, k) for k in ("count", "create", "delete", "convert"))
    if convert and obj.name != "Lead":
        raise MutateSpecError("'convert' applies to Lead only")
    rng = random.Random(f"{body.get('seed', 0)}:{obj.name}")
    table = state.store.tables[obj.name]
    live = [r["Id"] for r in table.live()]
    updated = sorted(rng.sample(live, min(count, len(live))))
    for record_id in updated:
        record = table.rows[record_id]
        writes.update(state, obj, record, writes.prepare(state, obj, _change(rng, obj.name, record), creating=False))
    created = [
        writes.create(state, obj, writes.prepare(state, obj, _new(state, rng, obj.name), creating=True))["Id"]
        for _ in range(create)
    ]
    touched = set(updated)
    candidates = [r["Id"] for r in table.live() if r["Id"] not in touched and not r.get("IsConverted")]
    converted = sorted(rng.sample(candidates, min(convert, len(candidates)))) if convert else []
    for record_id in converted:
        _convert(state, rng, table.rows[record_id])
    touched.update(converted)
    remaining = [i for i in (r["Id"] for r in table.live()) if i not in touched and i not in created]
    deleted = sorted(rng.sample(remaining, min(delete, len(remaining))))
    for record_id in deleted:
        writes.delete(state, obj, table.rows[record_id])
    state.mutations += 1
    return {
        "object": obj.name,
        "updated": updated,
        "created": created,
        "converted": converted,
        "deleted": deleted,
        "ids": updated + created + converted + deleted,
    }


def _change(rng: random.Random, name: str, record: Record) -> dict[str, Any]:
    if name == "Account":
        field = rng.choice(("Phone", "Website", "Industry", "NumberOfEmployees"))
        if field == "Phone":
            return {"Phone": fd.phone_number(rng, "US")}
        if field == "Website":
            return {"Website": f"www.{rng.choice(fd.NAME_HEADS).lower()}{rng.randrange(100, 999)}.com"}
        if field == "Industry":
            return {"Industry": rng.choice([i for i in INDUSTRIES if i != record["Industry"]])}
        return {"NumberOfEmployees": (record["NumberOfEmployees"] or 10) + rng.randrange(1, 50)}
    if name == "Contact":
        field = rng.choice(("Title", "Phone", "LastName"))
        if field == "Title":
            return {"Title": rng.choice([t for t in fd.JOB_TITLES if t != record["Title"]])}
        if field == "Phone":
            return {"Phone": fd.phone_number(rng, "GB")}
        return {"LastName": rng.choice([n for n in fd.LAST_NAMES if n != record["LastName"]])}
    if name == "Opportunity":
        stage = record["StageName"]
        if stage in STAGE_NAMES[:-2] and rng.random() < 0.5:
            return {"StageName": STAGE_NAMES[STAGE_NAMES.index(stage) + 1]}
        return {"Amount": round((record["Amount"] or 10_000.0) * rng.uniform(1.05, 1.5) + 1, 2)}
    if record["Registration_Status__c"]:
        options = [s for s in REGISTRATION_STATUSES if s.lower() != str(record["Registration_Status__c"]).lower()]
        return {"Registration_Status__c": rng.choice(options[:5])}
    return {
        "Status": rng.choice(
            [
                s
                for s in ("Working - Contacted", "Closed - Not Converted", "Open - Not Contacted")
                if s != record["Status"]
            ]
        )
    }


def _new(state: SalesforceState, rng: random.Random, name: str) -> dict[str, Any]:
    accounts = [a for a in state.store.tables["Account"].live() if not a["IsPartner"]]
    first, last = rng.choice(fd.FIRST_NAMES), rng.choice(fd.LAST_NAMES)
    company = f"{rng.choice(fd.NAME_HEADS)} {rng.choice(fd.NAME_HEADS)} {rng.choice(fd.NAME_TAILS)}"
    if name == "Account" or not accounts:
        return {
            "Name": company,
            "Type": "Prospect",
            "Website": f"{company.lower().replace(' ', '')}.com",
            "BillingCountry": "United States",
            "Phone": fd.phone_number(rng, "US"),
            "CurrencyIsoCode": "USD",
        }
    account = rng.choice(accounts)
    if name == "Contact":
        return {
            "AccountId": account["Id"],
            "FirstName": first,
            "LastName": last,
            "Title": rng.choice(fd.JOB_TITLES),
            "Email": f"{first}.{last}.{rng.randrange(10_000)}@example.com".lower().replace("'", ""),
        }
    close = date_of_ms(state.clock.now_ms() + 90 * DAY_MS)
    if name == "Opportunity":
        return {
            "AccountId": account["Id"],
            "Name": f"{account['Name']} - {rng.choice(fd.PRODUCTS)}",
            "StageName": "Prospecting",
            "CloseDate": close,
            "Amount": float(rng.randrange(10, 500) * 250),
            "CurrencyIsoCode": account["CurrencyIsoCode"] or "USD",
        }
    partners = [a["Id"] for a in state.store.tables["Account"].live() if a["IsPartner"]]
    lead = {
        "FirstName": first,
        "LastName": last,
        "Company": account["Name"],
        "Email": f"{first}.{last}@example.com".lower(),
    }
    if partners and rng.random() < 0.5:
        record_type = next(
            (r["Id"] for r in state.store.tables["RecordType"].live() if r["DeveloperName"] == "Deal_Registration"),
            None,
        )
        lead.update(
            {
                "RecordTypeId": record_type,
                "PartnerAccountId": rng.choice(partners),
                "LeadSource": "Partner",
                "Registration_Status__c": "Submitted",
                "Est_Amount__c": float(rng.randrange(20, 400) * 250),
                "Expected_Close_Date__c": close,
                "CurrencyIsoCode": "USD",
            }
        )
    return lead


def _convert(state: SalesforceState, rng: random.Random, lead: Record) -> None:
    store = state.store
    objects = store.objects
    account = next(
        (a for a in store.tables["Account"].live() if str(a["Name"]).lower() == str(lead["Company"]).lower()), None
    )
    if account is None:
        account = writes.create(state, objects["Account"], {"Name": lead["Company"], "Type": "Prospect"})
    contact = writes.create(
        state,
        objects["Contact"],
        {
            "AccountId": account["Id"],
            "FirstName": lead["FirstName"],
            "LastName": lead["LastName"],
            "Email": lead["Email"],
        },
    )
    opportunity = writes.create(
        state,
        objects["Opportunity"],
        {
            "AccountId": account["Id"],
            "Name": f"{lead['Company']} - {rng.choice(fd.PRODUCTS)}",
            "StageName": "Qualification",
            "CloseDate": lead["Expected_Close_Date__c"] or date_of_ms(state.clock.now_ms() + 60 * DAY_MS),
            "Amount": lead["Est_Amount__c"],
            "CurrencyIsoCode": lead["CurrencyIsoCode"],
            "PartnerAccountId": lead["PartnerAccountId"],
            "LeadSource": lead["LeadSource"],
        },
    )
    changes: dict[str, Any] = {
        "IsConverted": True,
        "Status": "Closed - Converted",
        "ConvertedDate": date_of_ms(state.clock.now_ms()),
        "ConvertedAccountId": account["Id"],
        "ConvertedContactId": contact["Id"],
        "ConvertedOpportunityId": opportunity["Id"],
    }
    if lead["Registration_Status__c"]:
        changes["Registration_Status__c"] = "Converted"
    writes.update(state, objects["Lead"], lead, changes)
