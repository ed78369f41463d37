"""``/api/v2/partnerships``, ``/api/v2/customers`` and ``/api/v2/groups``.

Also the list helper used by every list endpoint.  Lists return only live records: archived
partnerships only with ``include_archived=true``; deleted customers never.  Customers are sent as
the API shapes them (``objects.public``: no ``partnership_key``), and their list takes no
``order_by`` (it is not among the customer list's documented parameters).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.partnerstack import ops_partners as ops
from sandbox.partnerstack.errors import not_found
from sandbox.partnerstack.listing import bool_param, paginate, parse_list
from sandbox.partnerstack.normalize import find_group
from sandbox.partnerstack.objects import JsonDict, public
from sandbox.partnerstack.responses import envelope, page
from sandbox.partnerstack.state import PartnerStackState
from sandbox.partnerstack.validate import json_body

P = "/api/v2"
COMMON_ORDER = ("created_at", "updated_at", "key")
# GET /partnerships documents order_by with -created_at, created_at, -updated_at, updated_at.
PARTNERSHIP_ORDER = ("created_at", "updated_at")
# GET /customers and GET /deals document no order_by (newest first by creation date).
NO_ORDER: tuple[str, ...] = ()
GROUP_ORDER = (*COMMON_ORDER, "name", "slug")


def uses_test_keys(request: Request) -> bool:
    """Whether the request authenticated with the test key pair."""
    return bool(request.scope.get("state", {}).get("ps_test_keys"))


def list_page(
    request: Request,
    records: Iterable[JsonDict],
    table: dict[str, JsonDict],
    order_fields: Collection[str],
    keep: Callable[[JsonDict], bool] = lambda r: True,
    kind: str = "",
) -> Response:
    """Filter by the time window and ``keep``, order and page (see :mod:`sandbox.partnerstack.listing`);
    ``kind`` names the table, for ``objects.public``."""
    query = parse_list(request.query_params, order_fields)
    rows = [r for r in records if query.in_window(r) and keep(r)]
    items, has_more = paginate(rows, query, table.get)
    return page([public(kind, item) for item in items], has_more)


def group_filter(state: PartnerStackState, request: Request) -> Callable[[JsonDict], bool]:
    """``group`` (key, slug or name without spaces) → predicate on a record's partnership."""
    ref = request.query_params.get("group") or request.query_params.get("group_key")
    if not ref:
        return lambda r: True
    group = find_group(state.store.tables["groups"], ref)
    wanted = group["key"] if group else None

    def keep(record: JsonDict) -> bool:
        if "group" in record:
            return bool(record["group"]["key"] == wanted)
        if record.get("group_key"):
            return bool(record["group_key"] == wanted)
        partnership = state.store.partnership(record.get("partner_key"))
        return partnership is not None and partnership["group"]["key"] == wanted

    return keep


def add_partner_routes(router: APIRouter, state: PartnerStackState) -> None:
    """Register partnership, customer and group endpoints."""

    def partnership(key: str) -> JsonDict:
        found = state.store.get("partnerships", key) or state.store.partnership(key)
        if found is None:
            raise not_found("Partnership", key)
        return found

    def customer(key: str) -> JsonDict:
        found = state.store.customer(key)
        if found is None:
            raise not_found("Customer", key)
        return found

    @router.get(f"{P}/partnerships")
    async def list_partnerships(request: Request) -> Response:
        archived = bool_param(request.query_params, "include_archived")
        bool_param(request.query_params, "has_sub_id")
        bool_param(request.query_params, "include_offers")
        partner_key = request.query_params.get("partner_key")
        in_group = group_filter(state, request)

        def keep(r: JsonDict) -> bool:
            return (archived or not r.get("archived")) and partner_key in (None, "", r["partner_key"]) and in_group(r)

        table = state.store.tables["partnerships"]
        return list_page(request, table.values(), table, PARTNERSHIP_ORDER, keep)

    @router.post(f"{P}/partnerships")
    async def create_partnership(request: Request) -> Response:
        record = ops.create_partnership(state, await json_body(request))
        return envelope(record, "Partnership created successfully")

    @router.get(f"{P}/partnerships/{{key}}")
    async def get_partnership(key: str) -> Response:
        return envelope(partnership(key), "Partnership retrieved successfully")

    @router.patch(f"{P}/partnerships/{{key}}")
    async def update_partnership(key: str, request: Request) -> Response:
        record = ops.update_partnership(state, partnership(key), await json_body(request))
        return envelope(record, "Partnership updated successfully")

    @router.delete(f"{P}/partnerships/{{key}}")
    async def archive_partnership(key: str) -> Response:
        return envelope(ops.archive_partnership(state, partnership(key)), "Partnership archived successfully")

    @router.get(f"{P}/customers")
    async def list_customers(request: Request) -> Response:
        partner_key = request.query_params.get("partner_key")
        in_group = group_filter(state, request)

        def keep(r: JsonDict) -> bool:
            return partner_key in (None, "", r["partner_key"]) and in_group(r)

        table = state.store.tables["customers"]
        return list_page(request, table.values(), table, NO_ORDER, keep, kind="customers")

    @router.post(f"{P}/customers")
    async def create_customer(request: Request) -> Response:
        record = ops.create_customer(state, await json_body(request), uses_test_keys(request))
        return envelope(public("customers", record), "Customer created successfully")

    @router.get(f"{P}/customers/{{key}}")
    async def get_customer(key: str) -> Response:
        return envelope(public("customers", customer(key)), "Customer retrieved successfully")

    @router.patch(f"{P}/customers/{{key}}")
    async def update_customer(key: str, request: Request) -> Response:
        record = ops.update_customer(state, customer(key), await json_body(request))
        return envelope(public("customers", record), "Customer updated successfully")

    @router.delete(f"{P}/customers/{{key}}")
    async def delete_customer(key: str) -> Response:
        return envelope(public("customers", ops.delete_customer(state, customer(key))), "Customer deleted successfully")

    @router.get(f"{P}/groups")
    async def list_groups(request: Request) -> Response:
        table = state.store.tables["groups"]
        return list_page(request, table.values(), table, GROUP_ORDER)

    @router.get(f"{P}/groups/{{key}}")
    async def get_group(key: str) -> Response:
        found = state.store.tables["groups"].get(key)
        if found is None:
            raise not_found("Group", key)
        return envelope(found, "Group retrieved successfully")
