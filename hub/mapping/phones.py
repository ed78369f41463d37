"""Phone numbers to E.164 for mappings, on top of ``hub.identity.standardize`` (phonenumbers).

``normalize_phone(text, default_region)`` reads international numbers anywhere ("+1 (415) 555-0100",
"0044 20 7946 0958", "+44 (0)20 7946 0958") and national numbers of any region phonenumbers knows
("030 1234567" in DE, "01 23 45 67 89" in FR, "(02) 9876 5432" in AU). A number that does not parse
or is not a valid number of its country is a ``ValueError``: a wrong phone is worse than none for
matching people.
"""

from __future__ import annotations

import phonenumbers

from hub.identity import standardize

__all__ = ["SUPPORTED_REGIONS", "normalize_phone"]

SUPPORTED_REGIONS: frozenset[str] = frozenset(phonenumbers.SUPPORTED_REGIONS)


def normalize_phone(value: object, default_region: str | None = None) -> str | None:
    """E.164 form ("+14155550100") of a phone number; blank -> None, unparseable -> ``ValueError``.

    ``default_region`` (an ISO alpha-2 code in ``SUPPORTED_REGIONS``) says how to read numbers
    written without a country code; extensions ("ext. 7") are dropped.
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    e164 = standardize.normalize_phone(text, default_region)
    if e164 is not None:
        return e164
    if not any(char.isdigit() for char in text):
        raise ValueError(f"not a phone number: {text!r}")
    if text.startswith(("+", "00")):
        raise ValueError(f"not a valid international phone number: {text!r}")
    if default_region is None:
        raise ValueError(f"phone number has no country code and no default region: {text!r}")
    raise ValueError(f"not a valid {default_region} phone number: {text!r}")
