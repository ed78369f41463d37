"""Writes to partnerships and customers (shared by the API and ``/_sandbox/mutate``).

Every change stamps ``updated_at`` with the simulator clock and emits the webhook event with the
new representation.  An update that changes nothing keeps ``updated_at`` and emits nothing.
"""

from __future__ import annotations

import re

from sandbox.partnerstack import validate as v
from sandbox.partnerstack.errors import bad_request, conflict
from sandbox.partnerstack.objects import JsonDict, find_tier, group_ref, merge_fields
from sandbox.partnerstack.state import PartnerStackState

TEST_PARTNER_KEY = "gstest"


def stamp(state: PartnerStackState, record: JsonDict) -> int:
    now = state.clock.now_ms()
    record["updated_at"] = max(now, int(record.get("updated_at") or 0))
    return now


def _unique_partner_key(state: PartnerStackState, email: str) -> str:
    base = re.sub(r"[^a-z0-9]", "", email.split("@")[0].lower())[:24] or "partner"
    key, n = base, 2
    while state.store.partnership(key) is not None:
        key, n = f"{base}{n}", n + 1
    return key


def create_partnership(state: PartnerStackState, body: JsonDict) -> JsonDict:
    """``POST /partnerships``: email, first_name, last_name required; partner_key, group_key, fields, tags."""
    store = state.store
    email = v.email(body, required=True)
    assert email is not None
    first, last = v.text(body, "first_name", True), v.text(body, "last_name", True)
    wanted = email.lower()
    if any(str(p.get("email") or "").strip().lower() == wanted for p in store.tables["partnerships"].values()):
        raise conflict(f"A partnership with email '{email}' already exists")
    partner_key = v.partner_key(body)
    if partner_key is not None and store.partnership(partner_key) is not None:
        raise conflict(f"partner_key '{partner_key}' is already in use")
    group_key = v.text(body, "group_key")
    group = store.tables["groups"].get(group_key) if group_key else None
    if group_key and group is None:
        raise bad_request(f"Unknown group_key '{group_key}'")
    if group is None:
        group = next((g for g in store.tables["groups"].values() if g.get("default")), None)
        group = group or next(iter(store.tables["groups"].values()))
    fields = merge_fields([], v.fields(body) or [])
    now = state.clock.now_ms()
    company = next((f.get("value") for f in fields if f.get("api_name") == "company_name"), None)
    tiers = group.get("tiers") or []
    record: JsonDict = {
        "key": store.keys.new("partnerships"),
        "created_at": now,
        "updated_at": now,
        "email": email,
        "first_name": first,
        "last_name": last,
        "partner_key": partner_key or _unique_partner_key(state, email),
        "group": group_ref(group),
        "tier": {"key": tiers[0]["key"], "name": tiers[0]["name"]} if tiers else None,
        "team": {"key": store.keys.new("teams"), "name": str(company or f"{first} {last}")},
        "manager": None,
        "tags": v.tags(body) or [],
        "fields": fields,
        "joined_at": now,
        "archived": False,
        "meta": v.meta(body) or {},
    }
    store.put("partnerships", record)
    state.webhooks.emit("partnership", "created", record)
    return record


def update_partnership(state: PartnerStackState, record: JsonDict, body: JsonDict) -> JsonDict:
    """``PATCH /partnerships/{key}``: group_key, tier_key, manager_email, fields (and tags, an extension)."""
    if record.get("archived"):
        raise bad_request("Cannot update an archived partnership")
    store = state.store
    group = store.group_of(record)
    group_key = v.text(body, "group_key")
    if group_key is not None:
        found = store.tables["groups"].get(group_key)
        if found is None:
            raise bad_request(f"Unknown group_key '{group_key}'")
        group = found
    tier = record.get("tier")
    tier_key = v.text(body, "tier_key")
    if tier_key is not None:
        tier = find_tier(group, tier_key)
        if tier is None:
            raise bad_request(f"tier_key '{tier_key}' is not a tier of group '{group['name']}'")
    elif group["key"] != record["group"]["key"]:
        tier = find_tier(group, name=(tier or {}).get("name")) if tier else None
    manager = record.get("manager")
    if "manager_email" in body:
        wanted = body["manager_email"]
        if wanted in (None, ""):
            manager = None
        else:
            manager = next((m for m in state.managers() if m["email"].lower() == str(wanted).strip().lower()), None)
            if manager is None:
                raise bad_request(f"manager_email '{wanted}' is not a partner manager of this account")
    changes: JsonDict = {"group": group_ref(group), "tier": tier, "manager": manager}
    updates = v.fields(body)
    if updates is not None:
        changes["fields"] = merge_fields(record.get("fields") or [], updates)
    new_tags = v.tags(body)
    return _apply_partnership(state, record, changes, new_tags)


def _apply_partnership(
    state: PartnerStackState, record: JsonDict, changes: JsonDict, new_tags: list[str] | None
) -> JsonDict:
    changed = {k: val for k, val in changes.items() if record.get(k) != val}
    tags_changed = new_tags is not None and new_tags != record.get("tags")
    if not changed and not tags_changed:
        return record
    record.update(changed)
    if tags_changed:
        record["tags"] = new_tags
    stamp(state, record)
    if changed:
        state.webhooks.emit("partnership", "updated", record)
    if tags_changed:
        state.webhooks.emit("partnership", "tags_updated", record)
    return record


def change_partnership(state: PartnerStackState, record: JsonDict, changes: JsonDict) -> JsonDict:
    """Apply raw member changes (used by ``/_sandbox/mutate``; ``tags`` emits ``tags_updated``)."""
    changes = dict(changes)
    new_tags = changes.pop("tags", None)
    return _apply_partnership(state, record, changes, new_tags)


def archive_partnership(state: PartnerStackState, record: JsonDict) -> JsonDict:
    """``DELETE /partnerships/{key}``: archive (idempotent)."""
    if not record.get("archived"):
        record["archived"] = True
        stamp(state, record)
        state.webhooks.emit("partnership", "archived", record)
    return record


def create_customer(state: PartnerStackState, body: JsonDict, test_keys: bool = False) -> JsonDict:
    """``POST /customers``: email and partner_key required; customer_key, name, provider_key, meta."""
    store = state.store
    email = v.email(body, required=True)
    partner_key = v.text(body, "partner_key", True)
    partnership = store.partnership(partner_key)
    if partnership is None:
        raise bad_request(f"partner_key '{partner_key}' does not belong to a partner in your program")
    if partnership.get("archived"):
        raise bad_request(f"The partnership '{partner_key}' is archived")
    external = v.text(body, "customer_key")
    if external and store.customer(external) is not None:
        raise conflict(f"A customer with customer_key '{external}' already exists")
    now = state.clock.now_ms()
    record: JsonDict = {
        "key": store.keys.new("customers"),
        "created_at": now,
        "updated_at": now,
        "customer_key": external or None,
        "email": email,
        "name": v.text(body, "name"),
        "partner_key": partnership["partner_key"],
        "partnership_key": partnership["key"],
        "provider_key": v.text(body, "provider_key"),
        "meta": v.meta(body) or {},
        "fields": [],
        "source_key": None,
        "source_type": "API",
        "test": test_keys or partnership["partner_key"] == TEST_PARTNER_KEY,
    }
    store.put("customers", record)
    state.webhooks.emit("customer", "created", record)
    return record


def update_customer(state: PartnerStackState, record: JsonDict, body: JsonDict) -> JsonDict:
    """``PATCH /customers/{key}``: email, name, customer_key, provider_key, meta (partner_key is fixed)."""
    store = state.store
    if "partner_key" in body and body["partner_key"] != record["partner_key"]:
        raise bad_request("partner_key cannot be changed")
    changes: JsonDict = {}
    if "email" in body:
        changes["email"] = v.email(body, required=True)
    for name in ("name", "provider_key"):
        if name in body:
            changes[name] = v.text(body, name)
    if "customer_key" in body:
        external = v.text(body, "customer_key") or None
        other = store.customer(external) if external else None
        if other is not None and other["key"] != record["key"]:
            raise conflict(f"A customer with customer_key '{external}' already exists")
        changes["customer_key"] = external
    new_meta = v.meta(body)
    if new_meta is not None:
        changes["meta"] = new_meta
    return change_customer(state, record, changes)


def change_customer(state: PartnerStackState, record: JsonDict, changes: JsonDict) -> JsonDict:
    """Apply member changes; emits ``customer.updated`` when something changed."""
    changed = {k: val for k, val in changes.items() if record.get(k) != val}
    if not changed:
        return record
    old_external = record.get("customer_key")
    record.update(changed)
    state.store.reindex_customer(record, old_external)
    stamp(state, record)
    state.webhooks.emit("customer", "updated", record)
    return record


def delete_customer(state: PartnerStackState, record: JsonDict) -> JsonDict:
    """``DELETE /customers/{key}``: the customer is removed; ``customer.deleted`` carries its last state."""
    state.store.remove("customers", record["key"])
    stamp(state, record)
    state.webhooks.emit("customer", "deleted", record)
    return record
