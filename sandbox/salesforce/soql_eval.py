"""Compiling a parsed SOQL query against the schema and running it over the store.

Semantics follow SOQL: text comparisons (``=``, ``IN``, ``LIKE``, ordering) are case-insensitive;
``!=`` and ``NOT IN`` also match nulls; range operators never match nulls; ``ORDER BY`` puts nulls
first ascending and last descending; relationship paths through a missing or deleted parent are
null.  Literal types must fit the field (dates unquoted, strings quoted...), otherwise 400
``INVALID_QUERY_FILTER_OPERATOR``; unknown fields 400 ``INVALID_FIELD``; unknown objects 400
``INVALID_TYPE``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.kit.clock import DAY_MS
from sandbox.salesforce.errors import SalesforceError
from sandbox.salesforce.ids import normalize_id
from sandbox.salesforce.schema import NUMBER_TYPES, FieldDef, ObjectDef
from sandbox.salesforce.soql_ast import BoolOp, Comparison, Condition, FieldRef, Literal, Query, soql_error
from sandbox.salesforce.soql_run import compare, in_text, like_regex, range_test
from sandbox.salesforce.store import Record, Store
from sandbox.salesforce.values import date_of_ms, parse_datetime

Getter = Callable[[Record], Any]
Predicate = Callable[[Record], bool]
MAX_OFFSET = 2000


@dataclass
class Path:
    """A resolved field path: reference hops, then the field."""

    hops: list[tuple[FieldDef, ObjectDef]]
    field: FieldDef
    getter: Getter


@dataclass
class SelectNode:
    """Selected fields of one object level, in SELECT order; ``children`` are parent relationships."""

    obj: ObjectDef
    entries: list[tuple[str, Any]] = field(default_factory=list)  # ("field", FieldDef) | ("rel", key)
    children: dict[str, tuple[FieldDef, SelectNode]] = field(default_factory=dict)


@dataclass
class Compiled:
    """A query ready to run."""

    obj: ObjectDef
    select: SelectNode
    predicate: Predicate | None
    order: list[tuple[Getter, bool, bool, bool]]  # getter, desc, nulls_first, text
    limit: int | None
    offset: int
    count: bool


class Compiler:
    """Resolves names and builds closures; see :func:`compile_query`."""

    def __init__(self, query: Query, store: Store, now_ms: int) -> None:
        self.q, self.store, self.now_ms = query, store, now_ms
        obj = store.resolve(query.object)
        if obj is None:
            raise soql_error(
                "INVALID_TYPE",
                query.text,
                query.object_pos,
                f"sObject type '{query.object}' is not supported. If you are attempting to use a custom object, be "
                "sure to append the '__c' after the entity name. Please reference your WSDL or the describe call "
                "for the appropriate names.",
            )
        self.obj = obj

    def path(self, ref: FieldRef) -> Path:
        parts = ref.path.split(".")
        if len(parts) > 1 and parts[0].lower() == self.obj.name.lower() and self.obj.relationship(parts[0]) is None:
            parts = parts[1:]
        current, hops = self.obj, []
        for part in parts[:-1]:
            fd = current.relationship(part)
            if fd is None:
                raise soql_error(
                    "INVALID_FIELD",
                    self.q.text,
                    ref.pos,
                    f"Didn't understand relationship '{part}' in field path. If you are attempting to use a custom "
                    "relationship, be sure to append the '__r' after the custom relationship name. Please reference "
                    "your WSDL or the describe call for the appropriate names.",
                )
            target = self.store.objects[fd.reference_to[0]]
            hops.append((fd, target))
            current = target
        final = current.field(parts[-1])
        if final is None:
            raise soql_error(
                "INVALID_FIELD",
                self.q.text,
                ref.pos,
                f"No such column '{parts[-1]}' on entity '{current.name}'. If you are attempting to use a custom "
                "field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the "
                "describe call for the appropriate names.",
            )
        return Path(hops, final, self._getter(hops, final.name))

    def _getter(self, hops: list[tuple[FieldDef, ObjectDef]], name: str) -> Getter:
        if not hops:
            return lambda r: r[name]
        steps = [(fd.name, self.store.tables[target.name]) for fd, target in hops]

        def get(record: Record) -> Any:
            current: Record | None = record
            for ref_name, table in steps:
                ref = current[ref_name] if current is not None else None
                current = table.get_live(ref) if ref else None
            return current[name] if current is not None else None

        return get

    def select(self) -> SelectNode:
        root = SelectNode(self.obj)
        seen: set[str] = set()
        for ref in self.q.fields:
            path = self.path(ref)
            key = ".".join([fd.relationship or "" for fd, _ in path.hops] + [path.field.name]).lower()
            if key in seen:
                raise soql_error("MALFORMED_QUERY", self.q.text, ref.pos, f"duplicate field selected: {ref.path}")
            seen.add(key)
            node = root
            for fd, target in path.hops:
                rel = fd.relationship or fd.name
                if rel not in node.children:
                    node.children[rel] = (fd, SelectNode(target))
                    node.entries.append(("rel", rel))
                node = node.children[rel][1]
            node.entries.append(("field", path.field))
        return root

    # -- WHERE -----------------------------------------------------------------------------------
    def condition(self, cond: Condition) -> Predicate:
        if isinstance(cond, BoolOp):
            parts = [self.condition(c) for c in cond.items]
            if cond.op == "and":
                return lambda r: all(p(r) for p in parts)
            return lambda r: any(p(r) for p in parts)
        if isinstance(cond, Comparison):
            return self.comparison(cond)
        inner = self.condition(cond.item)
        return lambda r: not inner(r)

    def bad(self, lit: Literal, message: str) -> SalesforceError:
        return soql_error("INVALID_QUERY_FILTER_OPERATOR", self.q.text, lit.pos, message)

    def literal(self, fd: FieldDef, lit: Literal, op: str) -> Any:
        """The internal comparison value of a literal for ``fd`` (``None`` for null)."""
        kind, ftype = lit.kind, fd.type
        if kind == "null":
            if op not in ("=", "!=", "in", "notin"):
                raise self.bad(lit, f"invalid operator on null value for field '{fd.name}'")
            return None
        if ftype in ("id", "reference"):
            if kind != "string":
                raise self.bad(lit, f"invalid ID field: {lit.value}")
            normalized = normalize_id(lit.value)
            if normalized is None:
                raise self.bad(lit, f"invalid ID field: {lit.value}")
            return normalized
        if fd.is_text:
            if kind not in ("string", "like"):
                raise self.bad(
                    lit,
                    f"value of filter criterion for field '{fd.name}' must be of type string "
                    "and should be enclosed in quotes",
                )
            return lit.value.lower()
        if ftype == "boolean":
            if kind != "boolean":
                raise self.bad(
                    lit,
                    f"value of filter criterion for field '{fd.name}' must be of type boolean "
                    "and should not be enclosed in quotes",
                )
            return lit.value
        if ftype in NUMBER_TYPES:
            if kind != "number":
                raise self.bad(
                    lit,
                    f"value of filter criterion for field '{fd.name}' must be of type "
                    f"{'double' if ftype != 'int' else 'integer'} and should not be enclosed in quotes",
                )
            return lit.value
        wanted = "date" if ftype == "date" else "dateTime"
        if kind == "relative":
            return self.relative(lit.value, ftype == "date")
        if kind != ("date" if ftype == "date" else "datetime"):
            raise self.bad(
                lit,
                f"value of filter criterion for field '{fd.name}' must be of type {wanted} and "
                "should not be enclosed in quotes",
            )
        return lit.value if ftype == "date" else parse_datetime(lit.value)

    def relative(self, value: tuple[str, int], as_date: bool) -> tuple[Any, Any]:
        """``(start, end)`` (end exclusive) of a relative date literal."""
        name, n = value
        today = self.now_ms - self.now_ms % DAY_MS
        start, end = {
            "TODAY": (today, today + DAY_MS),
            "YESTERDAY": (today - DAY_MS, today),
            "TOMORROW": (today + DAY_MS, today + 2 * DAY_MS),
            "LAST_N_DAYS": (today - n * DAY_MS, today + DAY_MS),
            "NEXT_N_DAYS": (today + DAY_MS, today + (n + 1) * DAY_MS),
        }[name]
        return (date_of_ms(start), date_of_ms(end)) if as_date else (start, end)

    def comparison(self, cmp: Comparison) -> Predicate:
        path = self.path(cmp.field)
        fd, get, op = path.field, path.getter, cmp.op
        text = fd.is_text
        if op in ("in", "notin"):
            assert isinstance(cmp.value, list)
            values = {self.literal(fd, lit, op) for lit in cmp.value}
            if any(isinstance(v, tuple) for v in values):
                raise self.bad(cmp.value[0], "date literals with ranges are not allowed in IN")
            if text:
                return in_text(get, values, op == "notin")
            return (lambda r: get(r) not in values) if op == "notin" else (lambda r: get(r) in values)
        assert isinstance(cmp.value, Literal)
        lit = cmp.value
        if op == "like":
            if not text:
                raise self.bad(
                    lit, f"invalid operator on {'id' if fd.type in ('id', 'reference') else fd.type} field: {fd.name}"
                )
            if lit.kind != "like":
                raise self.bad(lit, f"value of filter criterion for field '{fd.name}' must be of type string")
            regex = like_regex(lit.value)
            return lambda r: (v := get(r)) is not None and regex.fullmatch(v) is not None
        if fd.type == "boolean" and op not in ("=", "!="):
            raise self.bad(lit, f"invalid operator on boolean field: {fd.name}")
        value = self.literal(fd, lit, op)
        if isinstance(value, tuple):
            return range_test(get, value, op)
        return compare(get, value, op, text)

    def order(self) -> list[tuple[Getter, bool, bool, bool]]:
        out = []
        for item in self.q.order:
            path = self.path(item.field)
            out.append((path.getter, item.desc, item.nulls_first, path.field.is_text))
        return out


def compile_query(query: Query, store: Store, now_ms: int) -> Compiled:
    """Resolve and type-check a parsed query."""
    compiler = Compiler(query, store, now_ms)
    select = compiler.select() if not query.count else SelectNode(compiler.obj)
    predicate = compiler.condition(query.where) if query.where is not None else None
    if query.offset is not None and query.offset > MAX_OFFSET:
        raise SalesforceError(400, "NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}")
    return Compiled(compiler.obj, select, predicate, compiler.order(), query.limit, query.offset or 0, query.count)
