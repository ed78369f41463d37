"""``POST /_sandbox/mutate``: deterministic changes to the live data, for incremental-sync tests.

Body: ``{"object": "deals", "count": 10, "create": 0, "archive": 0, "seed": 1}``; ``object`` is
``partnerships``, ``customers``, ``deals``, ``transactions`` (create / archive only) or ``rewards``
(update only; ``"keys": [...]`` picks the rewards instead of the seed).  With the
same seed and the same data the same records are picked and changed the same way.  Changes go
through the same operations as the API, so ``updated_at`` moves to the simulator clock and webhooks
fire:

* partnerships — tier (another tier of the group), a tag added/removed (``tags_updated``), the
  manager, or the website field; archive = ``archived: true``;
* customers — name, meta plan or provider_key; archive = delete;
* deals — stage moved one step along the group's stage list (``lost_reason`` set for Closed
  Lost), amount or close date; archive = ``archived: true``;
* transactions — create (with a reward) and archive = delete only;
* rewards — status one step on (hold → pending → approved → paid), no webhook.

The test partnership ``gstest`` is never picked.
"""

from __future__ import annotations

import random
from typing import Any

from sandbox.kit import fakedata as fd
from sandbox.partnerstack import ops_deals, ops_partners
from sandbox.partnerstack.directory import slug
from sandbox.partnerstack.objects import JsonDict, make_field, merge_fields
from sandbox.partnerstack.state import PartnerStackState

ALIASES = {
    "partnership": "partnerships",
    "customer": "customers",
    "deal": "deals",
    "transaction": "transactions",
    "reward": "rewards",
}
TAGS = ("emea", "north-america", "apac", "priority", "onboarding", "co-marketing", "certified")


class MutateSpecError(ValueError):
    """The mutate request is invalid."""


def _count(body: dict[str, Any], key: str) -> int:
    value = body.get(key, 0) or 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100_000:
        raise MutateSpecError(f"'{key}' must be an integer between 0 and 100000")
    return value


def mutate(state: PartnerStackState, body: dict[str, Any]) -> dict[str, Any]:
    """Apply updates, creations and archivals; return the affected keys."""
    raw = str(body.get("object", ""))
    table_name = ALIASES.get(raw, raw)
    if table_name not in ALIASES.values():
        raise MutateSpecError("'object' must be partnerships, customers, deals, transactions or rewards")
    count, create, archive = _count(body, "count"), _count(body, "create"), _count(body, "archive")
    if table_name == "transactions" and count:
        raise MutateSpecError("transactions can only be created or archived (deleted)")
    if table_name == "rewards":
        return _advance_rewards(state, body, count)
    rng = random.Random(f"{body.get('seed', 0)}:{table_name}")
    table = state.store.tables[table_name]
    live = [k for k, r in table.items() if not r.get("archived") and r.get("partner_key") != "gstest"]
    updated = sorted(rng.sample(live, min(count, len(live))))
    for key in updated:
        _update(state, rng, table_name, table[key])
    created = [_create(state, rng, table_name) for _ in range(create)]
    remaining = [k for k in live if k not in set(updated)]
    archived = sorted(rng.sample(remaining, min(archive, len(remaining))))
    for key in archived:
        record = table[key]
        if table_name == "partnerships":
            ops_partners.archive_partnership(state, record)
        elif table_name == "customers":
            ops_partners.delete_customer(state, record)
        elif table_name == "deals":
            ops_deals.archive_deal(state, record)
        else:
            ops_deals.delete_transaction(state, record)
    state.mutations += 1
    keys = [k for k in created if k]
    return {
        "object": table_name,
        "updated": updated,
        "created": keys,
        "archived": archived,
        "keys": updated + keys + archived,
    }


def _advance_rewards(state: PartnerStackState, body: dict[str, Any], count: int) -> dict[str, Any]:
    if body.get("create") or body.get("archive"):
        raise MutateSpecError("rewards can only be updated (their status moves on)")
    table = state.store.tables["rewards"]
    given = body.get("keys")
    if given is not None:
        if not isinstance(given, list) or not all(isinstance(k, str) and k in table for k in given):
            raise MutateSpecError("'keys' must be a list of existing reward keys")
        picked = sorted(set(given))
    else:
        open_ = sorted(k for k, r in table.items() if r.get("reward_status") in ops_deals.REWARD_NEXT)
        picked = sorted(random.Random(f"{body.get('seed', 0)}:rewards").sample(open_, min(count, len(open_))))
    for key in picked:
        ops_deals.advance_reward(state, table[key])
    state.mutations += 1
    return {"object": "rewards", "updated": picked, "created": [], "archived": [], "keys": picked}


def _update(state: PartnerStackState, rng: random.Random, table_name: str, record: JsonDict) -> None:
    if table_name == "partnerships":
        what = rng.choice(("tier", "tags", "manager", "website"))
        group = state.store.group_of(record)
        tiers = [t for t in group.get("tiers") or [] if t["key"] != (record.get("tier") or {}).get("key")]
        if what == "tier" and tiers:
            tier = rng.choice(tiers)
            ops_partners.change_partnership(state, record, {"tier": {"key": tier["key"], "name": tier["name"]}})
        elif what == "tags" or (what == "tier" and not tiers):
            tags = set(record.get("tags") or [])
            tags ^= {rng.choice(TAGS)}
            ops_partners.change_partnership(state, record, {"tags": sorted(tags)})
        elif what == "manager":
            others = [m for m in state.managers() if m != record.get("manager")]
            ops_partners.change_partnership(state, record, {"manager": rng.choice(others) if others else None})
        else:
            site = f"https://www.{slug(str(record['team']['name']))[:20] or 'partner'}{rng.randrange(10, 99)}.com"
            fields = merge_fields(record.get("fields") or [], [make_field("website", site)])
            ops_partners.change_partnership(state, record, {"fields": fields})
    elif table_name == "customers":
        what = rng.choice(("name", "meta", "provider_key"))
        if what == "name":
            name = str(record.get("name") or "Customer")
            new = name[: -len(" Group")] if name.endswith(" Group") else f"{name} Group"
            ops_partners.change_customer(state, record, {"name": new})
        elif what == "meta":
            plans = [p for p in ("starter", "pro", "enterprise") if p != (record.get("meta") or {}).get("plan")]
            new_meta = {**(record.get("meta") or {}), "plan": rng.choice(plans)}
            ops_partners.change_customer(state, record, {"meta": new_meta})
        else:
            ops_partners.change_customer(state, record, {"provider_key": f"cus_{rng.randrange(16**12):012x}"})
    else:
        _update_deal(state, rng, record)


def _update_deal(state: PartnerStackState, rng: random.Random, record: JsonDict) -> None:
    stages = state.store.tables["groups"][record["group_key"]].get("deal_stages") or []
    closed = ("Closed Won", "Closed Lost", "Rejected")
    stage = record.get("stage")
    if stage in stages and stage not in closed and rng.random() < 0.6:
        nxt = stages[stages.index(stage) + 1]
        changes: JsonDict = {"stage": nxt}
        if nxt == "Closed Lost":
            changes["lost_reason"] = rng.choice(("Budget", "Chose a competitor", "No decision"))
        ops_deals.change_deal(state, record, changes)
    elif rng.random() < 0.5 or not record.get("close_date") or len(str(record["close_date"])) != 10:
        amount = int(record.get("amount") or 1_000_000)
        ops_deals.change_deal(state, record, {"amount": amount + rng.randrange(1, 100) * 10_000})
    else:
        year, month, day = (int(p) for p in str(record["close_date"]).split("-"))
        month = month % 12 + 1
        year += month == 1
        ops_deals.change_deal(state, record, {"close_date": f"{year:04d}-{month:02d}-{min(day, 28):02d}"})


def _create(state: PartnerStackState, rng: random.Random, table_name: str) -> str | None:
    store = state.store
    partners = [p for p in store.tables["partnerships"].values() if not p["archived"] and p["partner_key"] != "gstest"]
    first, last = rng.choice(fd.FIRST_NAMES), rng.choice(fd.LAST_NAMES)
    head = f"{rng.choice(fd.NAME_HEADS)} {rng.choice(fd.NAME_HEADS)}"
    if table_name == "partnerships" or not partners:
        name = f"{head} {rng.choice(fd.PARTNER_WORDS)}"
        domain = f"{slug(name)}{rng.randrange(100, 999)}.com"
        body = {
            "email": f"{slug(first)}.{slug(last)}@{domain}",
            "first_name": first,
            "last_name": last,
            "group_key": rng.choice([g["key"] for g in store.tables["groups"].values()]),
            "fields": [make_field("company_name", name), make_field("website", f"https://{domain}")],
        }
        return str(ops_partners.create_partnership(state, body)["key"])
    partner = rng.choice(partners)
    if table_name == "customers":
        company = f"{head} {rng.choice(fd.NAME_TAILS)}"
        body = {
            "email": f"{slug(first)}.{slug(last)}@{slug(company)}.com",
            "partner_key": partner["partner_key"],
            "name": company,
            "customer_key": f"acct-new-{rng.randrange(10**8):08d}",
        }
        return str(ops_partners.create_customer(state, body)["key"])
    if table_name == "deals":
        in_deal_groups = [p for p in partners if store.group_of(p)["features"].get("deals")]
        if not in_deal_groups:
            return None
        partner = rng.choice(in_deal_groups)
        body = {
            "partner_key": partner["partner_key"],
            "account_name": f"{head} {rng.choice(fd.NAME_TAILS)}",
            "amount": rng.randrange(10, 500) * 25_000,
            "currency": "USD",
            "close_date": "2026-06-30",
            "contact_first_name": first,
            "contact_last_name": last,
        }
        return str(ops_deals.create_deal(state, body)["key"])
    customers = [c for c in store.tables["customers"].values() if not c.get("test")]
    if not customers:
        return None
    customer = rng.choice(customers)
    body = {
        "customer_key": customer["key"],
        "amount": rng.choice((4_900, 9_900, 29_900)),
        "currency": "USD",
        "product_key": "prod_pro",
    }
    return str(ops_deals.create_transaction(state, body)["key"])
