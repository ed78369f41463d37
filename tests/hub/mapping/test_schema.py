"""The JSON Schema of the mapping format is generated from the spec models."""

from __future__ import annotations

import json
from typing import Any

import yaml

from hub.canonical import PartnerRole
from hub.mapping import FieldType, MappingSpec, mapping_json_schema

from .conftest import HUBSPOT_MAPPING


def test_schema_is_generated_from_the_models() -> None:
    schema = mapping_json_schema()
    assert schema == MappingSpec.model_json_schema()
    json.dumps(schema)
    assert set(schema["required"]) == {"system", "version", "objects"}


def test_schema_vocabularies_follow_the_code() -> None:
    defs = mapping_json_schema()["$defs"]
    assert defs["FieldType"]["enum"] == [member.value for member in FieldType]
    assert defs["PartnerRole"]["enum"] == [member.value for member in PartnerRole]


def test_schema_rejects_unknown_keys() -> None:
    defs = mapping_json_schema()["$defs"]
    for name in ("ObjectMapping", "FieldRule", "LinkRule", "RoleRule", "TimestampRule", "DeletedRule"):
        assert defs[name]["additionalProperties"] is False, name


def test_hubspot_file_uses_only_keys_the_schema_knows() -> None:
    defs = mapping_json_schema()["$defs"]
    data: dict[str, Any] = yaml.safe_load(HUBSPOT_MAPPING.read_text())
    for mapping in data["objects"].values():
        assert set(mapping) <= set(defs["ObjectMapping"]["properties"])
        for rule in mapping.get("fields", {}).values():
            assert set(rule) <= set(defs["FieldRule"]["properties"])
        for rule in mapping.get("links", {}).values():
            assert set(rule) <= set(defs["LinkRule"]["properties"])
        for rule in mapping.get("partner_roles", []):
            assert set(rule) <= set(defs["RoleRule"]["properties"])
