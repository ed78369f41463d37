"""Compiled mapping plans: the per-record work of the mapper, prepared once per source object.

``compile_object`` turns an ``ObjectMapping`` into an ``ObjectPlan`` of getters and converters, so
mapping a record touches no spec models, YAML or schema, only closures and tuples.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from hub.canonical import CanonicalRecord, EntityType, model_for
from hub.mapping import targets
from hub.mapping.converters import Converter, blank_value, converter_for
from hub.mapping.errors import MappingFailure
from hub.mapping.records import MappedRecord, Resolver, SourceRef
from hub.mapping.rules import DeletedRule, FieldRule, LinkRule, RoleRule, SourceRule
from hub.mapping.spec import ObjectMapping
from hub.mapping.transforms import to_boolean, to_datetime

Getter = Callable[[Any], Any]


def compile_path(path: str) -> Getter:
    """A getter for a dotted path; missing keys and non-object intermediates give None."""
    parts = tuple(path.split("."))

    if len(parts) == 1:
        (key,) = parts

        def get_one(raw: Any) -> Any:
            return raw.get(key)  # the record itself is always a dict

        return get_one
    if len(parts) == 2:
        outer, inner = parts

        def get_two(raw: Any) -> Any:
            try:
                return raw[outer][inner]
            except (KeyError, TypeError, IndexError):
                return None

        return get_two

    def get(raw: Any) -> Any:
        try:
            for part in parts:
                raw = raw[part]
        except (KeyError, TypeError, IndexError):
            return None
        return raw

    return get


class ValuePlan:
    """Reads the first non-blank source of a rule and converts it (converters map blank to None)."""

    __slots__ = ("blank", "convert", "getters", "name", "required", "single", "where")

    def __init__(self, name: str, rule: SourceRule, convert: Converter, blank: Any = None) -> None:
        self.name = name
        self.getters = tuple(compile_path(path) for path in rule.paths)
        self.single = self.getters[0] if len(self.getters) == 1 else None
        self.convert = convert
        self.blank = blank
        self.required = rule.required
        self.where = ", ".join(rule.paths)

    def value(self, raw: Mapping[str, Any]) -> Any:
        if self.single is not None:
            value = self.single(raw)
        else:
            for get in self.getters:
                value = get(raw)
                if not (value is None or (value.__class__ is str and (not value or value.isspace()))):
                    break
        if value is not None:
            try:
                result = self.convert(value)
            except ValueError as exc:
                raise MappingFailure(str(exc), self.name) from None
            if result is not None:
                return result
        return self._blank()

    def _blank(self) -> Any:
        if self.required:
            raise MappingFailure(f"required value is missing (source: {self.where})", self.name)
        return list(self.blank) if self.blank.__class__ is list else self.blank


def _associated(raw: Mapping[str, Any], association: str, types: frozenset[str] | None) -> list[str]:
    """Ids of the associations under ``raw["associations"][association]`` carrying one of ``types``."""
    try:
        items = raw["associations"][association]
    except (KeyError, TypeError):
        return []
    ids: list[str] = []
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict) or item.get("id") in (None, ""):
            continue
        labels = item.get("types") or ()
        if types is not None and types.isdisjoint((labels,) if isinstance(labels, str) else labels):
            continue
        ref_id = str(item["id"])
        if ref_id not in ids:
            ids.append(ref_id)
    return ids


def _resolve(resolve: Resolver, ref: SourceRef, field: str) -> str:
    try:
        return resolve(ref)
    except LookupError:
        raise MappingFailure(f"unresolved reference {ref.object}/{ref.id}", field) from None


class LinkPlan:
    """Associations of a record → canonical id (or ids) of the referenced records."""

    __slots__ = ("association", "many", "name", "object", "required", "types")

    def __init__(self, name: str, rule: LinkRule) -> None:
        self.name = name
        self.association = rule.association
        self.object = rule.target_object
        self.types = frozenset(rule.types) if rule.types is not None else None
        self.many = rule.many
        self.required = rule.required

    def refs(self, raw: Mapping[str, Any]) -> list[SourceRef]:
        ids = _associated(raw, self.association, self.types)
        return [SourceRef(self.object, ref_id) for ref_id in (ids if self.many else ids[:1])]

    def value(self, raw: Mapping[str, Any], resolve: Resolver) -> Any:
        refs = self.refs(raw)
        if not refs and self.required:
            raise MappingFailure(f"no {self.association} association found", self.name)
        ids = [_resolve(resolve, ref, self.name) for ref in refs]
        return ids if self.many else (ids[0] if ids else None)


class RolePlan:
    """Labelled associations of a deal → partner role entries of ``partner_roles``."""

    __slots__ = ("association", "is_primary", "label", "object", "role")

    def __init__(self, rule: RoleRule) -> None:
        self.association = rule.association
        self.object = rule.target_object
        self.label = rule.type
        self.role = rule.role.value
        self.is_primary = rule.is_primary

    def refs(self, raw: Mapping[str, Any]) -> list[SourceRef]:
        return [SourceRef(self.object, i) for i in _associated(raw, self.association, frozenset((self.label,)))]

    def value(self, raw: Mapping[str, Any], resolve: Resolver) -> list[dict[str, Any]]:
        return [
            {
                "partner_org_id": _resolve(resolve, ref, "partner_roles"),
                "role": self.role,
                "is_primary": self.is_primary,
                "role_raw": self.label,
            }
            for ref in self.refs(raw)
        ]


def _deleted_converter(rule: DeletedRule) -> Converter:
    if rule.equals is None:
        return to_boolean
    markers = frozenset(value.strip().lower() for value in rule.equals)
    return lambda value: str(value).strip().lower() in markers


class ObjectPlan:
    """Everything needed to map records of one source object; built by ``compile_object``."""

    def __init__(self, name: str, mapping: ObjectMapping) -> None:
        self.name = name
        self.entity: EntityType = mapping.entity
        self.model: type[CanonicalRecord] = model_for(mapping.entity)
        self.id_path = mapping.id
        self.get_id = compile_path(mapping.id)
        self.updated_at = ValuePlan("updated_at", mapping.updated_at, to_datetime)
        self.deleted = (
            ValuePlan("deleted", mapping.deleted, _deleted_converter(mapping.deleted), False)
            if mapping.deleted is not None
            else None
        )
        self.fields = tuple(self._field(field, rule) for field, rule in mapping.fields.items())
        self.links = tuple(LinkPlan(field, rule) for field, rule in mapping.links.items())
        self.roles = tuple(RolePlan(rule) for rule in mapping.partner_roles)
        declared = [*mapping.fields, *mapping.links, *(["partner_roles"] if self.roles else [])]
        self.declared: set[str] = set(declared)

    def _field(self, name: str, rule: FieldRule) -> ValuePlan:
        convert = converter_for(rule, targets.enum_of(self.entity, name))
        return ValuePlan(name, rule, convert, blank_value(rule))

    def refs(self, raw: Mapping[str, Any]) -> list[SourceRef]:
        """Every source record this record refers to, in mapping order, without repeats."""
        found: dict[SourceRef, None] = {}
        for link in self.links:
            found.update(dict.fromkeys(link.refs(raw)))
        for role in self.roles:
            found.update(dict.fromkeys(role.refs(raw)))
        return list(found)

    def map(self, raw: Any, resolve: Resolver) -> MappedRecord:
        """Map one raw record; raises ``MappingFailure`` when it cannot be."""
        if not isinstance(raw, dict):
            raise MappingFailure(f"record is not a JSON object but {type(raw).__name__}")
        external_id = self.external_id(raw)
        if external_id is None:
            raise MappingFailure(f"no external id at {self.id_path!r}", "id")
        updated_at = self.updated_at.value(raw)
        deleted = bool(self.deleted.value(raw)) if self.deleted is not None else False
        values: dict[str, Any] = {plan.name: plan.value(raw) for plan in self.fields}
        for link in self.links:
            values[link.name] = link.value(raw, resolve)
        if self.roles:
            values["partner_roles"] = [entry for role in self.roles for entry in role.value(raw, resolve)]
        try:
            record = self.model.model_validate(values)
        except ValidationError as exc:
            raise _failure(exc) from None
        fields = record.model_dump(mode="json", include=self.declared)
        return MappedRecord(self.name, external_id, self.entity, fields, updated_at, deleted, raw)

    def external_id(self, raw: Any) -> str | None:
        """The id at the mapping's ``id`` path as text, or None when the record has none."""
        if not isinstance(raw, dict):
            return None
        value = self.get_id(raw)
        if value is None or isinstance(value, dict | list | bool):
            return None
        text = str(value).strip()
        return text or None


def _failure(exc: ValidationError) -> MappingFailure:
    """The canonical model's complaint as a dead-letter reason (first error names the field)."""
    errors = exc.errors(include_url=False)
    reasons = []
    for error in errors:
        where = ".".join(str(part) for part in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        given = error.get("input")
        if isinstance(given, str | int | float | Decimal):
            message += f" (got {str(given)!r})"
        reasons.append(f"{where}: {message}" if where and len(errors) > 1 else message)
    field = str(errors[0]["loc"][0]) if errors and errors[0]["loc"] else None
    return MappingFailure("; ".join(reasons), field)


def compile_object(name: str, mapping: ObjectMapping) -> ObjectPlan:
    """Compile the mapping of source object ``name``."""
    return ObjectPlan(name, mapping)
