"""PartnerStack sandbox webhooks: registration API, payloads, retries, chaos, mutate-driven events."""

from __future__ import annotations

from typing import Any

import httpx

from sandbox.partnerstack import PartnerStackWorld
from tests.sandbox.partnerstack.conftest import Hooks


def live_partner(world: PartnerStackWorld, slug: str = "resellers") -> dict[str, Any]:
    return next(
        p
        for p in world.partnerships
        if p["group"]["slug"] == slug and not p["archived"] and p["partner_key"] != "gstest"
    )


def test_registration_api(ps_hooks: Hooks) -> None:
    api = ps_hooks.api
    made = ps_hooks.register("partnership.created", "customer_created")
    assert made["key"].startswith("whk_") and made["target"] == ps_hooks.receiver.url
    assert made["events"] == ["partnership.created", "customer_created"]
    alias = api.post("/webhooks", json={"target_url": "https://hooks.example/ps", "events": ["deal.updated"]})
    assert alias.status_code == 200 and alias.json()["data"]["target"] == "https://hooks.example/ps"
    for bad in (
        {"events": ["deal.updated"]},
        {"target": "ftp://x", "events": ["deal.updated"]},
        {"target": "https://x.example", "events": []},
        {"target": "https://x.example", "events": ["nope"]},
    ):
        response = api.post("/webhooks", json=bad)
        assert response.status_code == 400 and response.json()["status"] == 400, bad
    listed = api.get("/webhooks").json()["data"]
    assert {w["key"] for w in listed["items"]} == {made["key"], alias.json()["data"]["key"]}
    assert api.get(f"/webhooks/{made['key']}").json()["data"] == made
    assert api.delete(f"/webhooks/{made['key']}").status_code == 200
    assert api.get(f"/webhooks/{made['key']}").status_code == 404
    assert api.delete(f"/webhooks/{made['key']}").status_code == 404


def test_api_writes_post_the_object_with_its_event(ps_hooks: Hooks, ps_world: PartnerStackWorld) -> None:
    ps_hooks.register("partnership.updated", "deal.created", "customer.deleted")
    partner = live_partner(ps_world)
    tiers = next(g for g in ps_world.groups if g["key"] == partner["group"]["key"])["tiers"]
    tier = next(t for t in reversed(tiers) if t["key"] != partner["tier"]["key"])  # a real change
    updated = ps_hooks.api.patch(f"/partnerships/{partner['key']}", json={"tier_key": tier["key"]}).json()["data"]
    deal = ps_hooks.api.post("/deals", json={"partner_key": partner["partner_key"], "account_name": "Hooli"})
    customer = ps_hooks.api.post("/customers", json={"email": "c@d.example", "partner_key": partner["partner_key"]})
    ps_hooks.api.delete(f"/customers/{customer.json()['data']['key']}")
    ps_hooks.flush()
    bodies = ps_hooks.receiver.bodies()
    assert [b["event"] for b in bodies] == ["partnership.updated", "deal.created", "customer.deleted"]
    assert bodies[0] == {**updated, "event": "partnership.updated"}
    assert bodies[1]["key"] == deal.json()["data"]["key"] and bodies[1]["account_name"] == "Hooli"
    hit = ps_hooks.receiver.hits[0]
    assert hit.path == "/hooks/partnerstack" and hit.headers["Content-Type"] == "application/json"
    assert not [h for h in hit.headers if "signature" in h.lower()]
    log = ps_hooks.log()
    assert [(e["event"], e["outcome"], e["attempt"]) for e in log] == [
        ("partnership.updated", "delivered", 0),
        ("deal.created", "delivered", 0),
        ("customer.deleted", "delivered", 0),
    ]


def test_v1_names_and_forced_style(ps_hooks: Hooks, ps_world: PartnerStackWorld) -> None:
    ps_hooks.register("customer_created", "customer_updated")
    partner = live_partner(ps_world)
    made = ps_hooks.api.post("/customers", json={"email": "v1@x.example", "partner_key": partner["partner_key"]})
    ps_hooks.admin.put("/_sandbox/webhooks", json={"event_style": "v2"}).raise_for_status()
    ps_hooks.api.patch(f"/customers/{made.json()['data']['key']}", json={"name": "Renamed"})
    ps_hooks.flush()
    assert [b["event"] for b in ps_hooks.receiver.bodies()] == ["customer_created", "customer.updated"]


def test_retries_on_5xx_then_delivers(ps_hooks: Hooks, ps_world: PartnerStackWorld) -> None:
    ps_hooks.register("deal.updated")
    ps_hooks.receiver.answer(503, times=2)
    deal = next(d for d in ps_world.deals if not d["archived"] and d["stage"] == "Registered")
    ps_hooks.api.patch(f"/deals/{deal['key']}", json={"stage": "Approved"})
    ps_hooks.flush()
    log = ps_hooks.log()
    assert [(e["status"], e["outcome"], e["attempt"]) for e in log] == [
        (503, "retry", 0),
        (503, "retry", 1),
        (200, "delivered", 2),
    ]
    assert len(ps_hooks.receiver.bodies()) == 3
    assert {b["stage"] for b in ps_hooks.receiver.bodies()} == {"Approved"}


def test_gives_up_after_max_attempts_and_4xx_is_final(ps_hooks: Hooks, ps_world: PartnerStackWorld) -> None:
    ps_hooks.register("partnership.archived", "partnership.tags_updated")
    ps_hooks.receiver.answer(500, times=4)
    partner = live_partner(ps_world)
    ps_hooks.api.delete(f"/partnerships/{partner['key']}")
    ps_hooks.flush()
    outcomes = [e["outcome"] for e in ps_hooks.log(event="partnership.archived")]
    assert outcomes == ["retry", "retry", "retry", "gave_up"]
    ps_hooks.receiver.answer(410)
    other = live_partner(ps_world, "referral-partners")
    ps_hooks.api.patch(f"/partnerships/{other['key']}", json={"tags": ["priority", "vip"]})
    ps_hooks.flush()
    tags = ps_hooks.log(event="partnership.tags_updated")
    assert [(e["status"], e["outcome"]) for e in tags] == [(410, "rejected")]
    stats = ps_hooks.admin.get("/_sandbox/webhooks/deliveries").json()["stats"]
    assert stats["events_failed"] == 1 and stats["events_rejected"] == 1


def test_chaos_duplicate_and_drop(ps_hooks: Hooks, ps_world: PartnerStackWorld) -> None:
    ps_hooks.register("deal.updated")
    ps_hooks.admin.post("/_sandbox/webhooks/chaos", json={"duplicate": {"next": 1}, "drop": 1}).raise_for_status()
    changed = ps_hooks.admin.post("/_sandbox/mutate", json={"object": "deals", "count": 3, "seed": 9}).json()
    ps_hooks.flush()
    bodies = ps_hooks.receiver.bodies()
    dropped = ps_hooks.log(outcome="dropped")
    assert len(dropped) == 1 and len(bodies) == 3  # 3 events - 1 dropped + 1 duplicate
    assert len({b["key"] for b in bodies}) == 2
    assert {b["key"] for b in bodies} | {dropped[0]["objectKey"]} == set(changed["updated"])
    assert [e["kind"] for e in ps_hooks.log(kind="duplicate")] == ["duplicate"]


def test_chaos_reorder(ps_hooks: Hooks) -> None:
    ps_hooks.register("customer.updated")
    ps_hooks.admin.put("/_sandbox/webhooks", json={"hold_s": 0.1}).raise_for_status()
    ps_hooks.admin.post("/_sandbox/webhooks/chaos", json={"reorder": True, "seed": 4}).raise_for_status()
    changed = ps_hooks.admin.post("/_sandbox/mutate", json={"object": "customers", "count": 8, "seed": 2}).json()
    ps_hooks.flush()
    received = [b["key"] for b in ps_hooks.receiver.bodies()]
    assert sorted(received) == sorted(changed["updated"]) and received != changed["updated"]


def test_mutate_events_and_no_delivery_without_registration(ps_hooks: Hooks, ps_admin: httpx.Client) -> None:
    ps_admin.post("/_sandbox/mutate", json={"object": "deals", "count": 2, "seed": 5}).raise_for_status()
    ps_hooks.flush()
    assert ps_hooks.receiver.bodies() == []
    ps_hooks.register("deal.created", "deal.updated", "deal.archived")
    result = ps_admin.post(
        "/_sandbox/mutate", json={"object": "deals", "count": 2, "create": 1, "archive": 1, "seed": 6}
    ).json()
    ps_hooks.flush()
    got = sorted((b["event"], b["key"]) for b in ps_hooks.receiver.bodies())
    want = sorted(
        [("deal.updated", k) for k in result["updated"]]
        + [("deal.created", k) for k in result["created"]]
        + [("deal.archived", k) for k in result["archived"]]
    )
    assert got == want
