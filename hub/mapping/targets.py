"""What a canonical field accepts, read from the canonical pydantic model's annotations.

The spec validators use this to check a mapping against the model it targets (field exists, list or
scalar, which enum) so the canonical models stay the single definition of the canonical fields.
"""

from __future__ import annotations

from enum import Enum
from functools import cache
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from hub.canonical import EntityType, model_for


@cache
def field_names(entity: EntityType) -> frozenset[str]:
    """Canonical field names a mapping may target for ``entity``."""
    return frozenset(model_for(entity).field_names())


def _annotation(entity: EntityType, field: str) -> Any:
    return model_for(entity).model_fields[field].annotation


def _members(annotation: Any) -> list[Any]:
    """The annotation with Optional/Union and Annotated unwrapped into its alternatives."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _members(get_args(annotation)[0])
    if origin is Union or origin is UnionType:
        return [member for arg in get_args(annotation) for member in _members(arg)]
    return [annotation]


def is_list(entity: EntityType, field: str) -> bool:
    """True when the canonical field holds a list (``roles``, ``contact_ids``, ``partner_roles``)."""
    return any(get_origin(member) is list for member in _members(_annotation(entity, field)))


def enum_of(entity: EntityType, field: str) -> type[Enum] | None:
    """The enum a canonical field (or its list items) must take values from, or None for free values."""
    for member in _members(_annotation(entity, field)):
        if get_origin(member) is list:
            member = get_args(member)[0]
        if isinstance(member, type) and issubclass(member, Enum):
            return member
    return None
