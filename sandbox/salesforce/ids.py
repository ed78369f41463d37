"""Salesforce-style record ids: 15-character case-sensitive ids and their 18-character form.

An id is ``<3-char key prefix><2-char pod><10 chars>``; the 18-character form appends a 3-character
checksum that encodes the case of the first 15 characters, so 18-character ids compare
case-insensitively.  Key prefixes follow Salesforce (``001`` Account, ``003`` Contact, ``006``
Opportunity, ``00Q`` Lead, ``005`` User, ``00D`` Organization, ``012`` RecordType, ``00I``
Partner/OpportunityPartner, ``01g`` query locator, ``04k``/``04l`` outbound-message action and
notification); the ChannelProgram objects' prefixes (``0Hp``, ``0Hl``, ``0Hm``) are invented.
"""

from __future__ import annotations

import re
from functools import lru_cache

CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
POD = "5g"
_ID_RE = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-5]{3})?$")


_CASE_BITS = str.maketrans({c: ("1" if "A" <= c <= "Z" else "0") for c in BASE62})


def checksum(id15: str) -> str:
    """The 3-character case-encoding suffix of a 15-character id."""
    bits = id15.translate(_CASE_BITS)
    return (
        CHECKSUM_ALPHABET[int(bits[4::-1], 2)]
        + CHECKSUM_ALPHABET[int(bits[9:4:-1], 2)]
        + CHECKSUM_ALPHABET[int(bits[14:9:-1], 2)]
    )


def to18(id15: str) -> str:
    """Append the checksum to a 15-character id."""
    return id15 + checksum(id15)


@lru_cache(maxsize=65_536)
def normalize_id(value: str) -> str | None:
    """The canonical 18-character id for a 15- or 18-character id, or ``None`` if malformed.

    An 18-character id is matched case-insensitively: its checksum decides the case of each letter.
    """
    if not isinstance(value, str) or not _ID_RE.match(value):
        return None
    if len(value) == 15:
        return to18(value)
    suffix = value[15:].upper()
    if checksum(value[:15]) == suffix:
        return value[:15] + suffix
    chars = list(value[:15])
    for chunk in range(3):
        bits = CHECKSUM_ALPHABET.index(suffix[chunk])
        for i in range(5):
            pos = chunk * 5 + i
            chars[pos] = chars[pos].upper() if bits & (1 << i) else chars[pos].lower()
    id15 = "".join(chars)
    return to18(id15) if checksum(id15) == suffix else None


def base62(number: int, width: int) -> str:
    """``number`` in base 62, left-padded with ``0`` to ``width``."""
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(BASE62[rest])
    return "".join(reversed(digits)).rjust(width, "0")


def make_id(prefix: str, counter: int) -> str:
    """The 18-character id number ``counter`` for ``prefix``."""
    return to18(f"{prefix}{POD}{base62(counter, 10)}")


def counter_of(record_id: str, prefix: str) -> int | None:
    """The counter encoded in an id made by :func:`make_id`, else ``None``."""
    if len(record_id) != 18 or not record_id.startswith(prefix + POD):
        return None
    total = 0
    for char in record_id[5:15]:
        index = BASE62.find(char)
        if index < 0:
            return None
        total = total * 62 + index
    return total


class IdAllocator:
    """Hands out new ids per key prefix, never reusing one that exists."""

    FIRST = 4_000_000

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def observe(self, prefix: str, record_id: str) -> None:
        """Make sure later ids for ``prefix`` come after ``record_id``."""
        counter = counter_of(record_id, prefix)
        if counter is not None and counter >= self._next.get(prefix, self.FIRST):
            self._next[prefix] = counter + 1

    def allocate(self, prefix: str) -> str:
        """A fresh id."""
        counter = self._next.get(prefix, self.FIRST)
        self._next[prefix] = counter + 1
        return make_id(prefix, counter)
