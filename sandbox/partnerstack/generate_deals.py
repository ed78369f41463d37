"""Generation of deal registrations, transactions, rewards and deliberate defects.

Deliberately invalid records (at least one of each kind from ``size`` 50 up, ~0.4 % of ``size``),
listed in ``defects`` with a ``reason``, cycling through:

* a deal whose ``close_date`` is ``"soon"``;
* a deal whose ``stage`` is ``"closed won"`` (not in its group's stage list: wrong casing);
* a customer without ``email`` (``null``);
* a deal whose ``amount`` is ``null``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox.kit import fakedata as fd
from sandbox.kit.clock import DAY_MS, iso_from_ms
from sandbox.partnerstack.directory import DealHint, Directory, Org
from sandbox.partnerstack.objects import (
    JsonDict,
    amount_usd,
    customer_ref,
    partnership_ref,
    team_member,
)

if TYPE_CHECKING:
    from sandbox.partnerstack.generate import Gen

TEST_PARTNER_KEY = "gstest"
LOST_REASONS = ("Budget", "Chose a competitor", "No decision", "Timing", "Went silent")
REJECT_REASONS = ("Duplicate registration", "Vendor already engaged", "Incomplete registration")
PRICES = (4_900, 9_900, 29_900, 99_900, 250_000)
PRODUCTS = {4_900: "prod_starter", 9_900: "prod_pro", 29_900: "prod_business", 99_900: "prod_enterprise"}
DEFECT_KINDS: tuple[tuple[str, str, str | None, str], ...] = (
    ("deals", "close_date", "soon", "close_date is not a YYYY-MM-DD date"),
    ("deals", "stage", "closed won", "stage is not in the group's deal stage list"),
    ("customers", "email", None, "customer has no email"),
    ("deals", "amount", None, "amount is missing"),
)


def _stage(g: Gen, stages: list[str], outcome: str) -> tuple[str, str | None]:
    rng = g.rng
    if outcome == "won":
        return "Closed Won", None
    if outcome == "lost":
        if "Rejected" in stages and rng.random() < 0.3:
            return "Rejected", rng.choice(REJECT_REASONS)
        return "Closed Lost", rng.choice(LOST_REASONS)
    open_stages = [s for s in stages if s not in ("Closed Won", "Closed Lost", "Rejected")]
    return rng.choice(open_stages), None


def add_deals(g: Gen, directory: Directory, n: int) -> None:
    """``n`` deal registrations: up to half mirror CRM deals (hints), the rest are invented."""
    rng = g.rng
    deal_groups = {slug for slug, group in g.groups.items() if group["features"]["deals"]}
    partners = [
        p
        for p in g.world.partnerships
        if p["group"]["slug"] in deal_groups and p["partner_key"] != TEST_PARTNER_KEY and not p["archived"]
    ]
    if not partners or not directory.customers:
        return
    by_entity: dict[str, list[JsonDict]] = {}
    for p in partners:
        by_entity.setdefault(g.orgs[p["key"]].entity, []).append(p)
    accounts = {o.entity: o for o in directory.customers}
    hints = [h for h in directory.deals if h.partner_entity in by_entity and h.account_entity in accounts]
    hints = rng.sample(hints, min(len(hints), n // 2))
    customers_of: dict[str, list[JsonDict]] = {}
    for c in g.world.customers:
        customers_of.setdefault(c["partnership_key"], []).append(c)
    for i in range(n):
        hint = hints[i] if i < len(hints) else None
        if hint is not None:
            partnership = rng.choice(by_entity[hint.partner_entity])
            org = accounts[hint.account_entity]
        else:
            partnership = rng.choice(partners)
            own = customers_of.get(partnership["key"], [])
            org = g.orgs[rng.choice(own)["key"]] if own and rng.random() < 0.5 else rng.choice(directory.customers)
        _deal(g, partnership, org, hint, customers_of.get(partnership["key"], []))


def _deal(g: Gen, partnership: JsonDict, org: Org, hint: DealHint | None, customers: list[JsonDict]) -> None:
    rng = g.rng
    group = g.groups[partnership["group"]["slug"]]
    key = g.keys.new("deals")
    floor = partnership["joined_at"] or partnership["created_at"]
    if hint is not None:
        created = max(floor + 1, hint.created_ms - rng.randrange(0, 10 * DAY_MS))
        outcome = hint.outcome if rng.random() < 0.9 else "open"
        amount = hint.amount_cents if hint.amount_cents is not None else rng.randrange(10, 500) * 25_000
        currency, close = hint.currency, hint.close_date
    else:
        created = g.created(floor)
        outcome = rng.choices(("open", "won", "lost"), (55, 25, 20))[0]
        amount = rng.randrange(10, 500) * 25_000
        currency, close = rng.choices(("USD", "EUR", "GBP"), (80, 12, 8))[0], None
    if close is None:
        close = iso_from_ms(created + rng.randrange(14, 270) * DAY_MS)[:10]
    stage, lost_reason = _stage(g, group["deal_stages"], outcome)
    account_name = org.name
    if rng.random() < 0.15:
        account_name = fd.name_variant(rng, org.name)
        g.note("deals", key, "account_name", account_name, "name_variant", expected=org.name)
    won_customer = next((c for c in customers if g.orgs[c["key"]].entity == org.entity), None)
    person = rng.choice(org.people) if org.people else None
    vendor = rng.random() < 0.08
    record: JsonDict = {
        "key": key,
        "created_at": created,
        "updated_at": g.updated(created),
        "external_key": hint.external_id if hint is not None and rng.random() < 0.5 else None,
        "partner_key": None if vendor and rng.random() < 0.5 else partnership["partner_key"],
        "partnership_key": partnership["key"],
        "group_key": group["key"],
        "account_name": account_name,
        "amount": amount,
        "currency": currency,
        "close_date": close,
        "contact_first_name": person.first if person else None,
        "contact_last_name": person.last if person else None,
        "stage": stage,
        "lost_reason": lost_reason,
        "source": "vendor" if vendor else "partner",
        "customer_key": won_customer["key"] if won_customer is not None and outcome == "won" else None,
        "mold_key": group["mold_key"],
        "team": dict(partnership["team"]),
        "team_member": team_member(partnership),
        "fields": [],
        "meta": {},
        "archived": rng.random() < 0.03,
    }
    if record["partner_key"] is None:
        record["partnership_key"] = None
        record["team"] = record["team_member"] = None
    g.world.deals.append(record)
    g.entity(org.entity, key)


def add_money(g: Gen, n_transactions: int, n_rewards: int) -> None:
    """Transactions of referred customers and the rewards they earned (plus signup bonuses)."""
    rng = g.rng
    customers = g.world.customers
    if not customers:
        return
    partnerships = {p["key"]: p for p in g.world.partnerships}
    for _ in range(n_transactions):
        customer = rng.choice(customers)
        created = g.created(customer["created_at"])
        price = rng.choice(PRICES)
        currency = rng.choices(("USD", "EUR", "GBP", "CAD"), (75, 12, 8, 5))[0]
        g.world.transactions.append(
            {
                "key": g.keys.new("transactions"),
                "created_at": created,
                "updated_at": created,
                "amount": price,
                "currency": currency,
                "amount_usd": amount_usd(price, currency),
                "approved": rng.random() < 0.92,
                "customer_key": customer["key"],
                "customer": customer_ref(customer),
                "product_key": PRODUCTS.get(price),
                "category_key": "cat_subscription" if rng.random() < 0.7 else None,
            }
        )
    by_key = {c["key"]: c for c in customers}
    eligible = [t for t in g.world.transactions if not by_key[t["customer_key"]]["test"]]
    targets = rng.sample(eligible, min(len(eligible), round(n_rewards * 0.8)))
    paying = [c for c in customers if not c["test"]]
    for n in range(n_rewards):
        transaction = targets[n] if n < len(targets) else None
        if transaction is not None:
            customer = by_key[transaction["customer_key"]]
        elif paying:
            customer = rng.choice(paying)
        else:
            return
        partnership = partnerships[customer["partnership_key"]]
        g.world.rewards.append(reward(g, partnership, customer, transaction))


def reward(g: Gen, partnership: JsonDict, customer: JsonDict, transaction: JsonDict | None) -> JsonDict:
    """One reward earned by ``partnership`` (commission on ``transaction`` or a signup bonus)."""
    rng = g.rng
    slug = partnership["group"]["slug"]
    pct = {"resellers": 20, "referral-partners": 10}.get(slug, 15)
    created = g.created((transaction or customer)["created_at"])
    status = rng.choices(("paid", "approved", "pending", "hold", "declined"), (40, 25, 20, 10, 5))[0]
    payment = {"paid": rng.choice(("withdrawn", "paid_externally", "in_transit")), "approved": "available"}
    payment["declined"] = "expired"
    invoice = None
    if status in ("paid", "approved"):
        invoice = {
            "key": g.keys.new("invoices"),
            "status": "charge_succeeded" if status == "paid" else "approved",
            "payment_date": created + 30 * DAY_MS if status == "paid" else None,
        }
    if transaction is not None:
        amount = round((transaction["amount_usd"] or 0) * pct / 100)
        description = f"{pct}% commission on {transaction['product_key'] or 'subscription'} payment"
        target = {"key": transaction["key"], "type": "transaction"}
    else:
        amount, description = 5_000, "Signup bonus for a referred customer"
        target = {"key": customer["key"], "type": "customer"}
    return {
        "key": g.keys.new("rewards"),
        "created_at": created,
        "updated_at": g.updated(created),
        "amount": amount,
        "description": description,
        "target": target,
        "reward_status": status,
        "payment_status": payment.get(status),
        "action": None,
        "customer": {**customer_ref(customer), "name": customer.get("name")},
        "invoice": invoice,
        "offer": {"key": "ofr_" + partnership["group"]["key"][5:], "description": f"{slug} commission plan"},
        "partnership": partnership_ref(partnership),
        "transaction": None if transaction is None else {k: transaction[k] for k in ("key", "amount", "currency")},
        "trigger": {"key": "trig_" + partnership["group"]["key"][5:]},
    }


def add_defects(g: Gen, size: int) -> None:
    """Make a few records deliberately invalid (see the module docstring)."""
    rng = g.rng
    count = max(len(DEFECT_KINDS), round(size * 0.004)) if size >= 50 else 0
    pools = {
        "deals": [d for d in g.world.deals if d["partner_key"] not in (None, TEST_PARTNER_KEY)],
        "customers": [c for c in g.world.customers if not c["test"]],
    }
    for n in range(count):
        object_type, field_name, value, reason = DEFECT_KINDS[n % len(DEFECT_KINDS)]
        pool = pools[object_type]
        if not pool:
            continue
        record = pool.pop(rng.randrange(len(pool)))
        record[field_name] = value
        g.world.defects.append(
            {"object": object_type, "key": record["key"], "field": field_name, "value": value, "reason": reason}
        )
    g.world.defects.sort(key=lambda d: (d["object"], d["key"]))
