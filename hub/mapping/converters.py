"""Turn a ``FieldRule`` into a one-argument converter and a blank value, once, at mapper build time.

The converter takes the raw (non-blank) value and returns the canonical value, None when it has no
value (an unknown country, an unmapped enum with a default), or raises ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from hub.mapping.phones import normalize_phone
from hub.mapping.rules import LIST_TYPES, FieldRule, FieldType
from hub.mapping.transforms import SCALAR_TRANSFORMS, split_list, text_or_none

Converter = Callable[[object], Any]

_DEFAULT_SEPARATOR = ";"


def blank_value(rule: FieldRule) -> Any:
    """The canonical value of a blank source: the converted ``default``, else None ([] for lists)."""
    default = rule.default
    if rule.type in LIST_TYPES:
        return list(default) if isinstance(default, list) else []
    if default is None or rule.type is FieldType.ENUM:
        return default
    if rule.type is FieldType.PHONE:
        return normalize_phone(default, rule.default_region)
    return SCALAR_TRANSFORMS[rule.type](default)


def converter_for(rule: FieldRule, enum: type[Enum] | None) -> Converter:
    """The converter of ``rule``; ``enum`` is the target field's enum (for enum and enum_list)."""
    convert = _converter(rule, enum)
    if rule.on_invalid == "fail":
        return convert

    def lenient(value: object) -> Any:
        try:
            return convert(value)
        except ValueError:
            return [] if rule.type in LIST_TYPES else None

    return lenient


def _converter(rule: FieldRule, enum: type[Enum] | None) -> Converter:
    if rule.type is FieldType.PHONE:
        region = rule.default_region
        return lambda value: normalize_phone(value, region)
    if rule.type is FieldType.STRING_LIST:
        separator = rule.split or _DEFAULT_SEPARATOR
        return lambda value: split_list(value, separator)
    if rule.type is FieldType.ENUM:
        return _enum_converter(rule, enum)
    if rule.type is FieldType.ENUM_LIST:
        return _enum_list_converter(rule, enum)
    return SCALAR_TRANSFORMS[rule.type]


def _table(rule: FieldRule, enum: type[Enum] | None) -> dict[str, tuple[str, ...]]:
    """raw (trimmed, lower-case) → canonical values; legal enum values map to themselves."""
    table: dict[str, tuple[str, ...]] = {}
    if enum is not None:
        table.update({str(member.value).lower(): (str(member.value),) for member in enum})
    for raw, canonical in (rule.values or {}).items():
        table[raw.strip().lower()] = (canonical,) if isinstance(canonical, str) else tuple(canonical)
    return table


def _unmapped(text: str, table: dict[str, tuple[str, ...]]) -> ValueError:
    known = ", ".join(sorted(table))
    return ValueError(f"unmapped value {text!r} (mapped: {known})")


def _enum_converter(rule: FieldRule, enum: type[Enum] | None) -> Converter:
    table = {raw: values[0] for raw, values in _table(rule, enum).items()}
    falls_back = rule.default is not None

    def to_enum(value: object) -> str | None:
        text = text_or_none(value)
        if text is None:
            return None
        hit = table.get(text.lower())
        if hit is None and not falls_back:
            raise _unmapped(text, {raw: (v,) for raw, v in table.items()})
        return hit  # None: the field's default applies

    return to_enum


def _enum_list_converter(rule: FieldRule, enum: type[Enum] | None) -> Converter:
    table = _table(rule, enum)
    separator = rule.split or _DEFAULT_SEPARATOR
    fallback = tuple(str(item) for item in rule.default) if isinstance(rule.default, list) else None

    def to_enum_list(value: object) -> list[str]:
        result: list[str] = []
        for item in split_list(value, separator):
            hit = table.get(item.lower(), fallback)
            if hit is None:
                raise _unmapped(item, table)
            result.extend(canonical for canonical in hit if canonical not in result)
        return result

    return to_enum_list
