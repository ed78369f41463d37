"""Mapper behaviour on small inline mappings: pages, references, defaults, failures."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from hub.canonical import EntityType
from hub.mapping import MappedRecord, Mapper, MappingFailure, MappingSpec, SourceRef

SPEC: dict[str, Any] = {
    "system": "demo",
    "version": 3,
    "objects": {
        "accounts": {
            "entity": "organization",
            "id": "meta.key",
            "updated_at": {"sources": ["props.modified", "modified"]},
            "deleted": {"source": "props.status", "equals": ["Deleted", "merged"]},
            "fields": {
                "name": {"sources": ["props.display_name", "props.name"], "required": True},
                "roles": {
                    "source": "props.kinds",
                    "type": "enum_list",
                    "split": ",",
                    "values": {"Reseller": ["partner"], "Client": "customer"},
                    "default": ["other"],
                },
                "other_domains": {"source": "props.aliases", "type": "string_list", "split": "|"},
                "employee_count": {"source": "props.staff", "type": "integer"},
            },
        },
        "opps": {
            "entity": "opportunity",
            "updated_at": {"source": "modified"},
            "fields": {
                "stage_category": {"source": "stage", "type": "enum", "values": {"Won": "won"}},
                "amount": {"source": "amount", "type": "decimal"},
                "currency": {"source": "currency", "type": "currency", "default": "EUR"},
            },
            "links": {
                "customer_org_id": {"association": "accounts", "types": ["customer"], "required": True},
                "contact_ids": {"association": "people", "object": "accounts", "many": True},
            },
            "partner_roles": [
                {"association": "accounts", "type": "reseller", "role": "reseller"},
                {"association": "accounts", "type": "sourcing", "role": "sourced", "is_primary": True},
            ],
        },
    },
}


@pytest.fixture(scope="module")
def mapper() -> Mapper:
    return Mapper(MappingSpec.model_validate(SPEC))


def resolve(ref: SourceRef) -> str:
    if ref.id == "ghost":
        raise KeyError(ref)
    return f"{ref.object}:{ref.id}"


def account(key: str = "a1", **props: Any) -> dict[str, Any]:
    return {"meta": {"key": key}, "modified": "2026-03-01T10:00:00Z", "props": {"name": "Acme", **props}}


def opp(**extra: Any) -> dict[str, Any]:
    associations = {
        "accounts": [
            {"id": "c1", "types": ["customer"]},
            {"id": "p1", "types": ["reseller", "sourcing"]},
            {"id": "p2", "types": ["reseller"]},
        ],
        "people": [{"id": "x", "types": []}, {"id": "y", "types": "any"}, {"id": "x", "types": []}],
    }
    return {"id": "o1", "modified": "2026-03-02T00:00:00+01:00", "associations": associations, **extra}


def test_mapper_describes_itself(mapper: Mapper) -> None:
    assert (mapper.system, mapper.version, mapper.objects) == ("demo", "3", ("accounts", "opps"))
    assert mapper.entity_of("opps") is EntityType.OPPORTUNITY


def test_unknown_object_lists_known_ones(mapper: Mapper) -> None:
    with pytest.raises(KeyError, match=r"no object 'deals' \(mapped: accounts, opps\)"):
        mapper.map("deals", {}, resolve)


def test_maps_a_record(mapper: Mapper) -> None:
    record = mapper.map("accounts", account(kinds="Reseller, client", aliases="acme.io| acme.net", staff="12"), resolve)
    assert record == MappedRecord(
        object="accounts",
        external_id="a1",
        entity=EntityType.ORGANIZATION,
        fields={
            "name": "Acme",
            "roles": ["partner", "customer"],
            "other_domains": ["acme.io", "acme.net"],
            "employee_count": 12,
        },
        source_updated_at=datetime(2026, 3, 1, 10, tzinfo=UTC),
        deleted=False,
        raw=record.raw,
    )


def test_references_and_partner_roles(mapper: Mapper) -> None:
    raw = opp(stage="WON ", amount="10.5")
    assert mapper.refs("opps", raw) == [
        SourceRef("accounts", "c1"),
        SourceRef("accounts", "x"),
        SourceRef("accounts", "y"),
        SourceRef("accounts", "p1"),
        SourceRef("accounts", "p2"),
    ]
    record = mapper.map("opps", raw, resolve)
    assert record.fields == {
        "stage_category": "won",
        "amount": "10.5",
        "currency": "EUR",
        "customer_org_id": "accounts:c1",
        "contact_ids": ["accounts:x", "accounts:y"],
        "partner_roles": [
            {"partner_org_id": "accounts:p1", "role": "reseller", "is_primary": False, "role_raw": "reseller"},
            {"partner_org_id": "accounts:p2", "role": "reseller", "is_primary": False, "role_raw": "reseller"},
            {"partner_org_id": "accounts:p1", "role": "sourced", "is_primary": True, "role_raw": "sourcing"},
        ],
    }
    assert record.source_updated_at == datetime(2026, 3, 1, 23, tzinfo=UTC)
    json.dumps(record.fields)


CASES = [
    pytest.param(
        {"props": {"display_name": " ", "name": "Fallback"}}, "name", "Fallback", id="sources_first_non_blank"
    ),
    pytest.param(
        {"props": {"name": "A", "kinds": "Client,Reseller,Client"}},
        "roles",
        ["customer", "partner"],
        id="enum_list_dedup",
    ),
    pytest.param(
        {"props": {"name": "A", "kinds": "Client,Mystery"}},
        "roles",
        ["customer", "other"],
        id="enum_list_unmapped_default",
    ),
    pytest.param(
        {"props": {"name": "A", "kinds": "PARTNER"}}, "roles", ["partner"], id="enum_list_legal_value_unlisted"
    ),
    pytest.param({"props": {"name": "A"}}, "roles", ["other"], id="enum_list_blank_gives_default"),
    pytest.param({"props": {"name": "A"}}, "other_domains", [], id="list_blank_is_empty_list"),
    pytest.param({"props": {"name": "A", "staff": ""}}, "employee_count", None, id="blank_is_none"),
]


@pytest.mark.parametrize(("raw", "field", "expected"), CASES)
def test_field_rules(mapper: Mapper, raw: dict[str, Any], field: str, expected: Any) -> None:
    record = mapper.map("accounts", {"meta": {"key": "k"}, "modified": "2026-03-01T00:00:00Z", **raw}, resolve)
    assert record.fields[field] == expected


DELETED = [
    pytest.param("deleted", True, id="marker"),
    pytest.param(" MERGED ", True, id="marker_case_and_space"),
    pytest.param("active", False, id="other_value"),
    pytest.param(None, False, id="absent"),
]


@pytest.mark.parametrize(("status", "deleted"), DELETED)
def test_deleted_markers(mapper: Mapper, status: str | None, deleted: bool) -> None:
    assert mapper.map("accounts", account(status=status), resolve).deleted is deleted


FAILURES = [
    pytest.param("accounts", account(staff="12.5"), "employee_count", "not an integer: '12.5'", id="bad_coercion"),
    pytest.param(
        "accounts",
        {"meta": {"key": "k"}, "modified": "2026-03-01T00:00:00Z", "props": {}},
        "name",
        "required value is missing (source: props.display_name, props.name)",
        id="required_missing",
    ),
    pytest.param("accounts", {"meta": {}, "props": {"name": "A"}}, "id", "no external id at 'meta.key'", id="no_id"),
    pytest.param(
        "accounts", {**account(), "modified": "yesterday"}, "updated_at", "not an ISO-8601", id="bad_updated_at"
    ),
    pytest.param("accounts", account(staff="-1"), "employee_count", "greater than or equal to 0", id="model_rejects"),
    pytest.param(
        "opps",
        opp(stage="Pending"),
        "stage_category",
        "unmapped value 'Pending' (mapped: lost, open, won)",
        id="enum_unmapped_without_default",
    ),
    pytest.param("opps", opp(associations={}), "customer_org_id", "no accounts association found", id="required_link"),
    pytest.param(
        "opps",
        opp(associations={"accounts": [{"id": "ghost", "types": ["customer"]}]}),
        "customer_org_id",
        "unresolved reference accounts/ghost",
        id="unresolved_link",
    ),
    pytest.param("opps", opp(currency="€"), "currency", "not an ISO-4217 currency code", id="bad_currency"),
    pytest.param("accounts", ["not", "a", "record"], None, "record is not a JSON object but list", id="not_an_object"),
]


@pytest.mark.parametrize(("object_name", "raw", "field", "reason"), FAILURES)
def test_unmappable_records_raise_mapping_failure(
    mapper: Mapper, object_name: str, raw: Any, field: str | None, reason: str
) -> None:
    with pytest.raises(MappingFailure) as caught:
        mapper.map(object_name, raw, resolve)
    assert caught.value.field == field
    assert reason in caught.value.reason


def test_map_page_continues_past_bad_records(mapper: Mapper) -> None:
    page = [
        account("a1"),
        account("a2", staff="many"),
        "garbage",
        {"props": {"name": "no id"}},
        account("a5", staff="7"),
    ]
    records, failures = mapper.map_page("accounts", page, resolve)  # type: ignore[arg-type]
    assert [record.external_id for record in records] == ["a1", "a5"]
    assert [(raw, failure.field) for raw, failure in failures] == [
        (page[1], "employee_count"),
        ("garbage", None),
        (page[3], "id"),
    ]


def test_resolver_bugs_are_not_swallowed(mapper: Mapper) -> None:
    def broken(ref: SourceRef) -> str:
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError, match="database down"):
        mapper.map_page("opps", [opp()], broken)


EXTERNAL_IDS = [
    pytest.param({"meta": {"key": "a1"}}, "a1", id="text"),
    pytest.param({"meta": {"key": 512}}, "512", id="number"),
    pytest.param({"meta": {"key": " "}}, None, id="blank"),
    pytest.param({"meta": {}}, None, id="absent"),
    pytest.param({"meta": "a1"}, None, id="path_through_text"),
    pytest.param(["a1"], None, id="not_a_record"),
]


@pytest.mark.parametrize(("raw", "expected"), EXTERNAL_IDS)
def test_external_id_of_any_record(mapper: Mapper, raw: Any, expected: str | None) -> None:
    assert mapper.external_id("accounts", raw) == expected
