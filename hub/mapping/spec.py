"""The mapping file format. These pydantic models are its only definition.

A mapping file maps a source system's objects (streams) onto canonical entities::

    system: hubspot
    version: 1
    objects:
      companies:                      # source object / stream name
        entity: organization          # canonical entity (hub.canonical.EntityType)
        id: id                        # dotted path to the external id (default "id")
        updated_at: {source: properties.hs_lastmodifieddate}
        deleted: {source: archived}
        fields: {primary_domain: {source: properties.domain, type: domain}}
        links: {}                     # canonical field -> LinkRule
        partner_roles: []             # RoleRule list (opportunities only)

Validation checks the mapping against the canonical model it targets: every canonical field named
must exist on the entity, list fields need list types, and enum maps must produce legal values.
``mapping_json_schema()`` gives the JSON Schema of the format (for editors and docs).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.canonical import EntityType
from hub.mapping import targets
from hub.mapping.errors import RuleError
from hub.mapping.rules import (
    ENUM_TYPES,
    LIST_TYPES,
    DeletedRule,
    FieldRule,
    LinkRule,
    RoleRule,
    SourcePath,
    TimestampRule,
    WriteRule,
)

_PARTNER_ROLES = "partner_roles"


def _listing(values: Any) -> str:
    return ", ".join(sorted(str(value) for value in values))


class ObjectMapping(BaseModel):
    """How one source object becomes one canonical entity."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entity: EntityType = Field(description="Canonical entity the records become.")
    id: SourcePath = Field(default="id", description="Dotted path to the record's external id.")
    updated_at: TimestampRule = Field(description="Source modification time of the record.")
    deleted: DeletedRule | None = Field(default=None, description="Tombstone flag, e.g. {source: archived}.")
    fields: dict[str, FieldRule] = Field(default_factory=dict, description="Canonical field -> rule.")
    links: dict[str, LinkRule] = Field(default_factory=dict, description="Canonical id field -> association.")
    partner_roles: list[RoleRule] = Field(default_factory=list, description="Partner roles (opportunities).")
    write: WriteRule | None = Field(default=None, description="Write-back of golden values to this object.")

    @model_validator(mode="after")
    def _fits_canonical_model(self) -> ObjectMapping:
        RuleError.raise_all([*self._unknown_fields(), *self._misfits()])
        return self

    def _unknown_fields(self) -> Iterator[RuleError]:
        known = targets.field_names(self.entity)
        for section, names in (("fields", self.fields), ("links", self.links)):
            for name in names:
                if name not in known:
                    message = f"unknown canonical field {name!r} for {self.entity} (known: {_listing(known)})"
                    yield RuleError((section, name), message)
                elif name == _PARTNER_ROLES:
                    yield RuleError((section, name), "partner roles are declared under 'partner_roles'")
        for name in sorted(self.fields.keys() & self.links.keys()):
            yield RuleError(("links", name), f"{name!r} is already mapped under 'fields'")
        if self.partner_roles and _PARTNER_ROLES not in known:
            yield RuleError((_PARTNER_ROLES,), f"{self.entity} has no partner roles")
        if self.write is not None:
            for prop, name in self.write.properties.items():
                if name not in known:
                    message = f"unknown canonical field {name!r} for {self.entity} (known: {_listing(known)})"
                    yield RuleError(("write", "properties", prop), message)
            if self.write.key != "$external_id" and self.write.key not in known:
                message = f"key must be $external_id or a canonical field, not {self.write.key!r}"
                yield RuleError(("write", "key"), message)

    def _misfits(self) -> Iterator[RuleError]:
        known = targets.field_names(self.entity)
        for name, rule in self.fields.items():
            if name in known and name != _PARTNER_ROLES:
                yield from self._field_misfits(name, rule)
        for name, link in self.links.items():
            if name in known and link.many != targets.is_list(self.entity, name):
                wanted = "true" if targets.is_list(self.entity, name) else "false"
                yield RuleError(("links", name, "many"), f"{name!r} needs many: {wanted}")

    def _field_misfits(self, name: str, rule: FieldRule) -> Iterator[RuleError]:
        loc = ("fields", name)
        if (rule.type in LIST_TYPES) != targets.is_list(self.entity, name):
            kind = "a list" if targets.is_list(self.entity, name) else "a single value"
            yield RuleError((*loc, "type"), f"{name!r} holds {kind}; type {rule.type} does not fit")
            return
        enum = targets.enum_of(self.entity, name)
        if enum is None:
            if rule.type in ENUM_TYPES and not rule.values:
                yield RuleError((*loc, "type"), f"{name!r} is free text: an {rule.type} needs a 'values' map")
            return
        if rule.type not in ENUM_TYPES:
            message = f"{name!r} takes {enum.__name__} values; use type enum/enum_list with 'values'"
            yield RuleError((*loc, "type"), message)
            return
        legal = {member.value for member in enum}
        for raw, canonical in (rule.values or {}).items():
            for value in [canonical] if isinstance(canonical, str) else canonical:
                if value not in legal:
                    message = f"{value!r} is not a legal {name} value (legal: {_listing(legal)})"
                    yield RuleError((*loc, "values", raw), message)
        defaults = rule.default if isinstance(rule.default, list) else [rule.default]
        for default in defaults:
            if default is not None and default not in legal:
                message = f"{default!r} is not a legal {name} value (legal: {_listing(legal)})"
                yield RuleError((*loc, "default"), message)


class MappingSpec(BaseModel):
    """A whole mapping file: one source system's objects mapped onto canonical entities."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    system: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Source system name, e.g. hubspot.")
    version: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$",
        description="Mapping version (e.g. 1 or 2026.03); change it whenever the output changes.",
    )
    objects: dict[str, ObjectMapping] = Field(min_length=1, description="Source object name -> mapping.")

    @model_validator(mode="after")
    def _links_point_at_mapped_objects(self) -> MappingSpec:
        problems: list[RuleError] = []
        for object_name, mapping in self.objects.items():
            references: list[tuple[tuple[str | int, ...], str]] = [
                (("links", name), link.target_object) for name, link in mapping.links.items()
            ]
            references += [
                ((_PARTNER_ROLES, index), role.target_object) for index, role in enumerate(mapping.partner_roles)
            ]
            problems += [
                RuleError(
                    ("objects", object_name, *loc),
                    f"refers to source object {target!r}, which this file does not map "
                    f"(mapped: {_listing(self.objects)})",
                )
                for loc, target in references
                if target not in self.objects
            ]
        RuleError.raise_all(problems)
        return self


def mapping_json_schema() -> dict[str, Any]:
    """JSON Schema of the mapping file format, generated from ``MappingSpec``."""
    return MappingSpec.model_json_schema()
