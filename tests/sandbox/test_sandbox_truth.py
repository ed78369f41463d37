"""Identity ground truth across the three simulated systems (sandbox/ecosystem/truth.py)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from sandbox.ecosystem import Ecosystem
from sandbox.partnerstack.generate import generate_world as generate_partnerstack
from sandbox.salesforce.generate import generate_world as generate_salesforce
from sandbox.truth import identity_truth, pair_count


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    hubspot = Ecosystem.generate(seed=5, size=600).section()
    return {
        "hubspot": hubspot,
        "salesforce": generate_salesforce(seed=5, size=600, ecosystem=hubspot).section(),
        "partnerstack": generate_partnerstack(seed=5, size=600, ecosystem=hubspot).section(),
    }


def test_every_record_is_in_exactly_one_cluster(doc: dict[str, Any]) -> None:
    truth = identity_truth(doc)
    orgs = Counter(r for c in truth["organization"] for r in c)
    people = Counter(r for c in truth["person"] for r in c)
    assert set(orgs.values()) == set(people.values()) == {1}
    expected_orgs = (
        {("hubspot", "companies", c["id"]) for c in doc["hubspot"]["companies"]}
        | {("salesforce", "accounts", a["Id"]) for a in doc["salesforce"]["objects"]["Account"]}
        | {("partnerstack", "partnerships", p["key"]) for p in doc["partnerstack"]["partnerships"]}
        | {("partnerstack", "customers", c["key"]) for c in doc["partnerstack"]["customers"]}
    )
    assert set(orgs) == expected_orgs
    expected_people = {("hubspot", "contacts", c["id"]) for c in doc["hubspot"]["contacts"]} | {
        ("salesforce", "contacts", c["Id"]) for c in doc["salesforce"]["objects"]["Contact"]
    }
    assert set(people) == expected_people


def test_clusters_span_systems_and_duplicates(doc: dict[str, Any]) -> None:
    truth = identity_truth(doc)
    systems = [frozenset(r[0] for r in c) for c in truth["organization"]]
    assert any(s == {"hubspot", "salesforce", "partnerstack"} for s in systems)
    by_record = {r: c for c in truth["organization"] for r in c}
    for ids in doc["hubspot"]["entities"].values():  # HubSpot's own duplicates stay together
        assert len({by_record[("hubspot", "companies", i)] for i in ids}) == 1
    for entity, keys in doc["partnerstack"]["entities"].items():
        if entity in doc["hubspot"]["entities"]:
            hs = by_record[("hubspot", "companies", doc["hubspot"]["entities"][entity][0])]
            assert all(("partnerstack", "partnerships", k) in hs or ("partnerstack", "customers", k) in hs
                       or k.startswith("deal_") for k in keys)  # fmt: skip
    people = {r: c for c in truth["person"] for r in c}
    twice = [ids for ids in doc["hubspot"]["people"].values() if len(ids) > 1]
    assert twice and all(people[("hubspot", "contacts", ids[0])] == people[("hubspot", "contacts", ids[1])]
                         for ids in twice)  # fmt: skip
    shared = [p for p in doc["salesforce"]["people"].values() if p["hubspot"]]
    assert shared
    for person in shared:
        cluster = people[("hubspot", "contacts", person["hubspot"][0])]
        assert all(("salesforce", "contacts", i) in cluster for i in person["salesforce"])
    assert pair_count(truth["person"]) >= len(twice) + len(shared)


def test_distractors_are_other_organisations(doc: dict[str, Any]) -> None:
    truth = identity_truth(doc)
    by_record = {r: c for c in truth["organization"] for r in c}
    entities = doc["hubspot"]["entities"]
    distractors = doc["hubspot"]["distractors"]
    assert {d["kind"] for d in distractors} == {"namesake", "near_namesake"}
    names = {c["id"]: c["properties"]["name"] for c in doc["hubspot"]["companies"]}
    for d in distractors:
        mine, other = entities[d["entity"]][0], entities[d["of"]][0]
        assert by_record[("hubspot", "companies", mine)] != by_record[("hubspot", "companies", other)]
        if d["kind"] == "namesake":
            assert names[mine].split()[0] == names[other].split()[0]


def test_hand_written_document() -> None:
    doc = {
        "hubspot": {
            "companies": [{"id": "1"}, {"id": "2"}, {"id": "3"}],
            "contacts": [{"id": "10"}, {"id": "11"}],
            "entities": {"org-1": ["1", "2"]},
        },
        "salesforce": {
            "objects": {"Account": [{"Id": "001A"}, {"Id": "001B"}], "Contact": [{"Id": "003A"}]},
            "entities": {"org-1": ["001A"], "sf-org-1": ["001B"]},
            "people": {"person-2": {"hubspot": ["11"], "salesforce": ["003A"]}},
        },
        "partnerstack": {
            "partnerships": [{"key": "part_1"}],
            "customers": [{"key": "cust_1"}, {"key": "cust_2"}],
            "entities": {"org-1": ["part_1", "deal_1"], "sf-org-1": ["cust_2"]},
        },
    }
    truth = identity_truth(doc)
    assert truth["organization"] == [
        frozenset({("hubspot", "companies", "1"), ("hubspot", "companies", "2"), ("salesforce", "accounts", "001A"),
                   ("partnerstack", "partnerships", "part_1")}),
        frozenset({("hubspot", "companies", "3")}),
        frozenset({("partnerstack", "customers", "cust_1")}),
        frozenset({("partnerstack", "customers", "cust_2"), ("salesforce", "accounts", "001B")}),
    ]  # fmt: skip
    assert truth["person"] == [
        frozenset({("hubspot", "contacts", "10")}),
        frozenset({("hubspot", "contacts", "11"), ("salesforce", "contacts", "003A")}),
    ]
    assert pair_count(truth["organization"]) == 6 + 1
    assert identity_truth({}) == {"organization": [], "person": []}
