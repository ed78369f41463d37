"""Completing fixture records into full API shapes when a world is loaded.

Generated records are already complete (normalising them changes nothing, so export → import →
export is the identity); hand-written fixtures may leave out most members (see
:mod:`sandbox.partnerstack.world`).  Broken references (an unknown ``partner_key``, a transaction
of an unknown customer) raise ``ValueError``.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.kit.clock import FIXED_EPOCH_MS
from sandbox.partnerstack.objects import (
    JsonDict,
    KeyMaker,
    amount_usd,
    customer_ref,
    field_value,
    find_tier,
    group_ref,
    partnership_ref,
    team_member,
)

DEFAULT_STAGES = ("Registered", "Approved", "Closed Won", "Closed Lost")
DEFAULT_TIERS = ("Registered", "Silver", "Gold", "Platinum")


def _times(record: JsonDict) -> None:
    created = int(record.get("created_at") or FIXED_EPOCH_MS)
    record["created_at"] = created
    record["updated_at"] = max(created, int(record.get("updated_at") or created))


def _key(record: JsonDict, keys: KeyMaker, kind: str) -> None:
    if not record.get("key"):
        record["key"] = keys.new(kind)
    record["key"] = str(record["key"])
    keys.used.add(record["key"])


def normalize_group(record: JsonDict, keys: KeyMaker, index: int) -> JsonDict:
    """A group with name, slug, features, deal stages and tiers."""
    _key(record, keys, "groups")
    _times(record)
    record.setdefault("name", f"Group {index + 1}")
    record.setdefault("slug", re.sub(r"[^a-z0-9]+", "-", str(record["name"]).lower()).strip("-"))
    record.setdefault("archived", False)
    record.setdefault("default", index == 0)
    record.setdefault("features", {"deals": True, "leads": True, "rewards": True})
    record.setdefault("deal_stages", list(DEFAULT_STAGES))
    tiers = record.get("tiers")
    if tiers is None:
        tiers = list(DEFAULT_TIERS)
    record["tiers"] = [
        {"key": keys.new("tiers"), "name": t}
        if isinstance(t, str)
        else {"key": t.get("key") or keys.new("tiers"), "name": t.get("name", "")}
        for t in tiers
    ]
    record.setdefault("mold_key", keys.new("molds") if record["features"].get("deals") else None)
    return record


def find_group(groups: dict[str, JsonDict], ref: Any) -> JsonDict | None:
    """A group by key, slug or name (also the name without spaces/special characters), case-insensitive."""
    if isinstance(ref, dict):
        ref = ref.get("key") or ref.get("slug") or ref.get("name")
    if not ref:
        return None
    text = str(ref)
    if text in groups:
        return groups[text]
    squashed = re.sub(r"[^a-z0-9]", "", text.lower())
    for group in groups.values():
        names = (group["slug"], group["name"])
        if any(text.lower() == n.lower() or squashed == re.sub(r"[^a-z0-9]", "", n.lower()) for n in names):
            return group
    return None


def default_group(groups: dict[str, JsonDict]) -> JsonDict:
    """The group new partners join by default (the first one when none is flagged)."""
    return next((g for g in groups.values() if g.get("default")), next(iter(groups.values())))


def normalize_partnership(record: JsonDict, keys: KeyMaker, groups: dict[str, JsonDict]) -> JsonDict:
    """A partnership with group, tier, team and the list members filled in."""
    _key(record, keys, "partnerships")
    _times(record)
    if not record.get("email"):
        record.setdefault("email", None)
    group = find_group(groups, record.pop("group_key", None) or record.get("group")) or default_group(groups)
    record["group"] = group_ref(group)
    tier = record.pop("tier_key", None) or record.get("tier")
    if isinstance(tier, dict):
        record["tier"] = find_tier(group, tier.get("key"), tier.get("name"))
    elif isinstance(tier, str):
        record["tier"] = find_tier(group, tier, tier)
    else:
        record["tier"] = None
    for member, default in (("first_name", None), ("last_name", None), ("manager", None), ("joined_at", None)):
        record.setdefault(member, default)
    if not record.get("partner_key"):
        local = str(record.get("email") or record["key"]).split("@")[0]
        record["partner_key"] = re.sub(r"[^a-z0-9]", "", local.lower()) or record["key"]
    record.setdefault("tags", [])
    record.setdefault("fields", [])
    if not record.get("team"):
        name = field_value(record, "company_name") or f"{record['first_name'] or ''} {record['last_name'] or ''}"
        record["team"] = {"key": keys.new("teams"), "name": name.strip() or record["partner_key"]}
    record.setdefault("archived", False)
    record.setdefault("meta", {})
    return record


def normalize_customer(record: JsonDict, keys: KeyMaker, partners: dict[str, JsonDict]) -> JsonDict:
    """A customer linked to its partnership by ``partner_key``."""
    _key(record, keys, "customers")
    _times(record)
    partnership = partners.get(str(record.get("partner_key")))
    if partnership is None:
        raise ValueError(f"customer {record['key']}: unknown partner_key {record.get('partner_key')!r}")
    record["partnership_key"] = partnership["key"]
    for member in ("customer_key", "email", "name", "provider_key", "source_key"):
        record.setdefault(member, None)
    record.setdefault("meta", {})
    record.setdefault("fields", [])
    record.setdefault("source_type", "API")
    record.setdefault("test", partnership["partner_key"] == "gstest")
    return record


def normalize_deal(
    record: JsonDict, keys: KeyMaker, partners: dict[str, JsonDict], groups: dict[str, JsonDict]
) -> JsonDict:
    """A deal with its partnership, group, team and team member."""
    _key(record, keys, "deals")
    _times(record)
    partnership = partners.get(str(record.get("partner_key"))) if record.get("partner_key") else None
    if record.get("partner_key") and partnership is None:
        raise ValueError(f"deal {record['key']}: unknown partner_key {record.get('partner_key')!r}")
    group = find_group(groups, record.get("group_key"))
    if group is None:
        group = find_group(groups, partnership["group"]) if partnership else default_group(groups)
    assert group is not None
    record["group_key"] = group["key"]
    record["partner_key"] = partnership["partner_key"] if partnership else None
    record["partnership_key"] = partnership["key"] if partnership else None
    for member in (
        "external_key",
        "account_name",
        "amount",
        "close_date",
        "contact_first_name",
        "contact_last_name",
        "lost_reason",
        "customer_key",
    ):
        record.setdefault(member, None)
    record.setdefault("currency", "USD")
    stages = group.get("deal_stages") or []
    record.setdefault("stage", stages[0] if stages else None)
    record.setdefault("source", "partner" if partnership else "vendor")
    record.setdefault("mold_key", group.get("mold_key"))
    record["team"] = dict(partnership["team"]) if partnership else None
    record["team_member"] = team_member(partnership) if partnership else None
    record.setdefault("fields", [])
    record.setdefault("meta", {})
    record.setdefault("archived", False)
    return record


def normalize_transaction(record: JsonDict, keys: KeyMaker, customers: dict[str, JsonDict]) -> JsonDict:
    """A transaction of a known customer (by ``customer_key`` or ``customer.key``)."""
    _key(record, keys, "transactions")
    _times(record)
    ref = record.get("customer_key") or (record.get("customer") or {}).get("key")
    customer = customers.get(str(ref))
    if customer is None:
        raise ValueError(f"transaction {record['key']}: unknown customer {ref!r}")
    record["customer_key"] = customer["key"]
    record.setdefault("customer", customer_ref(customer))
    record.setdefault("amount", 0)
    record.setdefault("currency", "USD")
    record.setdefault("amount_usd", amount_usd(record["amount"], str(record["currency"])))
    record.setdefault("approved", True)
    record.setdefault("product_key", None)
    record.setdefault("category_key", None)
    return record


def normalize_reward(record: JsonDict, keys: KeyMaker, partners_by_key: dict[str, JsonDict]) -> JsonDict:
    """A reward; references are kept as given (``partnership.key`` is completed when known)."""
    _key(record, keys, "rewards")
    _times(record)
    record.setdefault("amount", 0)
    record.setdefault("description", "")
    record.setdefault("target", None)
    record.setdefault("reward_status", "pending")
    record.setdefault("payment_status", None)
    for member in ("action", "customer", "invoice", "offer", "transaction", "trigger"):
        record.setdefault(member, None)
    partnership = record.get("partnership")
    if isinstance(partnership, dict) and partnership.get("key") in partners_by_key:
        record["partnership"] = {**partnership_ref(partners_by_key[partnership["key"]]), **partnership}
    else:
        record.setdefault("partnership", None)
    return record
