"""Executing a :class:`SearchQuery` against a :class:`RecordTable`.

Fast path: a single filter group whose last-modified filters (GT/GTE/LT/LTE/BETWEEN/EQ on
``hs_lastmodifieddate`` / ``lastmodifieddate``) bound a range, sorted by that same property,
is answered from the table's sorted ``lastmod`` index with ``bisect`` — no full scan.  Everything
else scans the live records.  Without ``sorts`` results are in id order.
"""

from __future__ import annotations

import bisect
import fnmatch
import re
from collections.abc import Callable
from typing import Any

from sandbox.hubspot.records import Record, RecordTable
from sandbox.hubspot.schema import PropertyDef
from sandbox.hubspot.search_query import Filter, SearchQuery, property_kind
from sandbox.kit.clock import parse_time_value

_TOKEN_RE = re.compile(r"[a-z0-9]+")
_BOUND_OPS = frozenset({"GT", "GTE", "LT", "LTE", "BETWEEN", "EQ"})


def record_value(record: Record, prop: str, kind: str) -> Any:
    """The comparable value of a property, or ``None`` when unset or not of the property's type."""
    raw = record.properties.get(prop)
    if raw is None or raw == "":
        return None
    if kind == "time":
        return parse_time_value(raw)
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            return None
    return raw.lower()


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text.lower())


def contains_token(raw: str, needle: str) -> bool:
    """HubSpot-style token match; ``*`` wildcards allowed."""
    text = raw.lower()
    if "*" in needle:
        return fnmatch.fnmatchcase(text, needle) or any(fnmatch.fnmatchcase(t, needle) for t in _tokens(text))
    wanted = _tokens(needle)
    have = set(_tokens(text))
    return bool(wanted) and all(t in have for t in wanted)


def matches(record: Record, flt: Filter) -> bool:
    """Evaluate one filter."""
    op = flt.operator
    if op in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        present = record.properties.get(flt.prop, "") != ""
        return present if op == "HAS_PROPERTY" else not present
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        found = contains_token(record.properties.get(flt.prop, ""), str(flt.value))
        return found if op == "CONTAINS_TOKEN" else not found
    value = record_value(record, flt.prop, flt.kind)
    if op == "NEQ":
        return value is None or value != flt.value
    if op == "NOT_IN":
        return value is None or value not in flt.values
    if value is None:
        return False
    if op == "EQ":
        return bool(value == flt.value)
    if op == "IN":
        return value in flt.values
    if op == "BETWEEN":
        return bool(flt.value <= value <= flt.high)
    compare: dict[str, Callable[[Any, Any], bool]] = {
        "LT": lambda a, b: a < b,
        "LTE": lambda a, b: a <= b,
        "GT": lambda a, b: a > b,
        "GTE": lambda a, b: a >= b,
    }
    return compare[op](value, flt.value)


def _query_match(record: Record, words: list[str], searchable: tuple[str, ...]) -> bool:
    tokens = [t for p in searchable for t in _tokens(record.properties.get(p, ""))]
    return all(any(t.startswith(w) for t in tokens) for w in words)


def execute(
    table: RecordTable,
    query: SearchQuery,
    defs: dict[str, PropertyDef],
    searchable: tuple[str, ...],
) -> tuple[int, list[Record]]:
    """Return ``(total, records of the requested page)``."""
    fast = _fast_path(table, query)
    if fast is not None:
        return fast
    words = _tokens(query.query)
    candidates = [
        r
        for r in table.live()
        if (not query.groups or any(all(matches(r, f) for f in group) for group in query.groups))
        and (not words or _query_match(r, words, searchable))
    ]
    for prop, descending in reversed(query.sorts):
        kind = property_kind(defs.get(prop))
        candidates.sort(key=_sort_key(prop, kind, descending), reverse=descending)
    return len(candidates), candidates[query.after : query.after + query.limit]


def _sort_key(prop: str, kind: str, descending: bool) -> Callable[[Record], tuple[Any, ...]]:
    missing = (0,) if descending else (1,)
    present = 1 if descending else 0

    def key(record: Record) -> tuple[Any, ...]:
        value = record_value(record, prop, kind)
        return missing if value is None else (present, value)

    return key


def _fast_path(table: RecordTable, query: SearchQuery) -> tuple[int, list[Record]] | None:
    lastmod = table.lastmod_property
    if query.query or len(query.groups) > 1 or len(query.sorts) != 1 or query.sorts[0][0] != lastmod:
        return None
    descending = query.sorts[0][1]
    index = table.lastmod
    lo, hi = 0, len(index)
    rest: list[Filter] = []
    for flt in query.groups[0] if query.groups else []:
        if flt.prop != lastmod or flt.operator not in _BOUND_OPS:
            rest.append(flt)
            continue
        low: int | None = None
        high: int | None = None
        if flt.operator in ("GT", "GTE", "EQ", "BETWEEN"):
            low = int(flt.value) + (1 if flt.operator == "GT" else 0)
        if flt.operator in ("LT", "LTE", "EQ", "BETWEEN"):
            top = flt.high if flt.operator == "BETWEEN" else flt.value
            high = int(top) + (0 if flt.operator == "LT" else 1)
        if low is not None:
            lo = max(lo, bisect.bisect_left(index, (low, -1)))
        if high is not None:
            hi = min(hi, bisect.bisect_left(index, (high, -1)))
    if hi <= lo:
        return 0, []
    records = table.records
    if not rest:
        total = hi - lo
        if descending:
            start = hi - query.after
            keys = index[max(lo, start - query.limit) : max(lo, start)][::-1]
        else:
            keys = index[lo + query.after : min(hi, lo + query.after + query.limit)]
        return total, [records[record_id] for _, record_id in keys]
    span = index[lo:hi]
    if descending:
        span.reverse()
    hits = [records[rid] for _, rid in span if all(matches(records[rid], f) for f in rest)]
    return len(hits), hits[query.after : query.after + query.limit]
