"""``POST /_sandbox/mutate``: deterministic changes to the live data, for incremental-sync tests.

Body: ``{"object": "companies", "count": 10, "create": 0, "archive": 0, "seed": 1}``.  With the
same seed and the same current data the same records are picked and changed the same way.
Updates change a visible mapped property (companies: name/phone/city, contacts: phone/jobtitle/
lastname, deals: amount/dealstage) and bump ``updatedAt`` and the last-modified property to the
simulator's clock (non-decreasing).  Changes are made as a CRM user: webhook events carry
``changeSource: "CRM"``.  Created records get valid properties and associations
(contact → company, deal → customer company and one of its contacts).
"""

from __future__ import annotations

import random
import re
from typing import Any

from sandbox.hubspot import operations as ops
from sandbox.hubspot.records import Record
from sandbox.hubspot.schema import DEAL_STAGES, normalize_object_type
from sandbox.hubspot.state import HubSpotState
from sandbox.kit import fakedata as fd

NAME_SUFFIXES = ("Group", "Holdings", "International", "Global")


class MutateSpecError(ValueError):
    """The mutate request is invalid."""


def _count(body: dict[str, Any], key: str) -> int:
    try:
        value = int(body.get(key, 0) or 0)
    except (TypeError, ValueError):
        raise MutateSpecError(f"'{key}' must be an integer") from None
    if value < 0 or value > 100_000:
        raise MutateSpecError(f"'{key}' must be between 0 and 100000")
    return value


def mutate(state: HubSpotState, body: dict[str, Any]) -> dict[str, Any]:
    """Apply updates, creations and archivals; return the affected ids."""
    object_type = normalize_object_type(str(body.get("object", "")))
    if object_type is None:
        raise MutateSpecError("'object' must be companies, contacts or deals")
    seed = body.get("seed", 0)
    count, create, archive = _count(body, "count"), _count(body, "create"), _count(body, "archive")
    rng = random.Random(f"{seed}:{object_type}")
    table = state.store.tables[object_type]
    live_ids = [r.id for r in table.live()]
    updated = sorted(rng.sample(live_ids, min(count, len(live_ids))))
    for record_id in updated:
        record = table.records[record_id]
        ops.update(state, object_type, record, _change(rng, object_type, record), source="CRM")
    created = [_create(state, rng, object_type).id for _ in range(create)]
    touched = set(updated)
    remaining = [i for i in live_ids if i not in touched]
    archived = sorted(rng.sample(remaining, min(archive, len(remaining))))
    for record_id in archived:
        ops.archive(state, object_type, table.records[record_id], source="CRM")
    state.mutations += 1
    as_str = [str(i) for i in updated], [str(i) for i in created], [str(i) for i in archived]
    return {
        "object": object_type,
        "updated": as_str[0],
        "created": as_str[1],
        "archived": as_str[2],
        "ids": as_str[0] + as_str[1] + as_str[2],
    }


def _change(rng: random.Random, object_type: str, record: Record) -> dict[str, str]:
    props = record.properties
    if object_type == "companies":
        field = rng.choice(("name", "phone", "city"))
        if field == "name":
            return {"name": _rename(rng, props.get("name", "Unnamed"))}
        if field == "phone":
            return {"phone": _different(rng, props.get("phone"), lambda: fd.phone_number(rng, "US"))}
        return {"city": _different(rng, props.get("city"), lambda: rng.choice(rng.choice(fd.COUNTRIES)[3]))}
    if object_type == "contacts":
        field = rng.choice(("phone", "jobtitle", "lastname"))
        if field == "phone":
            return {"phone": _different(rng, props.get("phone"), lambda: fd.phone_number(rng, "GB"))}
        if field == "jobtitle":
            return {"jobtitle": _different(rng, props.get("jobtitle"), lambda: rng.choice(fd.JOB_TITLES))}
        return {"lastname": _different(rng, props.get("lastname"), lambda: rng.choice(fd.LAST_NAMES))}
    stage = props.get("dealstage", "")
    if stage in DEAL_STAGES[:-2] and rng.random() < 0.5:
        return {"dealstage": DEAL_STAGES[DEAL_STAGES.index(stage) + 1]}
    try:
        amount = float(props.get("amount", ""))
    except ValueError:
        amount = 10_000.0
    return {"amount": f"{round(amount * rng.uniform(1.05, 1.5) + 1, 2):.2f}"}


def _rename(rng: random.Random, name: str) -> str:
    words = name.split()
    if len(words) > 1 and words[-1] in NAME_SUFFIXES:
        return " ".join(words[:-1])
    return f"{name} {rng.choice(NAME_SUFFIXES)}"


def _different(rng: random.Random, current: str | None, make: Any) -> str:
    for _ in range(20):
        value: str = make()
        if value != current:
            return value
    return f"{current or ''} ({rng.randrange(1000)})".strip()


def _create(state: HubSpotState, rng: random.Random, object_type: str) -> Record:
    companies = state.store.tables["companies"]
    live_companies = list(companies.live())
    if object_type == "companies" or not live_companies:
        name = f"{rng.choice(fd.NAME_HEADS)} {rng.choice(fd.NAME_HEADS)} {rng.choice(fd.NAME_TAILS)}"
        slug = re.sub(r"[^a-z0-9]", "", name.lower())
        country, code, city = fd.pick_country(rng)
        props = {
            "name": name,
            "domain": f"{slug}{rng.randrange(100, 999)}.com",
            "phone": fd.phone_number(rng, code),
            "city": city,
            "country": country,
            "type": "PROSPECT",
            "numberofemployees": str(rng.randrange(5, 5000)),
        }
        clean = ops.clean_or_raise(state, "companies", props)
        return ops.create(state, "companies", clean, source="CRM")
    if object_type == "contacts":
        company = rng.choice(live_companies)
        first, last = rng.choice(fd.FIRST_NAMES), rng.choice(fd.LAST_NAMES)
        domain = _bare_domain(company.properties.get("domain", "")) or "example.com"
        email = f"{re.sub(r'[^a-z.]', '', f'{first}.{last}'.lower())}.{rng.randrange(10_000)}@{domain}"
        props = {
            "email": email,
            "firstname": first,
            "lastname": last,
            "jobtitle": rng.choice(fd.JOB_TITLES),
            "company": company.properties.get("name", ""),
            "lifecyclestage": "lead",
        }
        clean = ops.clean_or_raise(state, "contacts", props)
        return ops.create(state, "contacts", clean, [("companies", company.id, [1])], source="CRM")
    customers = [c for c in live_companies if "partner_tier" not in c.properties] or live_companies
    company = rng.choice(customers)
    props = {
        "dealname": f"{company.properties.get('name', 'Deal')} - {rng.choice(fd.PRODUCTS)}",
        "amount": f"{rng.randrange(10, 500) * 250:.2f}",
        "deal_currency_code": "USD",
        "dealstage": DEAL_STAGES[0],
        "pipeline": "default",
        "closedate": str(state.clock.now_ms() + 90 * 86_400_000),
    }
    associations: list[tuple[str, int, list[int]]] = [("companies", company.id, [5])]
    contacts = state.store.tables["contacts"]
    people = [i for i in state.store.graph.targets("companies", company.id, "contacts") if contacts.get_live(i)]
    if people:
        associations.append(("contacts", rng.choice(people), [3]))
    clean = ops.clean_or_raise(state, "deals", props)
    return ops.create(state, "deals", clean, associations, source="CRM")


def _bare_domain(raw: str) -> str:
    text = raw.strip().lower()
    text = re.sub(r"^https?://", "", text)
    text = text.removeprefix("www.")
    return text.split("/")[0]
