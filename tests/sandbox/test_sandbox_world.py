"""The synthetic world: determinism, shape, realistic mess, ground truth, fixture round trip."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest

from sandbox.hubspot import HubSpotState
from sandbox.kit.clock import FIXED_EPOCH_MS, ms_from_iso
from sandbox.server import SandboxServer
from sandbox.world import HubSpotWorld, generate_world, load_fixture

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_same_seed_same_bytes_other_seed_differs() -> None:
    first = generate_world(seed=11, size=600).to_json()
    assert generate_world(seed=11, size=600).to_json() == first
    assert generate_world(seed=12, size=600).to_json() != first


def test_split_and_record_shape(world: HubSpotWorld) -> None:
    assert (len(world.companies), len(world.contacts), len(world.deals)) == (200, 500, 300)
    for object_type, lastmod in (
        ("companies", "hs_lastmodifieddate"),
        ("contacts", "lastmodifieddate"),
        ("deals", "hs_lastmodifieddate"),
    ):
        for record in world.objects(object_type):
            assert record["id"].isdigit() and record["archived"] is False
            props = record["properties"]
            assert all(isinstance(v, str) for v in props.values())
            assert props["hs_object_id"] == record["id"]
            assert props["createdate"] == record["createdAt"] and props[lastmod] == record["updatedAt"]
            assert ISO_MS.match(record["createdAt"]) and ISO_MS.match(record["updatedAt"])
            assert ms_from_iso(record["createdAt"]) <= ms_from_iso(record["updatedAt"]) <= FIXED_EPOCH_MS


def test_companies_partners_and_mess(world: HubSpotWorld) -> None:
    companies = [c["properties"] for c in world.companies]
    partners = [p for p in companies if "partner_tier" in p]
    assert 0.10 <= len(partners) / len(companies) <= 0.22
    assert all(
        p["type"] in ("PARTNER", "RESELLER") and p["partner_type"] in ("reseller", "referral", "SI", "MSP", "ISV")
        for p in partners
    )
    assert {p["partner_tier"] for p in partners} <= {"Registered", "Silver", "Gold", "Platinum"}
    assert "CUSTOMER" in {p.get("type") for p in companies}
    assert not any("partner_tier" in p for p in companies if p.get("type") not in ("PARTNER", "RESELLER"))
    duns = [p["duns"] for p in companies if "duns" in p]
    assert 0 < len(duns) < len(companies) / 2 and all(re.fullmatch(r"\d{9}", d) for d in duns)
    domains = [p.get("domain", "") for p in companies]
    assert any(d.startswith(("http://", "https://", "WWW.", "www.")) or d != d.lower() for d in domains)
    emails = [c["properties"].get("email", "") for c in world.contacts]
    assert any(e != e.strip() for e in emails) and any(e.strip() != e.strip().lower() for e in emails)
    phones = {c["properties"].get("phone", "") for c in world.companies}
    assert any(p.startswith("+1 (") for p in phones) and any(re.fullmatch(r"\d{3}\.\d{3}\.\d{4}", p) for p in phones)
    assert any(p.startswith("00") for p in phones)


def test_entities_are_ground_truth_for_duplicates(world: HubSpotWorld) -> None:
    ids = [i for members in world.entities.values() for i in members]
    assert sorted(ids) == sorted(c["id"] for c in world.companies)
    dupes = [m for m in world.entities.values() if len(m) > 1]
    assert dupes, "some organisations are entered twice"
    by_id = {c["id"]: c["properties"] for c in world.companies}
    for members in dupes:
        names = [by_id[m]["name"] for m in members]
        assert len(set(names)) > 1 or len({by_id[m].get("domain") for m in members}) > 1


def test_defects_documented_and_present(world: HubSpotWorld) -> None:
    kinds = {(d["object"], d["property"], d["value"]) for d in world.defects}
    assert kinds == {
        ("deals", "amount", "n/a"),
        ("deals", "closedate", "not a date"),
        ("contacts", "email", "not-an-email"),
    }
    records = {(t, r["id"]): r for t in ("deals", "contacts") for r in world.objects(t)}
    for defect in world.defects:
        assert records[(defect["object"], defect["id"])]["properties"][defect["property"]] == defect["value"]


def test_associations_and_labels(world: HubSpotWorld) -> None:
    rows = world.associations
    contact_primary = Counter(
        r["fromId"] for r in rows if r["fromType"] == "contacts" and any(t["typeId"] == 1 for t in r["types"])
    )
    assert set(contact_primary) == {c["id"] for c in world.contacts} and set(contact_primary.values()) == {1}
    deal_rows = [r for r in rows if r["fromType"] == "deals" and r["toType"] == "companies"]
    primary = Counter(r["fromId"] for r in deal_rows if any(t["typeId"] == 5 for t in r["types"]))
    assert set(primary.values()) == {1} and len(primary) == len(world.deals)
    labelled = {r["fromId"] for r in deal_rows if any(t["category"] == "USER_DEFINED" for t in r["types"])}
    assert 0.3 <= len(labelled) / len(world.deals) <= 0.5
    labels = {t["label"] for r in deal_rows for t in r["types"] if t["category"] == "USER_DEFINED"}
    assert labels == {"Sourcing partner", "Influencing partner"}
    partner_ids = {c["id"] for c in world.companies if "partner_tier" in c["properties"]}
    assert all(r["toId"] in partner_ids for r in deal_rows if any(t["typeId"] in (101, 102) for t in r["types"]))


def test_inverse_associations_consistent(world: HubSpotWorld) -> None:
    graph = HubSpotState(world).store.graph
    for row in world.associations[:400]:
        forward = graph.targets(row["fromType"], int(row["fromId"]), row["toType"])[int(row["toId"])]
        backward = graph.targets(row["toType"], int(row["toId"]), row["fromType"])[int(row["fromId"])]
        inverse = {1: 2, 279: 280, 5: 6, 341: 342, 3: 4, 101: 103, 102: 104}
        assert sorted(inverse[t] for t in forward) == sorted(backward)


def test_fixture_round_trip_file_dict_and_text(tmp_path: Path) -> None:
    world = generate_world(seed=3, size=300)
    path = tmp_path / "world.json"
    world.save(path)
    assert HubSpotWorld.from_json(path).to_json() == world.to_json()
    assert HubSpotWorld.from_json(str(path)).to_json() == world.to_json()
    assert HubSpotWorld.from_json(load_fixture(path)).to_json() == world.to_json()
    assert HubSpotWorld.from_json(world.to_json()).to_json() == world.to_json()
    assert json.loads(path.read_text())["format"] == "partner-hub-sandbox/1"


def test_hand_written_fixture_is_normalised_and_served(tmp_path: Path) -> None:
    fixture = {
        "hubspot": {
            "companies": [{"id": "10", "properties": {"name": "Acme", "domain": "acme.com", "numberofemployees": 50}}],
            "contacts": [
                {
                    "id": "20",
                    "properties": {"email": "ann@acme.com"},
                    "createdAt": 1735689600000,
                    "updatedAt": "2025-05-01T00:00:00Z",
                }
            ],
            "deals": [],
            "associations": [
                {"fromType": "contact", "fromId": 20, "toType": "0-2", "toId": "10", "types": [{"typeId": 1}]}
            ],
        }
    }
    path = tmp_path / "small.json"
    path.write_text(json.dumps(fixture))
    with SandboxServer(fixture=path, rate_limit=0) as server:
        url, token = server.base_urls["hubspot"], server.credentials["hubspot"]["private_app_token"]
        headers = {"Authorization": f"Bearer {token}"}
        company = httpx.get(f"{url}/crm/v3/objects/companies/10?properties=numberofemployees", headers=headers).json()
        assert company["properties"]["numberofemployees"] == "50"
        assert company["createdAt"] == "2026-01-01T00:00:00.000Z"
        contact = httpx.get(f"{url}/crm/v3/objects/contacts/20?associations=companies", headers=headers).json()
        assert contact["updatedAt"] == "2025-05-01T00:00:00.000Z"
        assert contact["properties"]["lastmodifieddate"] == contact["updatedAt"]
        types = [a["type"] for a in contact["associations"]["companies"]["results"]]
        assert types == ["contact_to_company", "contact_to_company_unlabeled"]
        exported = httpx.get(f"{url}/_sandbox/world", headers={"X-Sandbox-Admin": "sandbox-admin"}).json()
        assert exported["hubspot"]["associations"][0]["types"][1] == {
            "category": "HUBSPOT_DEFINED",
            "typeId": 279,
            "label": None,
        }


def test_bad_fixture_rejected() -> None:
    with pytest.raises(ValueError):
        HubSpotWorld.from_json({"hubspot": {"companies": [{"properties": {}}]}})
    bad_assoc = {
        "fromType": "deals",
        "fromId": "1",
        "toType": "companies",
        "toId": "2",
        "types": [{"typeId": 1}],
    }
    with pytest.raises(ValueError):
        HubSpotWorld.from_json({"hubspot": {"associations": [bad_assoc]}})


def test_server_exports_the_generated_world_unchanged(admin: httpx.Client, world: HubSpotWorld) -> None:
    assert admin.get("/_sandbox/world").json() == json.loads(world.to_json())


def test_generation_does_not_depend_on_hash_randomisation() -> None:
    code = "import sys; from sandbox.world import generate_world as g; sys.stdout.write(g(5, 400).to_json())"
    root = Path(__file__).resolve().parents[2]
    env = {"PYTHONHASHSEED": "123", "PYTHONPATH": str(root)}
    run = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, check=True)
    assert (
        hashlib.sha256(run.stdout.encode()).digest()
        == hashlib.sha256(generate_world(5, 400).to_json().encode()).digest()
    )
