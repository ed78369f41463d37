"""What the mapper hands out: references to resolve, and mapped records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.canonical import EntityType


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A source record another record refers to, e.g. ``SourceRef(object="companies", id="77")``."""

    object: str
    id: str


Resolver = Callable[[SourceRef], str]
"""Gives the canonical id of a source record; raises ``LookupError`` (e.g. ``KeyError``) if unknown."""


@dataclass(frozen=True, slots=True)
class MappedRecord:
    """One source record mapped onto its canonical entity.

    ``fields`` holds JSON-safe values (decimals as strings, dates and times as ISO strings with "Z")
    for exactly the canonical fields the mapping declares, already validated by the canonical model.
    ``source_updated_at`` is aware UTC (None when the source has no timestamp); ``raw`` is the input.
    """

    object: str
    external_id: str
    entity: EntityType
    fields: dict[str, Any]
    source_updated_at: datetime | None
    deleted: bool
    raw: dict[str, Any]
