"""SOQL predicate builders, execution (filter, sort, offset/limit) and result shaping."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sandbox.salesforce.store import Record, Store
from sandbox.salesforce.values import serialize

if TYPE_CHECKING:
    from sandbox.salesforce.soql_eval import Compiled, SelectNode

Getter = Callable[[Record], Any]
Predicate = Callable[[Record], bool]


def in_text(get: Getter, values: set[Any], negate: bool) -> Predicate:
    def check(record: Record) -> bool:
        v = get(record)
        found = (v.lower() if v is not None else None) in values
        return not found if negate else found

    return check


def compare(get: Getter, value: Any, op: str, text: bool) -> Predicate:
    if value is None:
        return (lambda r: get(r) is None) if op == "=" else (lambda r: get(r) is not None)
    norm: Getter = get
    if text:

        def norm(r: Record) -> Any:
            v = get(r)
            return v.lower() if v is not None else None

    if op == "=":
        return lambda r: norm(r) == value
    if op == "!=":
        return lambda r: norm(r) != value
    ops: dict[str, Callable[[Any], bool]] = {
        "<": lambda v: v < value,
        "<=": lambda v: v <= value,
        ">": lambda v: v > value,
        ">=": lambda v: v >= value,
    }
    test = ops[op]
    return lambda r: (v := norm(r)) is not None and test(v)


def range_test(get: Getter, bounds: tuple[Any, Any], op: str) -> Predicate:
    start, end = bounds
    tests: dict[str, Callable[[Any], bool]] = {
        "=": lambda v: start <= v < end,
        "!=": lambda v: not start <= v < end,
        "<": lambda v: v < start,
        "<=": lambda v: v < end,
        ">": lambda v: v >= end,
        ">=": lambda v: v >= start,
    }
    test = tests[op]
    if op == "!=":
        return lambda r: (v := get(r)) is None or test(v)
    return lambda r: (v := get(r)) is not None and test(v)


def _lowered(get: Getter) -> Getter:
    return lambda r: get(r).lower()


def like_regex(pattern: str) -> re.Pattern[str]:
    """``%`` = any run, ``_`` = one character, ``\\%``/``\\_`` literal; case-insensitive."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "%_":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def execute(compiled: Compiled, store: Store, include_deleted: bool) -> list[Record]:
    """Matching records, ordered, after OFFSET and LIMIT."""
    rows = store.tables[compiled.obj.name].scan(include_deleted)
    matched = [r for r in rows if compiled.predicate(r)] if compiled.predicate else list(rows)
    for get, desc, nulls_first, text in reversed(compiled.order):
        nulls = [r for r in matched if get(r) is None]
        values = [r for r in matched if get(r) is not None]
        values.sort(key=_lowered(get) if text else get, reverse=desc)
        matched = nulls + values if nulls_first else values + nulls
    end = None if compiled.limit is None else compiled.offset + compiled.limit
    return matched[compiled.offset : end] if compiled.offset or end is not None else matched


def shape(node: SelectNode, record: Record, version: str, store: Store) -> dict[str, Any]:
    """One query result row: ``attributes`` then the selected fields (nested for relationships)."""
    obj = node.obj.name
    out: dict[str, Any] = {
        "attributes": {"type": obj, "url": f"/services/data/v{version}/sobjects/{obj}/{record['Id']}"}
    }
    for kind, item in node.entries:
        if kind == "field":
            out[item.name] = serialize(item, record[item.name])
            continue
        fd, child = node.children[item]
        ref = record[fd.name]
        parent = store.tables[child.obj.name].get_live(ref) if ref else None
        out[item] = shape(child, parent, version, store) if parent is not None else None
    return out
