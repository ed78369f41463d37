"""A SOQL subset: tokenizer and recursive-descent parser producing a small AST.

Grammar (keywords case-insensitive)::

    SELECT ( COUNT() | field [, field ...] ) FROM Object
      [WHERE condition] [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST] [, ...]] [LIMIT n] [OFFSET n]

    condition := term ((AND term)* | (OR term)*)      -- mixing AND/OR needs parentheses, as in SOQL
    term      := NOT term | '(' condition ')' | field op value | field [NOT] IN (value, ...) | field LIKE 'pattern'
    op        := = | != | <> | < | <= | > | >=
    value     := 'string' | number | true | false | null | 2026-01-01 | 2026-01-01T00:00:00Z
               | TODAY | YESTERDAY | TOMORROW | LAST_N_DAYS:n | NEXT_N_DAYS:n

Fields may be relationship paths (``Account.Name``, ``Account.Owner.Email``).  Errors are 400
``MALFORMED_QUERY`` with Salesforce's ``ERROR at Row:r:Column:c`` message layout.
"""

from __future__ import annotations

import re

from sandbox.salesforce.errors import SalesforceError
from sandbox.salesforce.soql_ast import (
    RELATIVE_DATES,
    UNSUPPORTED,
    BoolOp,
    Comparison,
    Condition,
    FieldRef,
    Literal,
    Not,
    OrderItem,
    Query,
    Token,
    soql_error,
    tokenize,
    unescape,
)


class Parser:
    """Parses one query; use :func:`parse`."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def error(self, token: Token | None = None, message: str | None = None) -> SalesforceError:
        token = token or self.tok
        shown = token.value or "<EOF>"
        return soql_error("MALFORMED_QUERY", self.text, token.pos, message or f"unexpected token: '{shown}'")

    def is_kw(self, *words: str) -> bool:
        return self.tok.kind == "ident" and self.tok.value.upper() in words

    def take(self) -> Token:
        token = self.tok
        self.i += 1
        return token

    def expect_kw(self, word: str) -> Token:
        if not self.is_kw(word):
            raise self.error()
        return self.take()

    def expect(self, kind: str, value: str | None = None) -> Token:
        if self.tok.kind != kind or (value is not None and self.tok.value != value):
            raise self.error()
        return self.take()

    def parse(self) -> Query:
        self.expect_kw("SELECT")
        fields, count = self.select_list()
        self.expect_kw("FROM")
        obj = self.expect("ident")
        if "." in obj.value:
            raise self.error(obj)
        query = Query(self.text, obj.value, obj.pos, fields, count)
        if self.is_kw("WHERE"):
            self.take()
            query.where = self.condition()
        if self.is_kw("ORDER"):
            self.take()
            self.expect_kw("BY")
            query.order = self.order_list()
        if self.is_kw("LIMIT"):
            self.take()
            query.limit = int(self.expect("number").value.split(".")[0])
        if self.is_kw("OFFSET"):
            self.take()
            query.offset = int(self.expect("number").value.split(".")[0])
        if self.tok.kind != "eof":
            if self.is_kw(*UNSUPPORTED):
                raise self.error(message=f"{self.tok.value.upper()} is not supported by the sandbox's SOQL subset")
            raise self.error()
        return query

    def select_list(self) -> tuple[list[FieldRef], bool]:
        if self.is_kw("COUNT") and self.tokens[self.i + 1].value == "(":
            self.i += 2
            self.expect("punct", ")")
            return [], True
        fields = [self.field_ref()]
        while self.tok.value == ",":
            self.take()
            fields.append(self.field_ref())
        return fields, False

    def field_ref(self) -> FieldRef:
        if self.tok.value == "(":
            raise self.error(message="nested (child relationship) queries are not supported by the sandbox")
        if self.is_kw(*UNSUPPORTED):
            raise self.error(message=f"{self.tok.value.upper()} is not supported by the sandbox's SOQL subset")
        token = self.expect("ident")
        if self.tok.value == "(":
            raise self.error(token, f"aggregate function {token.value} is not supported by the sandbox")
        return FieldRef(token.value, token.pos)

    def order_list(self) -> list[OrderItem]:
        items = []
        while True:
            ref = self.field_ref()
            desc = False
            if self.is_kw("ASC", "DESC"):
                desc = self.take().value.upper() == "DESC"
            nulls_first = not desc
            if self.is_kw("NULLS"):
                self.take()
                if not self.is_kw("FIRST", "LAST"):
                    raise self.error()
                nulls_first = self.take().value.upper() == "FIRST"
            items.append(OrderItem(ref, desc, nulls_first))
            if self.tok.value != ",":
                return items
            self.take()

    def condition(self) -> Condition:
        items = [self.term()]
        joiner: str | None = None
        while self.is_kw("AND", "OR"):
            word = self.tok.value.lower()
            if joiner is not None and word != joiner:
                raise self.error()
            joiner = word
            self.take()
            items.append(self.term())
        return items[0] if joiner is None else BoolOp(joiner, items)

    def term(self) -> Condition:
        if self.is_kw("NOT"):
            self.take()
            return Not(self.term())
        if self.tok.value == "(":
            self.take()
            inner = self.condition()
            self.expect("punct", ")")
            return inner
        ref = self.field_ref()
        if self.tok.kind == "op":
            op = self.take().value
            return Comparison(ref, "!=" if op == "<>" else op, self.value(like=False))
        if self.is_kw("LIKE"):
            self.take()
            return Comparison(ref, "like", self.value(like=True))
        negate = False
        if self.is_kw("NOT"):
            self.take()
            negate = True
        if self.is_kw("IN"):
            self.take()
            self.expect("punct", "(")
            if self.is_kw("SELECT"):
                raise self.error(message="semi-join sub-selects are not supported by the sandbox")
            values = [self.value(like=False)]
            while self.tok.value == ",":
                self.take()
                values.append(self.value(like=False))
            self.expect("punct", ")")
            return Comparison(ref, "notin" if negate else "in", values)
        raise self.error()

    def value(self, like: bool) -> Literal:
        token = self.tok
        if token.kind == "string":
            self.take()
            return Literal("like" if like else "string", unescape(token.value, keep_like=like), token.pos)
        if token.value == "-" and self.tokens[self.i + 1].kind == "number":
            self.i += 2
            return Literal("number", -float(self.tokens[self.i - 1].value), token.pos)
        if token.kind == "number":
            self.take()
            return Literal("number", float(token.value), token.pos)
        if token.kind in ("date", "datetime"):
            self.take()
            if token.kind == "datetime" and not re.search(r"(Z|[+-]\d{2}:\d{2})$", token.value):
                raise self.error(token, f"invalid date-time literal (a time zone is required): {token.value}")
            return Literal(token.kind, token.value, token.pos)
        if token.kind == "ident":
            word = token.value.upper()
            if word in ("TRUE", "FALSE"):
                self.take()
                return Literal("boolean", word == "TRUE", token.pos)
            if word == "NULL":
                self.take()
                return Literal("null", None, token.pos)
            if word in RELATIVE_DATES:
                self.take()
                n = 1
                if word.endswith("_N_DAYS"):
                    self.expect("punct", ":")
                    n = int(self.expect("number").value.split(".")[0])
                return Literal("relative", (word, n), token.pos)
        raise self.error()


def parse(text: str) -> Query:
    """Parse SOQL text; raises ``SalesforceError`` (400 ``MALFORMED_QUERY``)."""
    if not text.strip():
        raise SalesforceError(400, "MALFORMED_QUERY", "A query string has to be specified")
    return Parser(text).parse()
