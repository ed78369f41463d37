"""SOQL tokens, AST nodes and positioned errors (used by :mod:`.soql_parser` and :mod:`.soql_eval`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.salesforce.errors import SalesforceError

_TOKEN_RE = re.compile(
    r"""(?P<ws>\s+)
    |(?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})?)
    |(?P<date>\d{4}-\d{2}-\d{2}(?![\dT:]))
    |(?P<number>\d+(?:\.\d+)?(?![\w.]))
    |(?P<string>'(?:[^'\\]|\\.)*')
    |(?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    |(?P<op><=|>=|!=|<>|=|<|>)
    |(?P<punct>[(),:\-])""",
    re.X,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
RELATIVE_DATES = ("TODAY", "YESTERDAY", "TOMORROW", "LAST_N_DAYS", "NEXT_N_DAYS")
UNSUPPORTED = ("GROUP", "HAVING", "WITH", "FOR", "USING", "TYPEOF", "INCLUDES", "EXCLUDES", "FIELDS")


@dataclass(slots=True)
class Token:
    kind: str
    value: str
    pos: int


@dataclass(slots=True)
class FieldRef:
    path: str
    pos: int


@dataclass(slots=True)
class Literal:
    """``kind``: string, like, number, boolean, null, date, datetime or relative (value = (name, n))."""

    kind: str
    value: Any
    pos: int


@dataclass(slots=True)
class Comparison:
    field: FieldRef
    op: str  # = != < <= > >= like in notin
    value: Literal | list[Literal]


@dataclass(slots=True)
class BoolOp:
    op: str  # and / or
    items: list[Condition]


@dataclass(slots=True)
class Not:
    item: Condition


Condition = Comparison | BoolOp | Not


@dataclass(slots=True)
class OrderItem:
    field: FieldRef
    desc: bool
    nulls_first: bool


@dataclass
class Query:
    text: str
    object: str
    object_pos: int
    fields: list[FieldRef] = field(default_factory=list)
    count: bool = False
    where: Condition | None = None
    order: list[OrderItem] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None


def soql_error(code: str, text: str, pos: int, message: str) -> SalesforceError:
    """A 400 with Salesforce's positioned message: the query, a caret line, ``ERROR at Row:..``."""
    before = text[:pos]
    row = before.count("\n") + 1
    line_start = before.rfind("\n") + 1
    line_end = text.find("\n", pos)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    column = pos - line_start
    return SalesforceError(400, code, f"\n{line}\n{' ' * column}^\nERROR at Row:{row}:Column:{column + 1}\n{message}")


def tokenize(text: str) -> list[Token]:
    """Split SOQL into tokens (``eof`` last)."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            raise soql_error(
                "MALFORMED_QUERY", text, pos, f"line 1:{pos} no viable alternative at character '{text[pos]}'"
            )
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("eof", "", len(text)))
    return tokens


def unescape(raw: str, keep_like: bool) -> str:
    """Decode a quoted SOQL string; ``keep_like`` keeps ``\\%`` and ``\\_`` escaped for LIKE."""
    out: list[str] = []
    chars = iter(raw[1:-1])
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        nxt = next(chars, "")
        if nxt in "%_":
            out.append("\\" + nxt if keep_like else nxt)
        elif nxt == "u":
            out.append(chr(int("".join(next(chars, "0") for _ in range(4)), 16)))
        else:
            out.append(_ESCAPES.get(nxt, nxt))
    return "".join(out)
