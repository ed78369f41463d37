"""Phone numbers to E.164 without an external library.

``normalize_phone(text, default_region)`` understands international numbers ("+1 (415) 555-0100",
"0044 20 7946 0958", "+44 (0)20 7946 0958") and national numbers of the regions in
``SUPPORTED_REGIONS`` (US/CA: ten digits, optionally led by 1; GB: trunk "0" dropped). Anything
else is a ``ValueError``: a wrong phone is worse than none for matching people.
"""

from __future__ import annotations

import re

__all__ = ["SUPPORTED_REGIONS", "normalize_phone"]

SUPPORTED_REGIONS: frozenset[str] = frozenset({"US", "CA", "GB"})

_EXTENSION = re.compile(r"\s*(?:ext\.?|extension|x|#)\s*\d{1,6}$", re.IGNORECASE)
_SEPARATORS = str.maketrans("", "", " ()-./\u00a0\t")
_E164_DIGITS = re.compile(r"[1-9]\d{6,14}")


def _international(digits: str, original: str) -> str:
    if digits.startswith("440"):  # "+44 (0)20…" written without the brackets
        digits = "44" + digits[3:]
    if not _E164_DIGITS.fullmatch(digits) or (digits[0] == "1" and len(digits) != 11):
        raise ValueError(f"not a valid international phone number: {original!r}")
    return "+" + digits


def _national(digits: str, region: str | None, original: str) -> str:
    if region in ("US", "CA"):
        if len(digits) == 11 and digits[0] == "1":
            digits = digits[1:]
        if len(digits) == 10 and digits[0] in "23456789":
            return "+1" + digits
    elif region == "GB":
        if digits.startswith("0"):
            digits = digits[1:]
        if len(digits) in (9, 10) and digits[0] != "0":
            return "+44" + digits
    elif region is None:
        raise ValueError(f"phone number has no country code and no default region: {original!r}")
    raise ValueError(f"not a valid {region} phone number: {original!r}")


def normalize_phone(value: object, default_region: str | None = None) -> str | None:
    """E.164 form ("+14155550100") of a phone number; blank → None, unparseable → ``ValueError``.

    ``default_region`` (one of ``SUPPORTED_REGIONS``) says how to read numbers without a country code.
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    number = _EXTENSION.sub("", text)
    international = number.startswith(("+", "00"))
    if international:
        number = number.replace("(0)", "")
    digits = number.translate(_SEPARATORS)
    if digits.startswith("+"):
        digits = digits[1:]
    elif international:
        digits = digits[2:]
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"not a phone number: {text!r}")
    if international:
        return _international(digits, text)
    return _national(digits, default_region, text)
