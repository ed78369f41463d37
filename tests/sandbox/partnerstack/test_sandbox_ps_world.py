"""PartnerStack sandbox world: determinism, realism, HubSpot linkage, fixtures, mutate and faults."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.ecosystem import Ecosystem
from sandbox.partnerstack import (
    PartnerStackServer,
    PartnerStackState,
    PartnerStackWorld,
    generate_world,
    load_partnerstack_world,
)
from sandbox.partnerstack.mutate import mutate


def test_generation_is_deterministic() -> None:
    first, again = generate_world(seed=5, size=200), generate_world(seed=5, size=200)
    assert first.to_json() == again.to_json()
    assert generate_world(seed=6, size=200).to_json() != first.to_json()
    assert first.counts() == {
        "groups": 3,
        "partnerships": 20,
        "customers": 60,
        "deals": 50,
        "transactions": 40,
        "rewards": 30,
    }


def test_world_is_realistic_and_documents_its_mess(ps_world: PartnerStackWorld) -> None:
    partnerships = {p["key"]: p for p in ps_world.partnerships}
    assert partnerships[next(k for k, p in partnerships.items() if p["partner_key"] == "gstest")]["tags"] == ["test"]
    assert {g["name"] for g in ps_world.groups} == {"Resellers", "Referral partners", "Technology partners"}
    assert {p["tier"]["name"] for p in ps_world.partnerships} <= {"Registered", "Silver", "Gold", "Platinum"}
    tables = {name: {r["key"]: r for r in ps_world.table(name)} for name in ("customers", "deals")}
    kinds = {d["reason"] for d in ps_world.defects}
    assert len(kinds) == 4
    for defect in ps_world.defects:
        assert tables[defect["object"]][defect["key"]][defect["field"]] == defect["value"]
    found = Counter(d["kind"] for d in ps_world.discrepancies)
    assert {"messy_website", "name_variant", "email_format"} <= set(found)
    free_mail = [
        p
        for p in ps_world.partnerships
        if p["email"].strip().lower().endswith(("gmail.com", "outlook.com", "yahoo.com", "proton.me"))
    ]
    assert free_mail and all(not any(f["api_name"] == "website" for f in p["fields"]) for p in free_mail)
    owners = {key for keys in ps_world.entities.values() for key in keys}
    assert set(partnerships) - {p["key"] for p in ps_world.partnerships if p["partner_key"] == "gstest"} <= owners
    stages = {g["key"]: g["deal_stages"] for g in ps_world.groups}
    defective = {d["key"] for d in ps_world.defects}
    assert all(d["stage"] in stages[d["group_key"]] for d in ps_world.deals if d["key"] not in defective)


def test_world_linked_to_hubspot_shares_organisations() -> None:
    hubspot = Ecosystem.generate(seed=7, size=600)
    world = generate_world(seed=7, size=300, ecosystem=hubspot.to_fixture())
    assert world.meta["linked_to"] == "hubspot"
    partner_entities = {e for e, keys in world.entities.items() if any(k.startswith("part_") for k in keys)}
    shared = partner_entities & set(hubspot.entities)
    assert len(shared) >= 5
    hs_deal_ids = {d["id"] for d in hubspot.deals}
    mirrored = [d for d in world.deals if d["external_key"]]
    assert mirrored and {d["external_key"] for d in mirrored} <= hs_deal_ids
    stale = [d for d in world.discrepancies if d["kind"] == "stale_tier"]
    by_key = {p["key"]: p for p in world.partnerships}
    assert all(by_key[d["key"]]["tier"]["name"] == d["value"] != d["expected"] for d in stale)


def test_load_world_from_fixture_documents(tmp_path: Path) -> None:
    hubspot = Ecosystem.generate(seed=2, size=200)
    hubspot_only = hubspot.to_fixture()
    linked = load_partnerstack_world(hubspot_only, seed=2, size=100)
    assert linked.meta["linked_to"] == "hubspot"
    assert linked.to_json() == generate_world(seed=2, size=100, ecosystem=hubspot.section()).to_json()
    path = tmp_path / "world.json"
    path.write_text(json.dumps({**hubspot_only, "partnerstack": linked.section()}), encoding="utf-8")
    assert load_partnerstack_world(path).to_json() == linked.to_json()
    assert load_partnerstack_world(None, seed=2, size=100).meta["linked_to"] is None


def test_fixture_round_trip_over_http(ps_admin: httpx.Client, ps_world: PartnerStackWorld, ps_restore: None) -> None:
    exported = ps_admin.get("/_sandbox/world").json()
    assert exported == ps_world.to_fixture()
    loaded = ps_admin.put("/_sandbox/world", json={**exported, "hubspot": {"companies": []}})
    assert loaded.status_code == 200 and loaded.json()["loaded"]["partnerships"] == len(ps_world.partnerships)
    assert ps_admin.get("/_sandbox/world").json() == exported
    assert ps_admin.put("/_sandbox/world", json=exported["partnerstack"]).status_code == 200
    assert ps_admin.get("/_sandbox/world").json() == exported
    broken = {"partnerstack": {"partnerships": [{"email": "a@b.example"}], "customers": [{"partner_key": "zz"}]}}
    response = ps_admin.put("/_sandbox/world", json=broken)
    assert response.status_code == 400 and "partner_key" in response.json()["message"]
    assert ps_admin.put("/_sandbox/world", json={"format": "other/9"}).status_code == 400


def test_hand_written_fixture_is_completed(ps: httpx.Client, ps_admin: httpx.Client, ps_restore: None) -> None:
    fixture: dict[str, Any] = {
        "format": "partner-hub-sandbox/1",
        "partnerstack": {
            "groups": [{"key": "grup_main", "name": "Channel Partners", "deal_stages": ["New", "Won", "Lost"]}],
            "partnerships": [
                {
                    "key": "part_one",
                    "email": "ops@acme.example",
                    "partner_key": "acme",
                    "tier": "Gold",
                    "fields": [{"api_name": "company_name", "value": "Acme"}],
                }
            ],
            "customers": [
                {"key": "cust_one", "email": "buyer@initech.example", "partner_key": "acme", "customer_key": "ext-1"}
            ],
            "deals": [{"key": "deal_one", "partner_key": "acme", "account_name": "Initech", "amount": 500000}],
            "transactions": [{"key": "tran_one", "customer_key": "cust_one", "amount": 1000, "currency": "EUR"}],
        },
    }
    assert ps_admin.put("/_sandbox/world", json=fixture).status_code == 200
    partner = ps.get("/partnerships/part_one").json()["data"]
    assert partner["group"] == {"key": "grup_main", "name": "Channel Partners", "slug": "channel-partners"}
    assert partner["tier"]["name"] == "Gold" and partner["team"]["name"] == "Acme"
    deal = ps.get("/deals/deal_one").json()["data"]
    assert deal["stage"] == "New" and deal["group_key"] == "grup_main" and deal["team_member"]["email"]
    assert ps.get("/transactions/tran_one").json()["data"]["customer"]["external_key"] == "ext-1"
    assert ps.get("/groups", params={"group": "ChannelPartners"}).json()["data"]["items"][0]["key"] == "grup_main"


def test_mutate_is_deterministic_and_validated() -> None:
    world = generate_world(seed=3, size=150)
    results = []
    for _ in range(2):
        state = PartnerStackState(world)
        out = mutate(state, {"object": "partnerships", "count": 5, "create": 2, "archive": 1, "seed": 11})
        strip = ("updated_at", "created_at", "joined_at")
        rows = [
            {k: v for k, v in state.store.tables["partnerships"][key].items() if k not in strip} for key in out["keys"]
        ]
        results.append((out, rows))
    assert results[0] == results[1]
    assert len(results[0][0]["updated"]) == 5 and len(results[0][0]["created"]) == 2
    state = PartnerStackState(world)
    for bad in ({"object": "leads"}, {"object": "deals", "count": -1}, {"object": "transactions", "count": 2}):
        with pytest.raises(ValueError):
            mutate(state, bad)


def test_faults_use_the_error_envelope(ps_server: PartnerStackServer, ps_admin: httpx.Client, ps_restore: None) -> None:
    api = httpx.Client(base_url=ps_server.base_url, auth=ps_server.auth)
    ps_admin.post("/_sandbox/faults", json={"kind": "status", "status": 502, "path_prefix": "/api/v2/deals"})
    ps_admin.post("/_sandbox/faults", json={"kind": "rate_limit", "retry_after": 3, "path_prefix": "/api/v2/groups"})
    ps_admin.post("/_sandbox/faults", json={"kind": "drop", "path_prefix": "/api/v2/customers"})
    with api:
        failed = api.get("/api/v2/deals")
        assert failed.status_code == 502 and failed.json() == {"message": "Simulated fault: HTTP 502", "status": 502}
        limited = api.get("/api/v2/groups")
        assert limited.status_code == 429 and limited.headers["retry-after"] == "3"
        with pytest.raises(httpx.RemoteProtocolError):
            api.get("/api/v2/customers")
        assert api.get("/api/v2/deals").status_code == 200
    stats = ps_admin.get("/_sandbox/stats").json()
    assert any(r["path"] == "/api/v2/deals" and r["status"] == 502 for r in stats["requests"])
    assert ps_admin.post("/_sandbox/faults", json={"kind": "bogus"}).status_code == 400
