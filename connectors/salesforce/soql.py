"""Building SOQL text safely: literals are formatted here and nowhere else.

Values from outside (ids from webhook deliveries, names from config) never reach a query unchecked:
ids must look like Salesforce ids, strings are escaped, field names are validated by the config.
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from connectors.sdk import ConfigError

_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
_ESCAPES = {"\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def is_record_id(value: str) -> bool:
    """15- or 18-character Salesforce record id."""
    return bool(_ID.match(value))


def datetime_literal(value: str | datetime, *, minus_seconds: int = 0) -> str:
    """An unquoted SOQL dateTime literal in UTC, truncated to whole seconds: ``2024-05-01T10:00:00Z``.

    Truncating moves the bound down, never up, so ``>=`` still includes the cursor's own record.
    Accepts the hub's cursor (ISO-8601 with offset) and Salesforce's ``...000+0000`` form; a time
    without a zone is read as UTC.
    """
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ConfigError(f"cursor is not an ISO-8601 time: {value!r}") from None
    else:
        moment = value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC).replace(microsecond=0) - timedelta(seconds=minus_seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def string_literal(value: str) -> str:
    """A quoted SOQL string with Salesforce's escapes."""
    return "'" + "".join(_ESCAPES.get(char, char) for char in value) + "'"


def id_list(ids: Iterable[str]) -> str:
    """``('001...','001...')``; anything that is not a record id is an error."""
    values = list(ids)
    bad = [value for value in values if not is_record_id(value)]
    if bad or not values:
        raise ValueError(f"not Salesforce record ids: {bad[:3]}" if bad else "empty id list")
    return "(" + ",".join(f"'{value}'" for value in values) + ")"


def select(sobject: str, fields: Iterable[str], where: Iterable[str] = (), *, order_by: str | None = None) -> str:
    """``SELECT a, b FROM Obj [WHERE c1 AND c2] [ORDER BY ...]``."""
    text = f"SELECT {', '.join(fields)} FROM {sobject}"
    conditions = [condition for condition in where if condition]
    if conditions:
        text += " WHERE " + " AND ".join(conditions)
    if order_by:
        text += f" ORDER BY {order_by}"
    return text
