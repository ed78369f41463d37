"""Value transforms: pure functions from a raw source value to a canonical Python value.

Every transform takes what a connector hands over (usually a string, sometimes a JSON number or
boolean) and returns the canonical value, ``None`` for a blank input (None, "" or whitespace), or
raises ``ValueError`` with a message fit for a dead-letter reason::

    normalize_domain("https://shop.Acme.co.uk/about")   # "acme.co.uk" (the registrable domain)
    normalize_email(" John+cs@Acme.COM ")               # "john+cs@acme.com" (+tags are kept)
    normalize_phone("415.555.0100", default_region="US")  # "+14155550100"; "030 1234567" in DE too
    normalize_country("Deutschland")                    # "DE"; unknown names give None
    to_datetime("2026-03-01T10:00:00.123Z")             # aware UTC datetime; "1772359200000" too

``SCALAR_TRANSFORMS`` names the one-argument transforms by their mapping ``type`` name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType

from hub.identity import standardize
from hub.mapping.countries import country_code
from hub.mapping.phones import normalize_phone

__all__ = [
    "SCALAR_TRANSFORMS",
    "normalize_country",
    "normalize_currency",
    "normalize_domain",
    "normalize_email",
    "normalize_phone",
    "split_list",
    "text_or_none",
    "to_boolean",
    "to_date",
    "to_datetime",
    "to_decimal",
    "to_digits",
    "to_hub_id",
    "to_integer",
    "to_string",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")
_EPOCH_MS = re.compile(r"-?\d+")
_CURRENCY = re.compile(r"[A-Z]{3}")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:")
_PATH_START = re.compile(r"[/?#]")


def text_or_none(value: object) -> str | None:
    """The trimmed text of a scalar, or None when blank. Non-scalars raise ``ValueError``."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    raise ValueError(f"expected a text value, got {type(value).__name__}")


def to_string(value: object) -> str | None:
    """Trimmed text; blank → None."""
    if value.__class__ is str:
        return value.strip() or None
    return text_or_none(value)


def to_integer(value: object) -> int | None:
    """An integer from "120", "120.0", "+7" or a JSON number; "1,200" and "12.5" are errors."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = text_or_none(value)
    if text is None:
        return None
    if _INTEGER.fullmatch(text):
        return int(text)
    if not _DECIMAL.fullmatch(text) or (number := Decimal(text)) != number.to_integral_value():
        raise ValueError(f"not an integer: {text!r}")
    return int(number)


def to_decimal(value: object) -> Decimal | None:
    """An exact ``Decimal`` from "1250.50", "-3" or a JSON number; junk ("n/a", "1,000", "1e3") is an error."""
    if isinstance(value, float):
        return Decimal(repr(value))
    text = text_or_none(value)
    if text is None:
        return None
    if not _DECIMAL.fullmatch(text):
        raise ValueError(f"not a decimal number: {text!r}")
    return Decimal(text)


def to_boolean(value: object) -> bool | None:
    """``True``/``False`` from a JSON boolean or "true"/"false" in any case."""
    if isinstance(value, bool):
        return value
    text = text_or_none(value)
    if text is None:
        return None
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise ValueError(f"not a boolean (true/false): {text!r}")


def _from_epoch_ms(text: str) -> datetime:
    try:
        return _EPOCH + timedelta(milliseconds=int(text))
    except OverflowError as exc:
        raise ValueError(f"epoch milliseconds out of range: {text!r}") from exc


def to_datetime(value: object) -> datetime | None:
    """An aware UTC datetime from ISO-8601 with "Z" or an offset, or epoch milliseconds.

    A timestamp without a timezone is an error: guessing its zone would shift it silently.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return _from_epoch_ms(str(value))
    text = text_or_none(value)
    if text is None:
        return None
    if _EPOCH_MS.fullmatch(text):
        return _from_epoch_ms(text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO-8601 datetime or epoch milliseconds: {text!r}") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"datetime has no timezone: {text!r}")
    return parsed.astimezone(UTC)


def to_date(value: object) -> date | None:
    """A date from an ISO date, an ISO datetime or epoch milliseconds (read in UTC).

    A datetime keeps the calendar date it was written in ("2026-09-30T23:30:00-02:00" → 2026-09-30):
    converting to UTC first would move a close date across a month or quarter boundary.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return _from_epoch_ms(str(value)).date()
    text = text_or_none(value)
    if text is None:
        return None
    if _EPOCH_MS.fullmatch(text):
        return _from_epoch_ms(text).date()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO-8601 date or epoch milliseconds: {text!r}") from None
    return parsed.date()


def normalize_domain(value: object) -> str | None:
    """The registrable domain (eTLD+1) of a domain or URL, lower-case, IDNA: the canonical primary_domain.

    "https://www.Acme.com:443/about" -> "acme.com"; "shop.acme.co.uk" -> "acme.co.uk"; "münchen.de" ->
    "xn--mnchen-3ya.de". Anything that is not a host name under a public suffix ("n/a", "localhost", an IP
    address, an email, a bare suffix such as "co.uk") is an error. Same result as
    ``hub.identity.standardize.registrable_domain`` for every host this accepts.
    """
    text = text_or_none(value)
    if text is None:
        return None
    host = text.lower()
    scheme = _SCHEME.match(host)
    if scheme and host[scheme.end() : scheme.end() + 2] == "//":
        host = host[scheme.end() + 2 :]
        has_authority = True
    elif host.startswith("//"):
        host = host[2:]
        has_authority = True
    else:
        has_authority = False
    host = _PATH_START.split(host, maxsplit=1)[0]
    if has_authority and "@" in host:
        host = host.rsplit("@", 1)[1]  # drop user:password@
    if ":" in host:
        host, _, port = host.partition(":")
        if not port.isdigit():
            raise ValueError(f"not a domain name: {text!r}")
    ascii_host = standardize.ascii_host(host)
    domain = None if ascii_host is None else standardize.registrable_domain(ascii_host)
    if domain is None:
        raise ValueError(f"not a domain name: {text!r}")
    return domain


def normalize_email(value: object) -> str | None:
    """Trimmed, lower-cased email address ("mailto:" dropped, "+tags" kept); a bad shape is an error."""
    text = text_or_none(value)
    if text is None:
        return None
    email = standardize.normalize_email(text)
    if email is None:
        raise ValueError(f"not an email address: {text!r}")
    return email


def normalize_country(value: object) -> str | None:
    """ISO-3166 alpha-2 code from a name or code; an unrecognised country gives None (keep the raw)."""
    text = text_or_none(value)
    return None if text is None else country_code(text)


def normalize_currency(value: object) -> str | None:
    """Upper-case ISO-4217 code ("usd " → "USD"); anything but three letters is an error."""
    text = text_or_none(value)
    if text is None:
        return None
    code = text.upper()
    if not _CURRENCY.fullmatch(code):
        raise ValueError(f"not an ISO-4217 currency code: {text!r}")
    return code


def to_digits(value: object) -> str | None:
    """Digits only, separators (space, "-", ".") dropped: DUNS "12-345-6789" → "123456789"."""
    text = text_or_none(value)
    if text is None:
        return None
    digits = text.replace("-", "").replace(" ", "").replace(".", "")
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"not a number made of digits: {text!r}")
    return digits


_HUB_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def to_hub_id(value: object) -> str | None:
    """The hub's id as the hub wrote it into a system (a UUID, lower-cased); anything else is not one
    (an external-id slot may hold another system's id: ``on_invalid: drop`` leaves the field empty)."""
    text = text_or_none(value)
    if text is None:
        return None
    lowered = text.lower()
    if not _HUB_ID.fullmatch(lowered):
        raise ValueError(f"not a hub id: {text!r}")
    return lowered


def split_list(value: object, separator: str = ";") -> list[str]:
    """Items of a delimited text ("a; b;;c" → ["a", "b", "c"]) or of a JSON list; blank → []."""
    if isinstance(value, list):
        items = [text_or_none(item) for item in value]
    else:
        text = text_or_none(value)
        items = [] if text is None else [item.strip() for item in text.split(separator)]
    return [item for item in items if item]


SCALAR_TRANSFORMS: Mapping[str, Callable[[object], object]] = MappingProxyType(
    {
        "string": to_string,
        "integer": to_integer,
        "decimal": to_decimal,
        "boolean": to_boolean,
        "date": to_date,
        "datetime": to_datetime,
        "domain": normalize_domain,
        "email": normalize_email,
        "country": normalize_country,
        "currency": normalize_currency,
        "hub_id": to_hub_id,
        "digits": to_digits,
    }
)
