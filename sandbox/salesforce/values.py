"""Field values: internal representation, JSON serialisation and coercion of request values.

Internally text-like fields hold ``str``, numbers ``int``/``float``, booleans ``bool``, dates
``"YYYY-MM-DD"`` strings and datetimes epoch milliseconds (``int``).  Responses format datetimes
the Salesforce way: ``2013-05-20T20:49:32.000+0000``.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime
from typing import Any

from sandbox.salesforce.errors import SalesforceError, bad_request
from sandbox.salesforce.ids import normalize_id
from sandbox.salesforce.schema import FieldDef

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$", re.I
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def format_datetime(ms: int) -> str:
    """``2013-05-20T20:49:32.000+0000``."""
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}+0000"


def parse_datetime(text: str) -> int:
    """Parse an ISO-8601 date-time (``Z``, ``+hh:mm``, ``+hhmm`` or none = UTC) or a date to epoch ms.

    Raises ``ValueError`` when the text is neither.
    """
    value = text.strip()
    if _DATE_RE.match(value):
        day = date.fromisoformat(value)
        return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 1000
    if len(value) > 18 and value[10] == "T":
        try:
            dt = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=UTC)
            return int(dt.timestamp()) * 1000 + dt.microsecond // 1000
    match = _DATETIME_RE.match(value)
    if not match:
        raise ValueError(f"not a date-time: {text!r}")
    year, month, day_, hour, minute, second, frac, zone = match.groups()
    dt = datetime(int(year), int(month), int(day_), int(hour), int(minute), int(second or 0), tzinfo=UTC)
    ms = int(dt.timestamp()) * 1000 + int((frac or "0").ljust(3, "0")[:3])
    if zone and zone.upper() != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        ms -= sign * (int(digits[:2]) * 60 + int(digits[2:])) * 60_000
    return ms


def check_date(text: str) -> str:
    """Validate ``YYYY-MM-DD`` (a date-time is cut to its date); ``ValueError`` otherwise."""
    value = text.strip()
    if len(value) > 10 and _DATETIME_RE.match(value):
        value = value[:10]
    if not _DATE_RE.match(value):
        raise ValueError(f"not a date: {text!r}")
    date.fromisoformat(value)
    return value


def date_of_ms(ms: int) -> str:
    """The UTC calendar date of epoch ms."""
    return time.strftime("%Y-%m-%d", time.gmtime(ms // 1000))


def serialize(fd: FieldDef, value: Any) -> Any:
    """The JSON value of an internal value."""
    if value is None:
        return None
    if fd.type == "datetime":
        return format_datetime(int(value))
    if fd.type in ("double", "currency", "percent"):
        return float(value)
    return value


def _parse_error(fd: FieldDef, value: Any, kind: str) -> SalesforceError:
    shown = value if isinstance(value, str) else repr(value)
    return bad_request(
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {kind} from VALUE_STRING value {shown} or request may be missing "
        f"a required field at [line:1, column:1]",
        [fd.name],
    )


def _number(fd: FieldDef, value: Any, kind: str) -> float:
    if isinstance(value, bool):
        raise _parse_error(fd, value, kind)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", ""))
        except ValueError:
            raise _parse_error(fd, value, kind) from None
    raise _parse_error(fd, value, kind)


def coerce(fd: FieldDef, value: Any) -> Any:
    """Convert one request value to the internal form (no cross-record checks); raise on bad input.

    Reference fields are only normalised to 18 characters here (existence is checked by the caller).
    """
    if value is None or (isinstance(value, str) and value == "" and fd.type != "boolean"):
        return None
    kind = fd.type
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise _parse_error(fd, value, "boolean")
    if kind == "int":
        number = _number(fd, value, "int")
        if not number.is_integer():
            raise _parse_error(fd, value, "int")
        return int(number)
    if kind in ("double", "currency", "percent"):
        return round(_number(fd, value, "double"), 2 if kind == "currency" else 6)
    if kind == "date":
        try:
            return check_date(str(value))
        except ValueError:
            raise _parse_error(fd, value, "date") from None
    if kind == "datetime":
        try:
            return parse_datetime(str(value))
        except ValueError:
            raise _parse_error(fd, value, "datetime") from None
    if isinstance(value, dict | list):
        raise _parse_error(fd, value, "string")
    text = value if isinstance(value, str) else ("true" if value is True else "false" if value is False else str(value))
    if kind in ("reference", "id"):
        normalized = normalize_id(text.strip())
        if normalized is None:
            raise bad_request("MALFORMED_ID", f"{fd.label}: id value of incorrect type: {text}", [fd.name])
        return normalized
    if kind == "email" and not _EMAIL_RE.match(text.strip()):
        raise bad_request("INVALID_EMAIL_ADDRESS", f"{fd.label}: invalid email address: {text}", [fd.name])
    if fd.length and len(text) > fd.length:
        raise bad_request(
            "STRING_TOO_LONG", f"{fd.label}: data value too large: {text[:40]} (max length={fd.length})", [fd.name]
        )
    if kind == "picklist" and fd.restricted:
        match = next((p for p in fd.picklist if p.lower() == text.lower()), None)
        if match is None:
            raise bad_request(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{fd.label}: bad value for restricted picklist field: {text}",
                [fd.name],
            )
        return match
    return text


def load_value(fd: FieldDef, value: Any) -> Any:
    """Conversion of a fixture value: types are enforced (``ValueError``), text is kept verbatim.

    Fixtures may hold values the API would refuse (bad e-mail, unknown picklist value): that is
    how the deliberately bad records get in.
    """
    if value is None:
        return False if fd.type == "boolean" else None
    if fd.type == "datetime" and isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    if fd.type in ("id", "reference"):
        return normalize_id(str(value)) or str(value)
    if fd.type in ("double", "currency", "percent", "int", "boolean", "datetime", "date"):
        try:
            return coerce(fd, value)
        except SalesforceError as exc:
            raise ValueError(f"{fd.name}: {exc.message}") from None
    return value if isinstance(value, str) else coerce(fd, value)
