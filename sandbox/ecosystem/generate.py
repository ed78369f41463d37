"""Deterministic synthetic ecosystem: organisations, people, deals, their CRM records and associations.

``generate_ecosystem(seed, size)`` splits ``size`` records ~20 % companies, ~50 % contacts, ~30 % deals.
The same ``(seed, size)`` always gives byte-identical JSON (``random.Random(seed)``, timestamps in
the three years before 2026-01-01T00:00:00Z, never the wall clock).

Realistic mess, on purpose:

* ~15 % of distinct organisations are partners (``type`` PARTNER/RESELLER, ``partner_tier``,
  ``partner_type``); the rest are CUSTOMER (a custom option), PROSPECT, VENDOR, OTHER or blank.
* Organisations are international: US, UK, Canadian, German, French, Dutch, Australian and Indian,
  with the legal forms of their country (Inc, LLC, Ltd, plc, GmbH, AG, GmbH & Co. KG, SA, SAS,
  B.V., N.V., Pty Ltd, Pvt Ltd, Private Limited...), local names now and then (``Müller Logistik
  GmbH``, ``Lumière Conseil SAS``, ``Sharma Infotech Pvt Ltd``) and domains on their country's TLD.
* ~3 % of company records are duplicates of another organisation (casing, legal form, a typo or
  no accents in the name; ``WWW.``/``https://…/about``/upper-case domain; another spelling of the
  country; the same switchboard number in another format).  ``Ecosystem.entities`` records
  which company ids are the same real organisation.
* Distractors (``Ecosystem.distractors``): ~4 % of organisations share another's name but are a
  different company in another country (own domain, or none recorded), ~3 % have a name one
  letter away from another's (``Acme Analytics`` / ``Acme Analytica``).  People with the same
  first and last name work at different organisations (never two at the same one).
* ~2.5 % of contacts are a second record of a person already there (nickname, an alias such as
  ``j.smith@``, a personal free-mail address, a numbered address or no email); ~3 % of people use
  a free-mail address.  ``Ecosystem.people`` maps ``person-…`` ids to their contact ids.
* ~10 % of domains are typed messily; emails have upper case and/or surrounding spaces (~6 %);
  phones come in many national/international formats (US, UK, DE, FR, NL, AU, IN); countries are
  spelt several ways (``Deutschland``, ``DE``, ``Holland``, ``Bharat``...); ``duns`` is missing on
  most companies.
* Deliberately invalid records (~0.5 % of ``size``, at least one of each kind from 200 records up),
  listed in ``Ecosystem.defects``, cycling through:

  - a deal whose ``amount`` is ``"n/a"``;
  - a deal whose ``closedate`` is ``"not a date"``;
  - a contact whose ``email`` is ``"not-an-email"``.

Associations: each contact → one company (Primary, type 1); each deal → one customer company
(Primary, type 5) and up to three of its contacts (type 3); ~40 % of deals → a partner company with
label "Sourcing partner" (101) or "Influencing partner" (102), sometimes both (two partners).
"""

from __future__ import annotations

import random

from sandbox.ecosystem.drafts import Draft, make_companies, make_contacts, make_deals, make_orgs
from sandbox.ecosystem.model import Ecosystem, JsonDict
from sandbox.ecosystem.vocabulary import HUBSPOT_DEFINED, LASTMOD_PROPERTY, USER_DEFINED
from sandbox.kit.clock import FIXED_EPOCH_MS, iso_from_ms
from sandbox.kit.perf import paused_gc

ID_BASE = {"companies": 5_000_000_000, "contacts": 1_000_000, "deals": 12_000_000_000}
DEFECT_KINDS: tuple[tuple[str, str, str, str], ...] = (
    ("deals", "amount", "n/a", "amount is not a number"),
    ("deals", "closedate", "not a date", "closedate is not a date"),
    ("contacts", "email", "not-an-email", "email is not a valid address"),
)


def split_size(size: int) -> tuple[int, int, int]:
    """Numbers of (companies, contacts, deals) for a world of ``size`` records."""
    companies = round(size * 0.2)
    contacts = round(size * 0.5)
    if size > 0 and companies == 0:
        companies = 1
    contacts = min(contacts, size - companies)
    return companies, contacts, size - companies - contacts


def generate_ecosystem(seed: int = 7, size: int = 1000) -> Ecosystem:
    """Generate a deterministic ecosystem of ``size`` CRM records in total."""
    with paused_gc():
        return _generate(seed, size)


def _generate(seed: int, size: int) -> Ecosystem:
    rng = random.Random(seed)
    n_co, n_ct, n_deals = split_size(size)
    orgs = make_orgs(rng, n_co)
    companies = make_companies(rng, orgs, n_co)
    contacts = make_contacts(rng, orgs, companies, n_ct)
    deals = make_deals(rng, orgs, companies, contacts, n_deals)
    world = Ecosystem(meta={"seed": seed, "size": size, "epoch": iso_from_ms(FIXED_EPOCH_MS)})
    company_ids = _finish(rng, world, "companies", companies)
    contact_ids = _finish(rng, world, "contacts", contacts)
    deal_ids = _finish(rng, world, "deals", deals)
    for company_id, company in zip(company_ids, companies, strict=True):
        orgs[company.org].record_ids.append(company_id)
    ordered = sorted((o for o in orgs if o.record_ids), key=lambda o: int(o.record_ids[0]))
    world.entities = {f"org-{n + 1:05d}": o.record_ids for n, o in enumerate(ordered)}
    world.people = _people(contacts, contact_ids)
    entity_of = {id(o): f"org-{n + 1:05d}" for n, o in enumerate(ordered)}
    world.distractors = [
        {"kind": o.distractor[0], "entity": entity_of[id(o)], "of": entity_of[id(orgs[o.distractor[1]])]}
        for o in ordered
        if o.distractor is not None
    ]
    world.associations = _associations(contacts, deals, company_ids, contact_ids, deal_ids)
    world.defects = _inject_defects(rng, world, size)
    return world


def _people(contacts: list[Draft], contact_ids: list[str]) -> dict[str, list[str]]:
    """``person-00001``... → contact ids, numbered in the order of each person's first contact id."""
    grouped: dict[int, list[str]] = {}
    for contact, contact_id in zip(contacts, contact_ids, strict=True):
        grouped.setdefault(contact.person, []).append(contact_id)
    ordered = sorted(grouped.values(), key=lambda ids: int(ids[0]))
    return {f"person-{n + 1:05d}": ids for n, ids in enumerate(ordered)}


def _finish(rng: random.Random, world: Ecosystem, object_type: str, drafts: list[Draft]) -> list[str]:
    ids: list[str] = []
    next_id = ID_BASE[object_type]
    for draft in drafts:
        next_id += rng.randint(1, 9)
        record_id = str(next_id)
        ids.append(record_id)
        updated = draft.created + int((FIXED_EPOCH_MS - draft.created) * rng.random() ** 2)
        props = dict(draft.props)
        props["hs_object_id"] = record_id
        props["createdate"] = iso_from_ms(draft.created)
        props[LASTMOD_PROPERTY[object_type]] = iso_from_ms(updated)
        world.objects(object_type).append(
            {
                "id": record_id,
                "properties": props,
                "createdAt": iso_from_ms(draft.created),
                "updatedAt": iso_from_ms(updated),
                "archived": False,
            }
        )
    return ids


def _types(*pairs: tuple[str, int, str | None]) -> list[JsonDict]:
    return [{"category": c, "typeId": t, "label": lbl} for c, t, lbl in pairs]


def _associations(
    contacts: list[Draft],
    deals: list[Draft],
    company_ids: list[str],
    contact_ids: list[str],
    deal_ids: list[str],
) -> list[JsonDict]:
    rows: list[JsonDict] = []
    primary_contact = _types((HUBSPOT_DEFINED, 1, "Primary"), (HUBSPOT_DEFINED, 279, None))
    for index, contact in enumerate(contacts):
        rows.append(_row("contacts", contact_ids[index], "companies", company_ids[contact.company], primary_contact))
    primary_deal = _types((HUBSPOT_DEFINED, 5, "Primary"), (HUBSPOT_DEFINED, 341, None))
    labels = {101: "Sourcing partner", 102: "Influencing partner"}
    for index, deal in enumerate(deals):
        rows.append(_row("deals", deal_ids[index], "companies", company_ids[deal.company], primary_deal))
        for partner, type_id in deal.partners:
            types = _types((USER_DEFINED, type_id, labels[type_id]), (HUBSPOT_DEFINED, 341, None))
            rows.append(_row("deals", deal_ids[index], "companies", company_ids[partner], types))
    deal_contact = _types((HUBSPOT_DEFINED, 3, None))
    for index, deal in enumerate(deals):
        for person in deal.contacts:
            rows.append(_row("deals", deal_ids[index], "contacts", contact_ids[person], deal_contact))
    return rows


def _row(from_type: str, from_id: str, to_type: str, to_id: str, types: list[JsonDict]) -> JsonDict:
    return {"fromType": from_type, "fromId": from_id, "toType": to_type, "toId": to_id, "types": types}


def _inject_defects(rng: random.Random, world: Ecosystem, size: int) -> list[JsonDict]:
    count = round(size * 0.005)
    if size >= 200:
        count = max(count, len(DEFECT_KINDS))
    pools = {obj: list(range(len(world.objects(obj)))) for obj in ("deals", "contacts")}
    defects: list[JsonDict] = []
    for n in range(count):
        object_type, prop, value, reason = DEFECT_KINDS[n % len(DEFECT_KINDS)]
        pool = pools[object_type]
        if not pool:
            continue
        index = pool.pop(rng.randrange(len(pool)))
        record = world.objects(object_type)[index]
        record["properties"][prop] = value
        defects.append({"object": object_type, "id": record["id"], "property": prop, "value": value, "reason": reason})
    defects.sort(key=lambda d: (d["object"], int(d["id"])))
    return defects
