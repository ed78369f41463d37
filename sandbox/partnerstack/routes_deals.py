"""``/api/v2/deals``, ``/api/v2/transactions``, ``/api/v2/rewards`` and ``/api/v2/webhooks``.

Deals are sent as the API shapes them (``objects.public``: no ``partnership_key``) and their list
takes no ``order_by``. ``include_archived=true`` adds archived deals (``archived: true``) to the
list, as on partnerships — see docs/adr/0016-partnerstack-polling.md for why the simulator offers
it on deals and what the connector does with it.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.partnerstack import ops_deals as ops
from sandbox.partnerstack.errors import bad_request, not_found
from sandbox.partnerstack.listing import bool_param
from sandbox.partnerstack.normalize import find_group
from sandbox.partnerstack.objects import JsonDict, public
from sandbox.partnerstack.responses import envelope
from sandbox.partnerstack.routes_partners import COMMON_ORDER, NO_ORDER, P, group_filter, list_page, uses_test_keys
from sandbox.partnerstack.state import PartnerStackState
from sandbox.partnerstack.validate import json_body
from sandbox.partnerstack.webhooks import WebhookSpecError

MONEY_ORDER = (*COMMON_ORDER, "amount")
PAYMENT_STATUSES = ("available", "in_transit", "withdrawn", "paid_externally", "expired", "failed", "merging")


def add_deal_routes(router: APIRouter, state: PartnerStackState) -> None:
    """Register deal, transaction, reward and webhook endpoints."""

    def lookup(table: str, kind: str, key: str) -> JsonDict:
        found = state.store.tables[table].get(key)
        if found is None:
            raise not_found(kind, key)
        return found

    def customer_key_param(request: Request) -> str | None:
        ref = request.query_params.get("customer_key")
        if not ref:
            return None
        found = state.store.customer(ref)
        return found["key"] if found else "\0none"

    @router.get(f"{P}/deals")
    async def list_deals(request: Request) -> Response:
        archived = bool_param(request.query_params, "include_archived")
        partner_key = request.query_params.get("partner_key")
        customer_key = customer_key_param(request)
        in_group = group_filter(state, request)

        def keep(r: JsonDict) -> bool:
            return (
                (archived or not r.get("archived"))
                and partner_key in (None, "", r.get("partner_key"))
                and customer_key in (None, r.get("customer_key"))
                and in_group(r)
            )

        table = state.store.tables["deals"]
        return list_page(request, table.values(), table, NO_ORDER, keep, kind="deals")

    @router.post(f"{P}/deals")
    async def create_deal(request: Request) -> Response:
        return envelope(public("deals", ops.create_deal(state, await json_body(request))), "Deal created successfully")

    @router.get(f"{P}/deals/{{key}}")
    async def get_deal(key: str) -> Response:
        return envelope(public("deals", lookup("deals", "Deal", key)), "Deal retrieved successfully")

    @router.patch(f"{P}/deals/{{key}}")
    async def update_deal(key: str, request: Request) -> Response:
        record = ops.update_deal(state, lookup("deals", "Deal", key), await json_body(request))
        return envelope(public("deals", record), "Deal updated successfully")

    @router.delete(f"{P}/deals/{{key}}")
    async def archive_deal(key: str) -> Response:
        record = ops.archive_deal(state, lookup("deals", "Deal", key))
        return envelope(public("deals", record), "Deal archived successfully")

    @router.get(f"{P}/transactions")
    async def list_transactions(request: Request) -> Response:
        customer_key = customer_key_param(request)
        table = state.store.tables["transactions"]
        return list_page(
            request, table.values(), table, MONEY_ORDER, lambda r: customer_key in (None, r["customer_key"])
        )

    @router.post(f"{P}/transactions")
    async def create_transaction(request: Request) -> Response:
        record = ops.create_transaction(state, await json_body(request), uses_test_keys(request))
        return envelope(record, "Transaction created successfully")

    @router.get(f"{P}/transactions/{{key}}")
    async def get_transaction(key: str) -> Response:
        return envelope(lookup("transactions", "Transaction", key), "Transaction retrieved successfully")

    @router.delete(f"{P}/transactions/{{key}}")
    async def delete_transaction(key: str) -> Response:
        record = ops.delete_transaction(state, lookup("transactions", "Transaction", key))
        return envelope(record, "Transaction deleted successfully")

    @router.get(f"{P}/rewards")
    async def list_rewards(request: Request) -> Response:
        keep = reward_filter(state, request, customer_key_param(request))
        table = state.store.tables["rewards"]
        return list_page(request, table.values(), table, MONEY_ORDER, keep)

    @router.post(f"{P}/rewards")
    async def create_reward(request: Request) -> Response:
        return envelope(ops.create_reward(state, await json_body(request)), "Reward created successfully")

    @router.get(f"{P}/webhooks")
    async def list_webhooks(request: Request) -> Response:
        views = {r.key: r.view() for r in state.webhooks.registrations.values()}
        return list_page(request, views.values(), views, COMMON_ORDER)

    @router.post(f"{P}/webhooks")
    async def create_webhook(request: Request) -> Response:
        try:
            registration = state.webhooks.register(await json_body(request))
        except WebhookSpecError as exc:
            raise bad_request(str(exc)) from None
        return envelope(registration.view(), "Webhook created successfully")

    @router.get(f"{P}/webhooks/{{key}}")
    async def get_webhook(key: str) -> Response:
        found = state.webhooks.registrations.get(key)
        if found is None:
            raise not_found("Webhook", key)
        return envelope(found.view(), "Webhook retrieved successfully")

    @router.delete(f"{P}/webhooks/{{key}}")
    async def delete_webhook(key: str) -> Response:
        found = state.webhooks.unregister(key)
        if found is None:
            raise not_found("Webhook", key)
        return envelope(found.view(), "Webhook deleted successfully")


def reward_filter(state: PartnerStackState, request: Request, customer_key: str | None) -> Callable[[JsonDict], bool]:
    """Predicate for ``GET /rewards``: payment_status, company_key (the partner's team or partnership key),
    group_key, customer_key, invoice_key, keywords (all words in description / partner / customer email),
    and partner_key (an extension)."""
    params = request.query_params
    payment = params.get("payment_status") or None
    if payment and payment not in PAYMENT_STATUSES:
        raise bad_request(f"'payment_status' must be one of {', '.join(PAYMENT_STATUSES)}")
    group_ref = params.get("group_key")
    group = find_group(state.store.tables["groups"], group_ref) if group_ref else None
    group_key = group["key"] if group else ("\0none" if group_ref else None)
    partner_ref = params.get("partner_key")
    partner = state.store.partnership(partner_ref) if partner_ref else None
    partner_key = partner["key"] if partner else ("\0none" if partner_ref else None)
    company, invoice = params.get("company_key") or None, params.get("invoice_key") or None
    words = (params.get("keywords") or "").lower().split()

    def keep(r: JsonDict) -> bool:
        partnership = r.get("partnership") or {}
        owner = state.store.tables["partnerships"].get(str(partnership.get("key")))
        companies = {partnership.get("key"), owner["team"]["key"] if owner else None}
        customer = r.get("customer") or {}
        text = f"{r.get('description')} {partnership.get('name')} {customer.get('email')}".lower()
        checks = (
            payment is None or r.get("payment_status") == payment,
            group_key is None or (partnership.get("group") or {}).get("key") == group_key,
            customer_key is None or customer.get("key") == customer_key,
            company is None or company in companies,
            invoice is None or (r.get("invoice") or {}).get("key") == invoice,
            partner_key is None or partnership.get("key") == partner_key,
            all(w in text for w in words),
        )
        return all(checks)

    return keep
