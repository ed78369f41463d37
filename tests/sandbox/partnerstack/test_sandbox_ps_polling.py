"""What a poller sees: archived partnerships and deals on request, reward status moving on, and
webhooks carrying the API's own shapes (no simulator bookkeeping members)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sandbox.partnerstack import PartnerStackWorld
from tests.sandbox.partnerstack.conftest import Hooks

pytestmark = pytest.mark.usefixtures("ps_restore")


def _keys(client: httpx.Client, path: str, **params: Any) -> set[str]:
    data = client.get(path, params={"limit": 250, **params}).json()["data"]
    assert not data["has_more"]
    return {r["key"] for r in data["items"]}


def test_archived_partnerships_and_deals_are_listed_only_with_include_archived(
    ps: httpx.Client, ps_world: PartnerStackWorld
) -> None:
    deal = next(d for d in ps_world.deals if not d["archived"])
    archived = ps.delete(f"/deals/{deal['key']}").json()["data"]
    assert archived["archived"] is True and archived["updated_at"] >= deal["updated_at"]
    assert deal["key"] not in _keys(ps, "/deals", min_updated=deal["updated_at"])
    assert deal["key"] in _keys(ps, "/deals", min_updated=deal["updated_at"], include_archived="true")
    partner = next(p for p in ps_world.partnerships if not p["archived"] and p["partner_key"] != "gstest")
    assert ps.delete(f"/partnerships/{partner['key']}").status_code == 200
    listed = ps.get("/partnerships", params={"partner_key": partner["partner_key"], "include_archived": "true"})
    assert [(p["key"], p["archived"]) for p in listed.json()["data"]["items"]] == [(partner["key"], True)]
    assert ps.get("/partnerships", params={"partner_key": partner["partner_key"]}).json()["data"]["items"] == []
    assert ps.get("/deals", params={"include_archived": "maybe"}).status_code == 400


def test_reward_status_moves_on_through_mutate(ps: httpx.Client, ps_admin: httpx.Client) -> None:
    rewards = ps.get("/rewards", params={"limit": 250}).json()["data"]["items"]
    pending = next(r for r in rewards if r["reward_status"] == "pending")
    seen = []
    for _ in range(3):
        body = ps_admin.post("/_sandbox/mutate", json={"object": "rewards", "keys": [pending["key"]]}).json()
        assert body["updated"] == [pending["key"]]
        listed = ps.get("/rewards", params={"limit": 250}).json()["data"]["items"]
        now = next(r for r in listed if r["key"] == pending["key"])
        seen.append((now["reward_status"], now["payment_status"], (now["invoice"] or {}).get("status")))
    assert seen == [
        ("approved", "available", "approved"),
        ("paid", "withdrawn", "charge_succeeded"),
        ("paid", "withdrawn", "charge_succeeded"),  # paid is final
    ]
    assert now["updated_at"] > pending["updated_at"] and now["created_at"] == pending["created_at"]
    by_seed = ps_admin.post("/_sandbox/mutate", json={"object": "rewards", "count": 2, "seed": 3}).json()
    assert len(by_seed["updated"]) == 2
    for bad in ({"object": "rewards", "keys": ["rew_nope"]}, {"object": "rewards", "create": 1}):
        assert ps_admin.post("/_sandbox/mutate", json=bad).status_code == 400


def test_customer_and_deal_webhooks_carry_no_partnership_key(ps_hooks: Hooks, ps_world: PartnerStackWorld) -> None:
    ps_hooks.register("customer.updated", "deal.updated")
    customer = next(c for c in ps_world.customers if not c["test"])
    deal = next(d for d in ps_world.deals if not d["archived"] and d["partner_key"])
    assert ps_hooks.api.patch(f"/customers/{customer['key']}", json={"name": "Renamed Ltd"}).status_code == 200
    assert ps_hooks.api.patch(f"/deals/{deal['key']}", json={"lost_reason": "Budget"}).status_code == 200
    bodies = ps_hooks.receiver.wait_for(2)
    assert {b["event"] for b in bodies} == {"customer.updated", "deal.updated"}
    assert all("partnership_key" not in b and b.get("partner_key") for b in bodies)
