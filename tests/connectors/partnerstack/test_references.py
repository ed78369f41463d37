"""Partner references: partner_key → partnership key (loaded once, then looked up alone), and a
transaction's partner through its customer."""

from __future__ import annotations

from typing import Any

import httpx
import respx

from connectors.sdk import ReadRequest

from .conftest import BASE, envelope, error, make_connector, ok

PARTNERSHIPS = [
    {"key": "part_acme", "partner_key": "acme", "created_at": 1, "updated_at": 1},
    {"key": "part_bob", "partner_key": "bobco", "created_at": 2, "updated_at": 2},
]


def _partnerships_endpoint(late: dict[str, Any] | None = None) -> respx.Route:
    """The full list (include_archived) and the ?partner_key= lookup; ``late`` joined after the load."""

    def handler(request: httpx.Request) -> httpx.Response:
        wanted = request.url.params.get("partner_key")
        if wanted is None:
            return httpx.Response(200, json=envelope(PARTNERSHIPS))
        hits = [p for p in [*PARTNERSHIPS, *([late] if late else [])] if p["partner_key"] == wanted]
        return httpx.Response(200, json=envelope(hits))

    return respx.get(f"{BASE}/partnerships").mock(side_effect=handler)


def _partners(record: dict[str, Any]) -> list[str]:
    return [a["id"] for a in record["associations"].get("partnerships", [])]


@respx.mock
def test_partner_keys_are_translated_and_cached() -> None:
    late = {"key": "part_new", "partner_key": "newbie", "created_at": 3, "updated_at": 3}
    route = _partnerships_endpoint(late)
    deals = [
        {"key": "deal_1", "partner_key": "acme", "amount": 100},
        {"key": "deal_2", "partner_key": "ghost", "amount": 100},
        {"key": "deal_3", "partner_key": "newbie", "amount": 100},
    ]
    respx.get(f"{BASE}/deals").mock(return_value=httpx.Response(200, json=envelope(deals)))
    connector = make_connector()
    records = next(iter(connector.read("deals", ReadRequest(mode="full")))).records
    assert [_partners(r) for r in records] == [["part_acme"], [], ["part_new"]]
    assert records[0]["associations"]["partnerships"][0]["types"] == ["partner"]
    assert route.call_count == 3  # the whole list once, then ghost and newbie alone
    assert all(call.request.url.params["include_archived"] == "true" for call in route.calls)
    assert [call.request.url.params.get("partner_key") for call in route.calls] == [None, "ghost", "newbie"]
    list(connector.read("deals", ReadRequest(mode="full")))
    assert route.call_count == 3  # everything (even "ghost is unknown") is cached


@respx.mock
def test_a_filter_the_upstream_ignores_never_links_a_stranger() -> None:
    respx.get(f"{BASE}/partnerships").mock(return_value=httpx.Response(200, json=envelope(PARTNERSHIPS)))
    respx.get(f"{BASE}/customers").mock(
        return_value=httpx.Response(200, json=envelope([{"key": "cust_1", "partner_key": "ghost"}]))
    )
    records = next(iter(make_connector().read("customers", ReadRequest(mode="full")))).records
    assert _partners(records[0]) == []


@respx.mock
def test_reading_partnerships_teaches_the_directory() -> None:
    route = _partnerships_endpoint()
    respx.get(f"{BASE}/customers").mock(
        return_value=httpx.Response(200, json=envelope([{"key": "cust_1", "partner_key": "bobco"}]))
    )
    connector = make_connector()
    list(connector.read("partnerships", ReadRequest(mode="full")))
    records = next(iter(connector.read("customers", ReadRequest(mode="full")))).records
    assert _partners(records[0]) == ["part_bob"]
    assert route.call_count == 1  # the stream read itself; no lookup was needed


@respx.mock
def test_a_direct_partnership_key_needs_no_lookup() -> None:
    route = _partnerships_endpoint()
    rewards = [{"key": "rew_1", "amount": 500, "partnership": {"key": "part_x"}, "customer": {"key": "cust_9"}}]
    respx.get(f"{BASE}/rewards").mock(return_value=httpx.Response(200, json=envelope(rewards)))
    record = next(iter(make_connector().read("rewards", ReadRequest(mode="full")))).records[0]
    assert record["associations"] == {
        "partnerships": [{"id": "part_x", "types": ["partner"]}],
        "customers": [{"id": "cust_9", "types": ["customer"]}],
    }
    assert record["amount_decimal"] == "5.00"
    assert route.call_count == 0


@respx.mock
def test_a_transaction_reaches_its_partner_through_its_customer() -> None:
    _partnerships_endpoint()
    customer = respx.get(f"{BASE}/customers/cust_1").mock(return_value=ok({"key": "cust_1", "partner_key": "acme"}))
    respx.get(f"{BASE}/customers/cust_gone").mock(return_value=error(404))
    transactions = [
        {"key": "tx_1", "amount": 4999, "currency": "USD", "customer": {"key": "cust_1"}},
        {"key": "tx_2", "amount": 100, "currency": "USD", "customer": {"key": "cust_1"}},
        {"key": "tx_3", "amount": 100, "currency": "USD", "customer": {"key": "cust_gone"}},
    ]
    respx.get(f"{BASE}/transactions").mock(return_value=httpx.Response(200, json=envelope(transactions)))
    records = next(iter(make_connector().read("transactions", ReadRequest(mode="full")))).records
    assert [_partners(r) for r in records] == [["part_acme"], ["part_acme"], []]
    assert [r["associations"]["customers"][0]["id"] for r in records] == ["cust_1", "cust_1", "cust_gone"]
    assert customer.call_count == 1


@respx.mock
def test_customer_lookups_can_be_switched_off() -> None:
    customer = respx.get(f"{BASE}/customers/cust_1").mock(return_value=ok({"key": "cust_1", "partner_key": "acme"}))
    transactions = [{"key": "tx_1", "amount": 1, "currency": "USD", "customer": {"key": "cust_1"}}]
    respx.get(f"{BASE}/transactions").mock(return_value=httpx.Response(200, json=envelope(transactions)))
    connector = make_connector(resolve_transaction_partners=False)
    record = next(iter(connector.read("transactions", ReadRequest(mode="full")))).records[0]
    assert _partners(record) == [] and customer.call_count == 0
