"""Writes to deals, transactions and rewards (shared by the API and ``/_sandbox/mutate``)."""

from __future__ import annotations

from sandbox.partnerstack import validate as v
from sandbox.partnerstack.errors import bad_request, conflict
from sandbox.partnerstack.objects import (
    JsonDict,
    amount_usd,
    customer_ref,
    merge_fields,
    partnership_ref,
    team_member,
)
from sandbox.partnerstack.ops_partners import TEST_PARTNER_KEY, stamp
from sandbox.partnerstack.state import PartnerStackState

DEAL_TEXT = ("account_name", "contact_first_name", "contact_last_name", "external_key", "lost_reason")
COMMISSION_PCT = {"resellers": 20, "referral-partners": 10}


def _stage(group: JsonDict, body: JsonDict) -> str | None:
    stage = v.text(body, "stage")
    stages = group.get("deal_stages") or []
    if stage is None:
        return None
    if stage not in stages:
        raise bad_request(f"stage '{stage}' is not in the deal stages of group '{group['name']}': {stages}")
    return stage


def _customer_link(state: PartnerStackState, body: JsonDict) -> str | None:
    ref = v.text(body, "customer_key")
    if not ref:
        return None
    customer = state.store.customer(ref)
    if customer is None:
        raise bad_request(f"Unknown customer_key '{ref}'")
    return str(customer["key"])


def create_deal(state: PartnerStackState, body: JsonDict) -> JsonDict:
    """``POST /deals``: exactly one of partner_key (source partner) / group_key (source vendor)."""
    store = state.store
    partner_key, group_key = v.text(body, "partner_key"), v.text(body, "group_key")
    if bool(partner_key) == bool(group_key):
        raise bad_request("Exactly one of 'partner_key' or 'group_key' is required")
    source = v.text(body, "source") or ("partner" if partner_key else "vendor")
    if source not in ("partner", "vendor") or (source == "partner") != bool(partner_key):
        raise bad_request("'source' must be 'partner' (with partner_key) or 'vendor' (with group_key)")
    partnership = store.partnership(partner_key) if partner_key else None
    if partner_key and partnership is None:
        raise bad_request(f"partner_key '{partner_key}' does not belong to a partner in your program")
    if partnership is not None and partnership.get("archived"):
        raise bad_request(f"The partnership '{partner_key}' is archived")
    group = store.group_of(partnership) if partnership else store.tables["groups"].get(str(group_key))
    if group is None:
        raise bad_request(f"Unknown group_key '{group_key}'")
    if not (group.get("features") or {}).get("deals"):
        raise bad_request(f"Deals are not enabled for group '{group['name']}'")
    stages = group.get("deal_stages") or []
    now = state.clock.now_ms()
    record: JsonDict = {
        "key": store.keys.new("deals"),
        "created_at": now,
        "updated_at": now,
        "external_key": None,
        "partner_key": partnership["partner_key"] if partnership else None,
        "partnership_key": partnership["key"] if partnership else None,
        "group_key": group["key"],
        "account_name": None,
        "amount": v.cents(body, "amount"),
        "currency": v.currency(body),
        "close_date": v.close_date(body),
        "contact_first_name": None,
        "contact_last_name": None,
        "stage": _stage(group, body) or (stages[0] if stages else None),
        "lost_reason": None,
        "source": source,
        "customer_key": _customer_link(state, body),
        "mold_key": group.get("mold_key"),
        "team": dict(partnership["team"]) if partnership else None,
        "team_member": team_member(partnership) if partnership else None,
        "fields": merge_fields([], v.fields(body) or []),
        "meta": v.meta(body) or {},
        "archived": False,
    }
    for name in DEAL_TEXT:
        record[name] = v.text(body, name)
    store.put("deals", record)
    state.webhooks.emit("deal", "created", record)
    return record


def update_deal(state: PartnerStackState, record: JsonDict, body: JsonDict) -> JsonDict:
    """``PATCH /deals/{key}``: stage, lost_reason, fields, amount, close_date, currency, account_name..."""
    if record.get("archived"):
        raise bad_request("Cannot update an archived deal")
    for fixed in ("partner_key", "group_key", "source"):
        if fixed in body and body[fixed] != record.get(fixed):
            raise bad_request(f"'{fixed}' cannot be changed on an existing deal")
    group = state.store.tables["groups"][record["group_key"]]
    changes: JsonDict = {}
    if "stage" in body:
        stage = _stage(group, body)
        if stage is None:
            raise bad_request("'stage' may not be null")
        changes["stage"] = stage
    for name in DEAL_TEXT:
        if name in body:
            changes[name] = v.text(body, name)
    if "amount" in body:
        changes["amount"] = v.cents(body, "amount")
    if "close_date" in body:
        changes["close_date"] = v.close_date(body)
    if "currency" in body:
        changes["currency"] = v.currency(body)
    if "customer_key" in body:
        changes["customer_key"] = _customer_link(state, body)
    updates = v.fields(body)
    if updates is not None:
        changes["fields"] = merge_fields(record.get("fields") or [], updates)
    new_meta = v.meta(body)
    if new_meta is not None:
        changes["meta"] = new_meta
    return change_deal(state, record, changes)


def change_deal(state: PartnerStackState, record: JsonDict, changes: JsonDict) -> JsonDict:
    """Apply member changes; emits ``deal.updated`` when something changed."""
    changed = {k: val for k, val in changes.items() if record.get(k) != val}
    if changed:
        record.update(changed)
        stamp(state, record)
        state.webhooks.emit("deal", "updated", record)
    return record


def archive_deal(state: PartnerStackState, record: JsonDict) -> JsonDict:
    """``DELETE /deals/{key}``: archive (idempotent)."""
    if not record.get("archived"):
        record["archived"] = True
        stamp(state, record)
        state.webhooks.emit("deal", "archived", record)
    return record


def _transaction_customer(state: PartnerStackState, body: JsonDict) -> JsonDict:
    given = [n for n in ("customer_key", "customer_external_key", "customer_email") if body.get(n) not in (None, "")]
    if len(given) != 1:
        raise bad_request(
            "Identify the customer by exactly one of 'customer_key', 'customer_external_key' or 'customer_email'"
        )
    name = given[0]
    value = v.text(body, name, True)
    store = state.store
    if name == "customer_key":
        customer = store.tables["customers"].get(str(value))
    elif name == "customer_external_key":
        key = store.by_external_key.get(str(value))
        customer = store.tables["customers"].get(key) if key else None
    else:
        matches = store.customers_by_email(str(value))
        customer = matches[0] if matches else None
    if customer is None:
        raise bad_request(f"Customer not found for {name} '{value}'")
    return customer


def create_transaction(state: PartnerStackState, body: JsonDict, test_keys: bool = False) -> JsonDict:
    """``POST /transactions``; a non-test customer's partner earns a pending commission reward."""
    store = state.store
    customer = _transaction_customer(state, body)
    amount = v.cents(body, "amount", required=True)
    money = v.currency(body)
    assert money is not None
    key = v.text(body, "key")
    if key is not None:
        if not 4 <= len(key) <= 255:
            raise bad_request("'key' must be 4 to 255 characters long")
        if key in store.tables["transactions"]:
            raise conflict(f"A transaction with key '{key}' already exists")
    now = state.clock.now_ms()
    record: JsonDict = {
        "key": key or store.keys.new("transactions"),
        "created_at": now,
        "updated_at": now,
        "amount": amount,
        "currency": money,
        "amount_usd": amount_usd(amount, money),
        "approved": True,
        "customer_key": customer["key"],
        "customer": customer_ref(customer),
        "product_key": v.text(body, "product_key"),
        "category_key": v.text(body, "category_key"),
    }
    store.put("transactions", record)
    state.webhooks.emit("transaction", "created", record)
    partnership = store.tables["partnerships"].get(str(customer.get("partnership_key")))
    if partnership is not None and not customer.get("test") and not test_keys:
        pct = COMMISSION_PCT.get(partnership["group"]["slug"], 15)
        description = f"{pct}% commission on {record['product_key'] or 'subscription'} payment"
        reward = new_reward(
            state, partnership, customer, record, round((record["amount_usd"] or 0) * pct / 100), description
        )
        state.webhooks.emit("reward", "created", reward)
    return record


def delete_transaction(state: PartnerStackState, record: JsonDict) -> JsonDict:
    """``DELETE /transactions/{key}``."""
    state.store.remove("transactions", record["key"])
    state.webhooks.emit("transaction", "deleted", record)
    return record


def new_reward(
    state: PartnerStackState,
    partnership: JsonDict,
    customer: JsonDict | None,
    transaction: JsonDict | None,
    amount: int,
    description: str,
) -> JsonDict:
    """Store a pending reward (no webhook)."""
    now = state.clock.now_ms()
    target = transaction or customer
    assert target is not None
    record: JsonDict = {
        "key": state.store.keys.new("rewards"),
        "created_at": now,
        "updated_at": now,
        "amount": amount,
        "description": description,
        "target": {"key": target["key"], "type": "transaction" if transaction else "customer"},
        "reward_status": "pending",
        "payment_status": None,
        "action": None,
        "customer": {**customer_ref(customer), "name": customer.get("name")} if customer else None,
        "invoice": None,
        "offer": None,
        "partnership": partnership_ref(partnership),
        "transaction": {k: transaction[k] for k in ("key", "amount", "currency")} if transaction else None,
        "trigger": None,
    }
    state.store.put("rewards", record)
    return record


# How a reward moves on as the vendor approves it and PartnerStack pays it out (reward_status:
# hold | pending | approved | declined | paid); the payment status and invoice follow.
REWARD_NEXT = {"hold": "pending", "pending": "approved", "approved": "paid"}


def advance_reward(state: PartnerStackState, record: JsonDict) -> JsonDict:
    """Move a reward one step along ``REWARD_NEXT`` (``updated_at`` moves; no webhook: PartnerStack
    announces reward creation only, so status changes are seen by reading the list again)."""
    following = REWARD_NEXT.get(str(record.get("reward_status")))
    if following is None:
        return record
    record["reward_status"] = following
    if following == "approved":
        record["payment_status"] = "available"
        record["invoice"] = {"key": state.store.keys.new("invoices"), "status": "approved", "payment_date": None}
    elif following == "paid":
        record["payment_status"] = "withdrawn"
        invoice = dict(record.get("invoice") or {"key": state.store.keys.new("invoices")})
        record["invoice"] = {**invoice, "status": "charge_succeeded", "payment_date": state.clock.now_ms()}
    stamp(state, record)
    return record


def create_reward(state: PartnerStackState, body: JsonDict) -> JsonDict:
    """``POST /rewards``: amount (cents), description, target {key, type: customer | transaction}."""
    store = state.store
    amount = v.cents(body, "amount", required=True)
    assert amount is not None
    description = v.text(body, "description", True)
    target = body.get("target")
    if not isinstance(target, dict) or target.get("type") not in ("customer", "transaction"):
        raise bad_request("'target' must be {key, type} with type 'customer' or 'transaction'")
    transaction = store.tables["transactions"].get(str(target.get("key"))) if target["type"] == "transaction" else None
    customer_key = transaction["customer_key"] if transaction else target.get("key")
    customer = store.tables["customers"].get(str(customer_key))
    if customer is None or (target["type"] == "transaction" and transaction is None):
        raise bad_request(f"Unknown {target['type']} '{target.get('key')}'")
    partnership = store.tables["partnerships"].get(str(customer.get("partnership_key")))
    if partnership is None or customer["partner_key"] == TEST_PARTNER_KEY:
        raise bad_request("Rewards cannot be created for test customers")
    record = new_reward(state, partnership, customer, transaction, amount, str(description))
    state.webhooks.emit("reward", "created", record)
    return record
