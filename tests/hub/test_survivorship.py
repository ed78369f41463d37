"""Survivorship by policy table: every rule, groups surviving whole, policy files and their errors,
and a custom policy (HUB_SURVIVORSHIP_FILE) changing golden records built through the write path."""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from hub.context import Hub
from hub.db.schema import golden_records, source_records
from hub.ledger import Origin, golden, mint_canonical_id
from hub.ledger.keys import SourceKey
from hub.ledger.policy import PolicyFileError, SurvivorshipPolicy, load_policy
from hub.ledger.rebuild import rebuild
from hub.ledger.survivorship import SourceState, _cluster, _single, active_policy, set_active_policy, survive
from hub.settings import REPO_ROOT
from tests.conftest import make_settings
from tests.hub.ledger_helpers import page, snapshot, write

_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def _default_policy_after() -> Iterator[None]:
    yield
    set_active_policy(None)


def src(system: str, fields: dict[str, Any], updated: int | None, *, instance: str | None = None) -> SourceState:
    """A source record of ``system``, modified upstream on day ``updated`` of 2026 (None: unknown)."""
    entry = next(_ids)
    return SourceState(
        system=system,
        instance=instance or f"{system}-main",
        object="records",
        external_id=f"{system}-{entry}",
        fields=fields,
        source_updated_at=datetime(2026, 1, updated, tzinfo=UTC) if updated else None,
        last_entry_id=entry,
        observed_at=datetime(2026, 2, 1, tzinfo=UTC),
    )


def policy(tmp_path: Path, text: str, name: str = "policy.yaml") -> SurvivorshipPolicy:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return load_policy(path)


ORG_POLICY = """\
    version: 1
    entities:
      organization:
        default: most_recent
        fields:
          name: {rule: source_priority, systems: [salesforce/sf-eu, salesforce, hubspot]}
          legal_name: {rule: system_of_record, systems: [salesforce, hubspot]}
          roles: union
          other_domains: union
        groups:
          address: {fields: [city, country, country_raw], rule: most_complete}
          phone: {fields: [phone, phone_raw]}
      opportunity:
        fields:
          partner_roles: union
"""


# -- the rules ----------------------------------------------------------------------------------------------
def test_most_recent_takes_the_latest_non_empty_value_and_breaks_ties_by_ledger_entry(tmp_path: Path) -> None:
    table = policy(tmp_path, ORG_POLICY)
    old = src("hubspot", {"industry": "Software"}, 3)
    new = src("salesforce", {"industry": "Cloud", "employee_count": None}, 9)
    undated = src("partnerstack", {"industry": "Other", "employee_count": 40}, None)
    result = survive("organization", [old, new, undated], table)
    assert result.fields["industry"] == "Cloud"
    assert result.fields["employee_count"] == 40  # the only non-empty value, however old
    assert result.provenance["industry"]["rule"] == "most_recent"
    same_day = [src("hubspot", {"industry": "First"}, 5), src("hubspot", {"industry": "Second"}, 5)]
    assert survive("organization", same_day, table).fields["industry"] == "Second"  # later ledger entry


def test_source_priority_ranks_systems_and_puts_unlisted_ones_after_by_recency(tmp_path: Path) -> None:
    table = policy(tmp_path, ORG_POLICY)
    hubspot = src("hubspot", {"name": "Acme (HubSpot)"}, 20)
    salesforce = src("salesforce", {"name": "Acme Corp"}, 2)
    assert survive("organization", [hubspot, salesforce], table).fields["name"] == "Acme Corp"
    emea = src("salesforce", {"name": "Acme GmbH"}, 1, instance="sf-eu")
    assert survive("organization", [hubspot, salesforce, emea], table).fields["name"] == "Acme GmbH"
    # no listed system has a name: the unlisted ones, most recent first
    prm_old, prm_new = src("partnerstack", {"name": "Old"}, 1), src("moodle", {"name": "New"}, 4)
    result = survive("organization", [prm_old, prm_new, src("salesforce", {"name": None}, 9)], table)
    assert result.fields["name"] == "New"
    assert result.provenance["name"]["rule"] == "source_priority"


def test_system_of_record_leaves_the_field_empty_when_only_another_system_has_it(tmp_path: Path) -> None:
    table = policy(tmp_path, ORG_POLICY)
    prm = src("partnerstack", {"legal_name": "Acme Partners Ltd", "industry": "IT"}, 20)
    crm = src("hubspot", {"industry": "Software"}, 1)
    result = survive("organization", [prm, crm], table)
    assert "legal_name" not in result.fields and "legal_name" not in result.provenance
    assert result.fields["industry"] == "IT"
    with_crm = survive("organization", [prm, src("hubspot", {"legal_name": "Acme Ltd"}, 1)], table)
    assert with_crm.fields["legal_name"] == "Acme Ltd"
    assert with_crm.provenance["legal_name"]["rule"] == "system_of_record"


def test_the_default_policy_takes_deal_money_and_stage_only_from_the_crm() -> None:
    prm = src("partnerstack", {"name": "Big deal", "amount": "90000.00", "currency": "USD", "stage_raw": "won"}, 20)
    crm = src("hubspot", {"name": "Big deal (CRM)", "stage_raw": "qualified", "stage_category": "open"}, 1)
    result = survive("opportunity", [prm, crm])
    assert "amount" not in result.fields and "currency" not in result.fields
    assert (result.fields["stage_raw"], result.fields["stage_category"]) == ("qualified", "open")
    assert result.provenance["stage_raw"]["rule"] == "system_of_record:stage"
    assert result.fields["name"] == "Big deal (CRM)"  # the CRM first for every opportunity field


def test_most_complete_takes_the_whole_group_from_the_most_complete_source(tmp_path: Path) -> None:
    table = policy(tmp_path, ORG_POLICY)
    full = src("hubspot", {"city": "Lyon", "country": "FR", "country_raw": "France"}, 1)
    partial = src("salesforce", {"city": "Paris", "country": "FR"}, 9)
    result = survive("organization", [partial, full], table)
    assert (result.fields["city"], result.fields["country"], result.fields["country_raw"]) == ("Lyon", "FR", "France")
    assert {result.provenance[f]["external_id"] for f in ("city", "country", "country_raw")} == {full.external_id}
    assert result.provenance["city"]["rule"] == "most_complete:address"


def test_a_group_never_mixes_sources(tmp_path: Path) -> None:
    table = policy(tmp_path, ORG_POLICY)
    city_only = src("salesforce", {"city": "Berlin"}, 9)
    country_only = src("hubspot", {"country": "US", "country_raw": "USA"}, 1)
    result = survive("organization", [city_only, country_only], table)
    # equally complete? no: the country source has two fields and wins whole; the city is not mixed in
    assert (result.fields.get("city"), result.fields["country"]) == (None, "US")
    one_each = [src("salesforce", {"city": "Berlin"}, 9), src("hubspot", {"country": "US"}, 1)]
    tie = survive("organization", one_each, table)
    assert tie.fields == {"city": "Berlin"}  # a tie goes to the most recent; its empty country stays empty
    # most_recent group: the newest phone_raw (its number failed to parse) comes without the old phone
    phones = [
        src("hubspot", {"phone": "+14155550100", "phone_raw": "415 555 0100"}, 1),
        src("salesforce", {"phone_raw": "call reception"}, 5),
    ]
    result = survive("organization", phones, table)
    assert "phone" not in result.fields and result.fields["phone_raw"] == "call reception"
    assert result.provenance["phone_raw"]["rule"] == "most_recent:phone"


def test_union_collects_distinct_values_of_every_source_sorted(tmp_path: Path) -> None:
    table = policy(tmp_path, ORG_POLICY)
    a = src("hubspot", {"roles": ["customer"], "other_domains": ["acme.io", "acme.de"]}, 1)
    b = src("partnerstack", {"roles": ["partner", "customer"], "other_domains": []}, 5)
    result = survive("organization", [a, b], table)
    assert result.fields["roles"] == ["customer", "partner"]
    assert result.fields["other_domains"] == ["acme.de", "acme.io"]
    assert result.provenance["roles"]["rule"] == "union"
    assert [s["external_id"] for s in result.provenance["roles"]["sources"]] == [a.external_id, b.external_id]
    assert [s["external_id"] for s in result.provenance["other_domains"]["sources"]] == [a.external_id]


def test_union_of_partner_roles_deduplicates_dicts_by_value(tmp_path: Path) -> None:
    table = policy(tmp_path, ORG_POLICY)
    sourced = {"partner_org_id": "p1", "role": "sourced", "is_primary": True, "role_raw": None}
    influenced = {"partner_org_id": "p2", "role": "influenced", "is_primary": False, "role_raw": "Influence"}
    crm = src("salesforce", {"partner_roles": [influenced, sourced]}, 1)
    prm = src("partnerstack", {"partner_roles": [dict(reversed(list(sourced.items())))]}, 2)  # same value
    result = survive("opportunity", [crm, prm], table)
    assert result.fields["partner_roles"] == [influenced, sourced]
    assert len(result.provenance["partner_roles"]["sources"]) == 2


def test_provenance_names_source_record_entry_time_and_rule(tmp_path: Path) -> None:
    table = policy(tmp_path, ORG_POLICY)
    source = src("salesforce", {"name": "Acme"}, 7, instance="sf-eu")
    assert survive("organization", [source], table).provenance["name"] == {
        "system": "salesforce",
        "instance": "sf-eu",
        "object": "records",
        "external_id": source.external_id,
        "entry_id": source.last_entry_id,
        "source_updated_at": "2026-01-07T00:00:00+00:00",
        "rule": "source_priority",
    }


def test_the_result_does_not_depend_on_the_order_of_the_sources() -> None:
    sources = [
        src("hubspot", {"name": "A", "roles": ["customer"], "city": "X", "country": "DE"}, 3),
        src("salesforce", {"name": "B", "roles": ["vendor"], "city": "Y", "country": "FR"}, 3),
        src("partnerstack", {"name": "C", "roles": ["partner"], "partner_tier": "Gold"}, 3),
    ]
    results = {repr(survive("organization", list(order))) for order in itertools.permutations(sources)}
    assert len(results) == 1


def test_entity_types_the_policy_does_not_name_use_its_default(tmp_path: Path) -> None:
    table = policy(tmp_path, "version: 1\ndefault: {rule: source_priority, systems: [salesforce]}\nentities: {}\n")
    people = [src("salesforce", {"email": "a@x.io"}, 1), src("hubspot", {"email": "b@x.io"}, 9)]
    result = survive("person", people, table)
    assert result.fields["email"] == "a@x.io"


def test_a_cluster_of_one_survives_as_the_general_path_would(engine: Engine, tmp_path: Path) -> None:
    """``survive`` takes a shortcut for single-source clusters (most of them); it must agree."""
    for name in ("companies", "contacts", "deals"):
        write(engine, name, page(name))
    with engine.connect() as conn:
        states = [(r.entity_type, golden.source_state(r)) for r in conn.execute(select(source_records))]
    assert len(states) > 10
    strict = policy(
        tmp_path,
        """\
        version: 1
        entities:
          organization:
            fields: {name: {rule: system_of_record, systems: [salesforce]}, roles: union}
            groups: {address: {fields: [city, country, country_raw], rule: system_of_record, systems: [hubspot]}}
          opportunity:
            groups: {money: {fields: [amount, currency], rule: system_of_record, systems: [partnerstack]}}
        """,
    )
    for table in (load_policy(None), strict):
        for entity_type, state in states:
            entity = table.for_entity(entity_type)
            assert _single(entity, state) == _cluster(entity, [state]), (entity_type, state.external_id)


# -- the default policy ------------------------------------------------------------------------------------
def test_the_default_policy_loads_and_follows_the_domain_brief() -> None:
    default = load_policy(None)
    org = default.for_entity("organization")
    assert [str(s) for s in org.rule_of("legal_name").systems] == ["salesforce", "hubspot", "partnerstack"]
    assert org.rule_of("partner_tier").systems[0].system == "partnerstack"
    assert org.rule_of("partner_type_raw").name == "source_priority"  # grouped with partner_type
    assert org.rule_of("country").name == "most_complete"
    assert org.rule_of("other_domains").name == "union"
    assert default.for_entity("person").rule_of("email").name == "most_recent"
    opp = default.for_entity("opportunity")
    assert (opp.rule_of("currency").name, [str(s) for s in opp.rule_of("currency").systems]) == (
        "system_of_record",
        ["salesforce", "hubspot"],
    )
    assert set(default.planned) == {"credential", "marketplace_agreement"}
    assert default.planned["credential"].default.name == "system_of_record"
    assert active_policy() == default


def test_the_example_config_is_a_copy_of_the_default() -> None:
    assert load_policy(REPO_ROOT / "config" / "survivorship.example.yaml") == load_policy(None)


# -- bad policy files ------------------------------------------------------------------------------------
BAD = [
    pytest.param(
        "entities:\n  organisation:\n    default: most_recent\n",
        ["bad.yaml:3: entities.organisation: unknown entity type 'organisation'"],
        id="unknown_entity",
    ),
    pytest.param(
        "entities:\n  organization:\n    fields:\n      legl_name: most_recent\n",
        ["bad.yaml:5: entities.organization.fields.legl_name: unknown canonical field 'legl_name'"],
        id="unknown_field",
    ),
    pytest.param(
        "entities:\n  person:\n    fields:\n      email: newest\n",
        ["bad.yaml:5: entities.person.fields.email: unknown rule 'newest'"],
        id="unknown_rule",
    ),
    pytest.param(
        "entities:\n  organization:\n    groups:\n"
        "      a: {fields: [city, country]}\n      b: {fields: [country_raw, city]}\n",
        ["bad.yaml:6: entities.organization.groups.b.fields.1: field 'city' is already in group 'a'"],
        id="field_in_two_groups",
    ),
    pytest.param(
        "entities:\n  organization:\n    fields:\n      name:\n        rule: source_priority\n        systems: []\n",
        ["bad.yaml:7: entities.organization.fields.name.systems: the priority list is empty"],
        id="empty_priority_list",
    ),
    pytest.param(
        "entities:\n  organization:\n    fields:\n      name: source_priority\n",
        ["bad.yaml:5: entities.organization.fields.name.systems: required key is missing"],
        id="priority_without_systems",
    ),
    pytest.param(
        "entities:\n  organization:\n    fields:\n      name: union\n",
        ["bad.yaml:5: entities.organization.fields.name: rule 'union' applies to list fields only"],
        id="union_on_a_scalar",
    ),
    pytest.param(
        "entities:\n  organization:\n    groups:\n      a: {fields: [city]}\n    fields:\n      city: most_recent\n",
        ["bad.yaml:7: entities.organization.fields.city: field 'city' is in group 'a'"],
        id="rule_for_a_grouped_field",
    ),
    pytest.param(
        "entities:\n  person:\n    fields:\n      email: most_recent\n      email: union\n",
        ["bad.yaml:6: entities.person.fields.email: duplicate key"],
        id="duplicate_key",
    ),
    pytest.param(
        "entities: {}\nplanned:\n  person: {default: most_recent}\n",
        ["bad.yaml:4: planned.person: entity type 'person' exists"],
        id="planned_entity_that_exists",
    ),
    pytest.param(
        "entities:\n  person:\n    fields:\n      email: {rule: most_recent, systems: [hubspot]}\n",
        ["bad.yaml:5: entities.person.fields.email.systems: rule 'most_recent' takes no systems"],
        id="systems_on_a_rule_without_them",
    ),
    pytest.param(
        "entities:\n  person:\n    fields:\n      email: {rule: system_of_record, systems: [Hub Spot]}\n",
        ["bad.yaml:5: entities.person.fields.email.systems.0: not a system name"],
        id="bad_system_name",
    ),
    pytest.param("entities: [\n", ["bad.yaml:2: YAML syntax error"], id="yaml_syntax"),
    pytest.param(
        "entities:\n  person:\n    fields:\n      email: newest\n  opportunity:\n    fields:\n      amount: union\n",
        [
            "bad.yaml:5: entities.person.fields.email: unknown rule 'newest'",
            "bad.yaml:8: entities.opportunity.fields.amount: rule 'union' applies to list fields only",
        ],
        id="every_problem_is_reported",
    ),
]


@pytest.mark.parametrize(("body", "expected"), BAD)
def test_a_bad_policy_file_is_refused_with_file_line_and_field(tmp_path: Path, body: str, expected: list[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body if "YAML" in expected[0] else f"version: 1\n{body}")
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path)
    lines = str(caught.value).splitlines()
    assert len(lines) == len(expected), lines
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(str(tmp_path / start)), line


def test_a_missing_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("entities: {}\n")
    with pytest.raises(PolicyFileError, match=r"p\.yaml:1: version: required key is missing"):
        load_policy(path)


# -- through the hub and the write path -------------------------------------------------------------------
CUSTOM = """\
    version: 1
    entities:
      organization:
        fields:
          name: {rule: system_of_record, systems: [salesforce]}
          industry: {rule: source_priority, systems: [partnerstack, hubspot]}
"""


def _goldens(engine: Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        return {r.canonical_id: dict(r._mapping) for r in conn.execute(select(golden_records))}


def test_a_custom_policy_file_changes_golden_records_built_by_the_write_path(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "policy.yaml").write_text(textwrap.dedent(CUSTOM))
    monkeypatch.setenv("HUB_SURVIVORSHIP_FILE", str(tmp_path / "policy.yaml"))
    hub = Hub.from_settings(make_settings(db_url, tmp_path))
    try:
        assert hub.survivorship.source == str(tmp_path / "policy.yaml") and active_policy() is hub.survivorship
        write(hub.engine, "companies", page("companies"))
        orgs = [g for g in _goldens(hub.engine).values() if g["entity_type"] == "organization"]
        assert orgs and all("name" not in g["fields"] and g["display_name"] is None for g in orgs)
        assert any(g["fields"].get("industry") for g in orgs)
        live = snapshot(hub.engine)
        with hub.engine.begin() as conn:
            rebuild(conn)
        assert snapshot(hub.engine) == live  # rebuild applies the same policy
    finally:
        hub.close()
    monkeypatch.delenv("HUB_SURVIVORSHIP_FILE")
    default_hub = Hub.from_settings(make_settings(db_url, tmp_path / "default"))
    try:  # a hub without the setting goes back to the shipped default
        assert active_policy() == load_policy(None)
    finally:
        default_hub.close()


def test_a_bad_policy_file_stops_the_hub_from_starting(tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").write_text("version: 1\nentities:\n  person:\n    fields: {emial: most_recent}\n")
    settings = make_settings(f"sqlite:///{tmp_path / 'hub.db'}", tmp_path, survivorship_file=tmp_path / "policy.yaml")
    with pytest.raises(PolicyFileError, match=r"policy\.yaml:4: entities\.person\.fields\.emial: unknown canonical"):
        Hub.from_settings(settings)


def test_a_cluster_of_two_systems_survives_by_the_active_policy(engine: Engine, tmp_path: Path) -> None:
    """One company seen by HubSpot and (newer, different values) by a PRM, merged into one cluster."""
    company = next(c for c in page("companies") if c["id"] == "512")
    write(engine, "companies", [company])
    prm_view = {
        **company,
        "properties": {
            **company["properties"],
            "name": "Acme Partners (PRM)",
            "partner_tier": "Platinum",
            "city": "Oakland",
            "country": None,
            "hs_lastmodifieddate": "2026-09-01T00:00:00.000Z",
        },
        "updatedAt": "2026-09-01T00:00:00.000Z",
    }
    write(engine, "companies", [prm_view], Origin(system="partnerstack", instance="ps-test", run_id="run-2"))
    crm_id = mint_canonical_id(SourceKey("hs-test", "companies", "512"))
    prm_id = mint_canonical_id(SourceKey("ps-test", "companies", "512"))
    with engine.begin() as conn:  # what a merge decision does to the projection
        conn.execute(update(source_records).where(source_records.c.canonical_id == prm_id).values(golden_id=crm_id))
        golden.refresh(conn, [crm_id, prm_id])
    goldens = _goldens(engine)
    assert prm_id not in goldens
    merged = goldens[crm_id]
    assert merged["source_count"] == 2
    fields, provenance = merged["fields"], merged["provenance"]
    assert fields["name"] == "Acme Cloud Partners" and provenance["name"]["system"] == "hubspot"  # CRM first
    assert fields["partner_tier"] == "Platinum" and provenance["partner_tier"]["system"] == "partnerstack"  # PRM
    # the CRM's address is complete (city, country, raw); the newer PRM one lacks the country
    assert (fields["city"], fields["country"]) == ("San Francisco", "US")
    assert provenance["city"]["rule"] == "most_complete:address"
    assert provenance["city"]["instance"] == provenance["country"]["instance"] == "hs-test"

    set_active_policy(policy(tmp_path, "version: 1\nentities: {}\n"))  # most recent everywhere
    with engine.begin() as conn:
        golden.refresh(conn, [crm_id])
    fields = _goldens(engine)[crm_id]["fields"]
    assert (fields["name"], fields["city"]) == ("Acme Partners (PRM)", "Oakland")
    assert fields["country"] == "US"  # no group in this policy: country per field, from the only source with one
