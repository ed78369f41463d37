"""PartnerStack sandbox reads: auth, envelope, cursor paging, limits, ordering, filters, errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sandbox.partnerstack import PartnerStackServer, PartnerStackWorld


def items(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["data"]["items"]
    return rows


def walk(client: httpx.Client, path: str, limit: int, **params: Any) -> list[list[dict[str, Any]]]:
    """Every page, forwards, following ``starting_after`` until ``has_more`` is false."""
    pages: list[list[dict[str, Any]]] = []
    cursor: str | None = None
    while True:
        query = {"limit": limit, **params, **({"starting_after": cursor} if cursor else {})}
        data = client.get(path, params=query).json()["data"]
        pages.append(data["items"])
        if not data["has_more"]:
            return pages
        assert len(data["items"]) == limit
        cursor = data["items"][-1]["key"]


def test_basic_auth_is_required(ps_server: PartnerStackServer) -> None:
    url = ps_server.base_url + "/api/v2/partnerships"
    creds = ps_server.credentials
    for auth in (None, (creds["public_key"], "wrong"), (creds["secret_key"], creds["public_key"])):
        response = httpx.get(url, auth=auth)
        assert response.status_code == 401
        body = response.json()
        assert body["status"] == 401 and body["message"] and "data" not in body
    bearer = httpx.get(url, headers={"Authorization": f"Bearer {creds['secret_key']}"})
    assert bearer.status_code == 401
    assert httpx.get(url, auth=(creds["test_public_key"], creds["test_secret_key"])).status_code == 200
    assert httpx.get(ps_server.base_url + "/_sandbox/stats").status_code == 401


def test_envelope_and_single_object(ps: httpx.Client, ps_world: PartnerStackWorld) -> None:
    body = ps.get("/partnerships", params={"limit": 2}).json()
    assert set(body) == {"data", "message", "status"} and body["status"] == 200
    assert set(body["data"]) == {"has_more", "items"} and body["data"]["has_more"] is True
    first = body["data"]["items"][0]
    one = ps.get(f"/partnerships/{first['key']}").json()
    assert one["status"] == 200 and one["data"] == first
    assert first["key"].startswith("part_") and first["group"]["key"].startswith("grup_")
    assert isinstance(first["created_at"], int) and first["created_at"] > 1_600_000_000_000
    assert set(first) >= {
        "email",
        "first_name",
        "last_name",
        "partner_key",
        "tier",
        "team",
        "manager",
        "tags",
        "fields",
        "joined_at",
    }
    by_partner_key = ps.get(f"/partnerships/{first['partner_key']}").json()["data"]
    assert by_partner_key["key"] == first["key"]
    assert len(items(ps.get("/partnerships"))) == 10  # default limit


def test_paging_forward_then_backward_covers_everything(ps: httpx.Client, ps_world: PartnerStackWorld) -> None:
    expected = sorted(ps_world.customers, key=lambda c: (c["created_at"], c["key"]), reverse=True)
    pages = walk(ps, "/customers", 25)
    assert [c["key"] for page in pages for c in page] == [c["key"] for c in expected]
    assert len(pages) == -(-len(expected) // 25)
    # backwards from the last page, with ending_before = first key of the current page
    back: list[list[dict[str, Any]]] = [pages[-1]]
    while True:
        data = ps.get("/customers", params={"limit": 25, "ending_before": back[-1][0]["key"]}).json()["data"]
        back.append(data["items"])
        if not data["has_more"]:
            break
    assert [p[0]["key"] for p in back[::-1]] == [p[0]["key"] for p in pages]
    assert ps.get("/customers", params={"limit": 25, "ending_before": expected[0]["key"]}).json()["data"] == {
        "has_more": False,
        "items": [],
    }


def test_order_by_only_where_the_list_documents_it(ps: httpx.Client, ps_world: PartnerStackWorld) -> None:
    oldest = items(ps.get("/partnerships", params={"order_by": "created_at", "limit": 250, "include_archived": "true"}))
    assert [p["created_at"] for p in oldest] == sorted(p["created_at"] for p in ps_world.partnerships)[:250]
    pages = walk(ps, "/transactions", 30, order_by="-amount")
    amounts = [t["amount"] or 0 for page in pages for t in page]
    assert amounts == sorted(amounts, reverse=True)
    by_update = items(ps.get("/rewards", params={"order_by": "-updated_at", "limit": 250}))
    assert [r["updated_at"] for r in by_update] == sorted((r["updated_at"] for r in by_update), reverse=True)
    assert ps.get("/transactions", params={"order_by": "-nonsense"}).status_code == 400
    # partnerships document -created_at, created_at, -updated_at, updated_at only
    assert ps.get("/partnerships", params={"order_by": "email"}).status_code == 400
    # customers and deals document no order_by: newest first by creation date, and order_by is refused
    for path in ("/customers", "/deals"):
        newest = items(ps.get(path, params={"limit": 50}))
        assert [r["created_at"] for r in newest] == sorted((r["created_at"] for r in newest), reverse=True)
        refused = ps.get(path, params={"order_by": "created_at"})
        assert refused.status_code == 400 and "order_by" in refused.json()["message"]


def test_customers_and_deals_name_their_partner_by_partner_key_only(ps: httpx.Client) -> None:
    """The Vendor API's customer and deal shapes carry ``partner_key``, not the partnership's key."""
    for path in ("/customers", "/deals"):
        rows = items(ps.get(path, params={"limit": 50, **({"include_archived": "true"} if path == "/deals" else {})}))
        assert rows and all("partnership_key" not in r for r in rows)
        assert any(r.get("partner_key") for r in rows)
        one = ps.get(f"{path}/{rows[0]['key']}").json()["data"]
        assert "partnership_key" not in one


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 251}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"starting_after": "cust_a", "ending_before": "cust_b"}, "mutually exclusive"),
        ({"starting_after": "cust_doesnotexist"}, "does not exist"),
        ({"min_created": "yesterday"}, "min_created"),
    ],
)
def test_list_parameter_errors(ps: httpx.Client, params: dict[str, Any], fragment: str) -> None:
    response = ps.get("/customers", params=params)
    assert response.status_code == 400
    assert response.json()["status"] == 400 and fragment in response.json()["message"]


def test_limit_bounds_accepted(ps: httpx.Client) -> None:
    assert len(items(ps.get("/customers", params={"limit": 1}))) == 1
    assert len(items(ps.get("/customers", params={"limit": 250}))) == 90


def test_partnership_filters(ps: httpx.Client, ps_world: PartnerStackWorld) -> None:
    live = [p for p in ps_world.partnerships if not p["archived"]]
    everything = items(ps.get("/partnerships", params={"limit": 250, "include_archived": "true"}))
    assert len(everything) == len(ps_world.partnerships) > len(live)
    assert len(items(ps.get("/partnerships", params={"limit": 250}))) == len(live)
    group = next(g for g in ps_world.groups if g["slug"] == "referral-partners")
    wanted = {p["key"] for p in live if p["group"]["key"] == group["key"]}
    for ref in ("ReferralPartners", "referral-partners", group["key"]):
        assert {p["key"] for p in items(ps.get("/partnerships", params={"group": ref, "limit": 250}))} == wanted
    test_partner = items(ps.get("/partnerships", params={"partner_key": "gstest"}))
    assert [p["partner_key"] for p in test_partner] == ["gstest"]


def test_customer_deal_and_money_filters(ps: httpx.Client, ps_world: PartnerStackWorld) -> None:
    partner_key = ps_world.customers[5]["partner_key"]
    mine = items(ps.get("/customers", params={"partner_key": partner_key, "limit": 250}))
    assert mine and {c["partner_key"] for c in mine} == {partner_key}
    ordered = sorted(c["created_at"] for c in ps_world.customers)
    low, high = ordered[20], ordered[40]
    window = items(ps.get("/customers", params={"min_created": low, "max_created": high, "limit": 250}))
    assert len(window) == 21 and all(low <= c["created_at"] <= high for c in window)
    linked = next(d for d in ps_world.deals if d["customer_key"] and not d["archived"])
    customer = next(c for c in ps_world.customers if c["key"] == linked["customer_key"])
    for ref in filter(None, (customer["key"], customer["customer_key"])):
        deals = items(ps.get("/deals", params={"customer_key": ref, "limit": 250}))
        assert linked["key"] in {d["key"] for d in deals}
    resellers = items(ps.get("/deals", params={"group": "Resellers", "limit": 250}))
    group_key = next(g["key"] for g in ps_world.groups if g["name"] == "Resellers")
    assert resellers and {d["group_key"] for d in resellers} == {group_key}
    paid = items(ps.get("/rewards", params={"payment_status": "available", "limit": 250}))
    assert paid and {r["payment_status"] for r in paid} == {"available"}
    assert ps.get("/rewards", params={"payment_status": "lost"}).status_code == 400
    words = items(ps.get("/rewards", params={"keywords": "signup bonus", "limit": 250}))
    assert words and all("Signup bonus" in r["description"] for r in words)
    assert len(items(ps.get("/groups"))) == 3


def test_min_updated_is_inclusive_and_sees_changes(
    ps: httpx.Client, ps_admin: httpx.Client, ps_world: PartnerStackWorld, ps_restore: None
) -> None:
    newest = max(d["updated_at"] for d in ps_world.deals)
    assert items(ps.get("/deals", params={"min_updated": newest + 1, "include_archived": "true"})) == []
    at_newest = items(ps.get("/deals", params={"min_updated": newest, "include_archived": "true"}))
    assert [d["updated_at"] for d in at_newest] == [newest]
    changed = ps_admin.post("/_sandbox/mutate", json={"object": "deals", "count": 4, "seed": 3}).json()
    seen = items(ps.get("/deals", params={"min_updated": newest + 1, "limit": 250}))
    assert sorted(d["key"] for d in seen) == sorted(changed["updated"])
    stamp = min(d["updated_at"] for d in seen)
    assert {d["key"] for d in items(ps.get("/deals", params={"min_updated": stamp, "limit": 250}))} >= {
        d["key"] for d in seen if d["updated_at"] == stamp
    }


def test_unknown_keys_and_routes_are_404(ps: httpx.Client) -> None:
    for path in (
        "/partnerships/part_nope",
        "/customers/cust_nope",
        "/deals/deal_nope",
        "/transactions/tran_x",
        "/webhooks/whk_nope",
        "/nothing-here",
    ):
        response = ps.get(path)
        assert response.status_code == 404, path
        assert response.json()["status"] == 404 and response.json()["message"]
    assert ps.put("/deals").status_code == 405
    bad_json = ps.post("/customers", content=b"{not json", headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json()["status"] == 400
