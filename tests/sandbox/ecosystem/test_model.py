"""The shared ecosystem: generation, fixtures, the directory, and every system projecting from it."""

from __future__ import annotations

import hashlib
import json

import pytest

from sandbox.ecosystem import Ecosystem
from sandbox.hubspot import generate_world as generate_hubspot
from sandbox.partnerstack import generate_world as generate_partnerstack
from sandbox.salesforce import generate_world as generate_salesforce
from sandbox.server import SandboxServer
from sandbox.truth import identity_truth


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def test_generation_is_deterministic_and_seeded() -> None:
    assert Ecosystem.generate(3, 300).section() == Ecosystem.generate(3, 300).section()
    assert Ecosystem.generate(3, 300).section() != Ecosystem.generate(4, 300).section()


def test_a_fixture_round_trips() -> None:
    eco = Ecosystem.generate(5, 200)
    again = Ecosystem.from_section(json.loads(json.dumps(eco.to_fixture())))
    assert again.section() == json.loads(json.dumps(eco.section()))
    assert Ecosystem.coerce(eco) is eco


def test_hand_written_records_are_normalised() -> None:
    eco = Ecosystem.from_section(
        {
            "companies": [{"id": 7, "properties": {"name": "Acme", "numberofemployees": 12.0, "x": None}}],
            "associations": [
                {"fromType": "Contact", "fromId": 1, "toType": "0-2", "toId": 7, "types": [{"associationTypeId": 1}]}
            ],
        }
    )
    (company,) = eco.companies
    assert company["id"] == "7" and company["properties"]["numberofemployees"] == "12"
    assert "x" not in company["properties"] and company["properties"]["hs_object_id"] == "7"
    assert eco.associations[0]["fromType"] == "contacts" and eco.associations[0]["types"][0]["typeId"] == 1


def test_the_directory_names_organisations_people_and_partner_deals() -> None:
    eco = Ecosystem.generate(7, 600)
    directory = eco.directory()
    assert directory is eco.directory()  # computed once
    assert {o.entity for o in directory.orgs} == set(eco.entities)
    assert {p.pid for p in directory.people} == set(eco.people)
    assert directory.deals and all(d.partners for d in directory.deals)
    assert any(o.partner for o in directory.orgs) and any(not o.partner for o in directory.orgs)


def test_hubspot_is_one_projection_of_it() -> None:
    eco = Ecosystem.generate(7, 300)
    assert generate_hubspot(7, 300).section() == eco.section()


@pytest.mark.parametrize(
    ("system", "digest"),
    [
        pytest.param("hubspot", "64b6a29f2a74b194", id="hubspot"),
        pytest.param("salesforce", "7f3838de54afc47b", id="salesforce"),
        pytest.param("partnerstack", "65593da67a6c2ae6", id="partnerstack"),
    ],
)
def test_generated_worlds_are_what_they_were_before_the_simulators_became_peers(system: str, digest: str) -> None:
    # digests of SandboxServer(seed=11, size=60) worlds taken on main before the ecosystem existed
    server = SandboxServer(seed=11, size=60)
    assert _digest(server.states[system].export_world().to_json()) == digest


def test_every_projection_shares_the_ground_truth() -> None:
    eco = Ecosystem.generate(5, 600)
    doc = {
        **eco.to_fixture(),
        "salesforce": generate_salesforce(5, 600, ecosystem=eco).section(),
        "partnerstack": generate_partnerstack(5, 600, ecosystem=eco).section(),
    }
    systems = [{system for system, _, _ in cluster} for cluster in identity_truth(doc)["organization"]]
    assert any(s == {"hubspot", "salesforce", "partnerstack"} for s in systems)
