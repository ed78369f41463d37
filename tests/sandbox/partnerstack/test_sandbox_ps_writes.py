"""PartnerStack sandbox writes: creates, updates, archives, validation and the transaction rule."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sandbox.partnerstack import PartnerStackServer, PartnerStackWorld

pytestmark = pytest.mark.usefixtures("ps_restore")


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == 200 and body["message"]
    data: dict[str, Any] = body["data"]
    return data


def error(response: httpx.Response, status: int, fragment: str = "") -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body == {"message": body["message"], "status": status}
    assert fragment in body["message"], body["message"]


def group(world: PartnerStackWorld, slug: str) -> dict[str, Any]:
    return next(g for g in world.groups if g["slug"] == slug)


def partner_in(world: PartnerStackWorld, slug: str) -> dict[str, Any]:
    return next(
        p
        for p in world.partnerships
        if p["group"]["slug"] == slug and not p["archived"] and p["partner_key"] != "gstest"
    )


def test_partnership_lifecycle(ps: httpx.Client, ps_world: PartnerStackWorld) -> None:
    resellers = group(ps_world, "resellers")
    body = {
        "email": "new.partner@brightpath.example",
        "first_name": "Nia",
        "last_name": "Okafor",
        "group_key": resellers["key"],
        "tags": ["emea"],
        "fields": [{"api_name": "company_name", "value": "BrightPath Ltd"}],
    }
    created = ok(ps.post("/partnerships", json=body))
    assert created["key"].startswith("part_") and created["partner_key"] == "newpartner"
    assert created["group"] == {k: resellers[k] for k in ("key", "name", "slug")}
    assert created["tier"]["name"] == "Registered" and created["team"]["name"] == "BrightPath Ltd"
    error(ps.post("/partnerships", json=body), 409, "already exists")
    error(ps.post("/partnerships", json={**body, "email": "x@y.example", "partner_key": "newpartner"}), 409)
    error(ps.post("/partnerships", json={"first_name": "A", "last_name": "B"}), 400, "email")
    error(ps.post("/partnerships", json={**body, "email": "other@z.example", "group_key": "grup_nope"}), 400)

    key = created["key"]
    other_group_tier = group(ps_world, "referral-partners")["tiers"][2]["key"]
    error(ps.patch(f"/partnerships/{key}", json={"tier_key": other_group_tier}), 400, "not a tier")
    gold = resellers["tiers"][2]
    manager = ps_world.meta["managers"][0]
    patch = {
        "tier_key": gold["key"],
        "manager_email": manager["email"].upper(),
        "fields": [{"api_name": "website", "value": "https://brightpath.example"}],
    }
    updated = ok(ps.patch(f"/partnerships/{key}", json=patch))
    assert updated["tier"] == gold and updated["manager"] == manager
    assert updated["updated_at"] >= created["updated_at"]
    assert [f["api_name"] for f in updated["fields"]] == ["company_name", "website"]
    error(ps.patch(f"/partnerships/{key}", json={"manager_email": "nobody@x.example"}), 400, "manager")
    moved = ok(ps.patch(f"/partnerships/{key}", json={"group_key": group(ps_world, "referral-partners")["key"]}))
    assert moved["group"]["slug"] == "referral-partners" and moved["tier"]["name"] == "Gold"

    archived = ok(ps.delete(f"/partnerships/{key}"))
    assert archived["archived"] is True
    assert ok(ps.get(f"/partnerships/{key}"))["archived"] is True
    live = ps.get("/partnerships", params={"limit": 250}).json()["data"]["items"]
    assert key not in {p["key"] for p in live}
    error(ps.patch(f"/partnerships/{key}", json={"tier_key": gold["key"]}), 400, "archived")


def test_customer_lifecycle(ps: httpx.Client, ps_server: PartnerStackServer, ps_world: PartnerStackWorld) -> None:
    partner = partner_in(ps_world, "resellers")
    error(ps.post("/customers", json={"partner_key": partner["partner_key"]}), 400, "email")
    error(ps.post("/customers", json={"email": "a@b.example"}), 400, "partner_key")
    error(ps.post("/customers", json={"email": "a@b.example", "partner_key": "nobody"}), 400, "partner")
    error(ps.post("/customers", json={"email": "not-an-email", "partner_key": partner["partner_key"]}), 400)
    body = {
        "email": "buyer@acme.example",
        "partner_key": partner["partner_key"],
        "customer_key": "acct-t1",
        "name": "Acme",
    }
    created = ok(ps.post("/customers", json=body))
    assert created["key"].startswith("cust_") and created["test"] is False
    assert created["partner_key"] == partner["partner_key"] and created["source_type"] == "API"
    assert "partnership_key" not in created  # the API names the partner by partner_key only
    error(ps.post("/customers", json=body), 409, "customer_key")
    assert ok(ps.get("/customers/acct-t1"))["key"] == created["key"]
    renamed = ok(ps.patch(f"/customers/{created['key']}", json={"name": "Acme Corp", "customer_key": "acct-t2"}))
    assert renamed["name"] == "Acme Corp" and ok(ps.get("/customers/acct-t2"))["key"] == created["key"]
    error(ps.patch(f"/customers/{created['key']}", json={"partner_key": "gstest"}), 400, "partner_key")
    ok(ps.delete(f"/customers/{created['key']}"))
    error(ps.get(f"/customers/{created['key']}"), 404)
    creds = ps_server.credentials
    test_client = httpx.Client(base_url=ps.base_url, auth=(creds["test_public_key"], creds["test_secret_key"]))
    with test_client:
        flagged = ok(test_client.post("/customers", json={**body, "customer_key": None, "email": "t@t.example"}))
    assert flagged["test"] is True


def test_deal_validation_and_lifecycle(ps: httpx.Client, ps_world: PartnerStackWorld) -> None:
    partner = partner_in(ps_world, "resellers")
    tech = partner_in(ps_world, "technology-partners")
    resellers = group(ps_world, "resellers")
    base = {
        "partner_key": partner["partner_key"],
        "account_name": "Globex",
        "amount": 1_250_000,
        "currency": "eur",
        "close_date": "2026-03-31",
        "contact_first_name": "Ann",
    }
    error(ps.post("/deals", json={**base, "group_key": resellers["key"]}), 400, "Exactly one")
    error(ps.post("/deals", json={"account_name": "X"}), 400, "Exactly one")
    error(ps.post("/deals", json={**base, "partner_key": tech["partner_key"]}), 400, "not enabled")
    error(ps.post("/deals", json={**base, "stage": "closed won"}), 400, "stage")
    error(ps.post("/deals", json={**base, "close_date": "soon"}), 400, "close_date")
    error(ps.post("/deals", json={**base, "amount": 12.5}), 400, "cents")
    error(ps.post("/deals", json={**base, "customer_key": "cust_nope"}), 400, "customer_key")
    deal = ok(ps.post("/deals", json=base))
    assert deal["key"].startswith("deal_") and deal["stage"] == "Registered" and deal["source"] == "partner"
    assert deal["currency"] == "EUR" and deal["group_key"] == resellers["key"]
    assert deal["team"] == partner["team"] and deal["team_member"]["email"] == partner["email"]
    vendor = ok(ps.post("/deals", json={"group_key": resellers["key"], "account_name": "Initech"}))
    assert vendor["source"] == "vendor" and vendor["partner_key"] is None
    lost = ok(ps.patch(f"/deals/{deal['key']}", json={"stage": "Closed Lost", "lost_reason": "Budget"}))
    assert (lost["stage"], lost["lost_reason"]) == ("Closed Lost", "Budget")
    error(ps.patch(f"/deals/{deal['key']}", json={"stage": "Won"}), 400, "stage")
    error(ps.patch(f"/deals/{deal['key']}", json={"partner_key": "gstest"}), 400, "cannot be changed")
    assert ok(ps.delete(f"/deals/{deal['key']}"))["archived"] is True
    error(ps.patch(f"/deals/{deal['key']}", json={"stage": "Approved"}), 400, "archived")
    listed = ps.get("/deals", params={"partner_key": partner["partner_key"], "limit": 250}).json()["data"]["items"]
    assert deal["key"] not in {d["key"] for d in listed}


def test_transaction_identifies_customer_by_exactly_one_reference(
    ps: httpx.Client, ps_world: PartnerStackWorld
) -> None:
    customer = next(
        c
        for c in ps_world.customers
        if c["customer_key"] and c["email"] and not c["test"] and c["email"] == c["email"].strip().lower()
    )
    refs = {
        "customer_key": customer["key"],
        "customer_external_key": customer["customer_key"],
        "customer_email": f"  {customer['email'].upper()} ",
    }
    error(ps.post("/transactions", json={"amount": 100}), 400, "exactly one")
    error(ps.post("/transactions", json={"amount": 100, **refs}), 400, "exactly one")
    two = {k: refs[k] for k in ("customer_key", "customer_email")}
    error(ps.post("/transactions", json={"amount": 100, **two}), 400, "exactly one")
    error(ps.post("/transactions", json={"amount": 100, "customer_email": "nobody@x.example"}), 400, "not found")
    error(ps.post("/transactions", json={"amount": None, "customer_key": customer["key"]}), 400, "amount")
    error(ps.post("/transactions", json={"amount": 100, "currency": "EURO", "customer_key": customer["key"]}), 400)
    made = []
    for name, value in refs.items():
        made.append(ok(ps.post("/transactions", json={"amount": 9_900, "currency": "GBP", name: value})))
    assert {t["customer_key"] for t in made} == {customer["key"]}
    assert made[0]["customer"] == {
        "key": customer["key"],
        "email": customer["email"],
        "external_key": customer["customer_key"],
    }
    assert made[0]["amount_usd"] == 12_573 and made[0]["approved"] is True
    zero = ok(ps.post("/transactions", json={"amount": 0, "key": "inv-0001", "customer_key": customer["key"]}))
    assert zero["key"] == "inv-0001" and zero["currency"] == "USD"
    error(ps.post("/transactions", json={"amount": 1, "key": "inv-0001", "customer_key": customer["key"]}), 409)
    error(ps.post("/transactions", json={"amount": 1, "key": "abc", "customer_key": customer["key"]}), 400, "key")
    rewards = ps.get("/rewards", params={"customer_key": customer["key"], "limit": 250}).json()["data"]["items"]
    assert {made[0]["key"], made[1]["key"]} <= {(r["transaction"] or {}).get("key") for r in rewards}
    assert ok(ps.delete(f"/transactions/{zero['key']}"))["key"] == "inv-0001"
    error(ps.get("/transactions/inv-0001"), 404)


def test_test_customers_earn_no_rewards_and_rewards_can_be_created(
    ps: httpx.Client, ps_world: PartnerStackWorld
) -> None:
    test_customer = ok(ps.post("/customers", json={"email": "t@gs.example", "partner_key": "gstest"}))
    assert test_customer["test"] is True
    before = ps.get("/rewards", params={"limit": 250}).json()["data"]["items"]
    ok(ps.post("/transactions", json={"amount": 5_000, "customer_key": test_customer["key"]}))
    assert ps.get("/rewards", params={"limit": 250}).json()["data"]["items"] == before
    customer = next(c for c in ps_world.customers if not c["test"])
    reward = ok(
        ps.post(
            "/rewards",
            json={"amount": 2_500, "description": "Bonus", "target": {"key": customer["key"], "type": "customer"}},
        )
    )
    assert reward["key"].startswith("rew_") and reward["reward_status"] == "pending"
    assert reward["partnership"]["key"] == customer["partnership_key"]
    error(ps.post("/rewards", json={"amount": 1, "description": "x", "target": {"key": "x", "type": "deal"}}), 400)
