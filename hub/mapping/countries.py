"""Free-text countries to ISO 3166-1 alpha-2 for mappings, on top of ``hub.identity.standardize``.

``country_code(text)`` gives the alpha-2 code of a code, English or native name or alias
("United States", "usa", "U.K.", "Deutschland", "Holland", "276"), or None when the text is not
recognised (callers keep the raw text beside it; an unknown country is not an error). The names come
from pycountry (ISO 3166-1 and its translations) plus the aliases in ``hub.identity.standardize``.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry

from hub.identity import standardize

__all__ = ["country_code", "known_codes"]


def country_code(text: str) -> str | None:
    """ISO-3166 alpha-2 code of ``text`` ("United States", "usa", "U.S.", "us" -> "US"), else None."""
    return standardize.normalize_country(text)


@lru_cache(maxsize=1)
def known_codes() -> frozenset[str]:
    """Every alpha-2 code ``country_code`` can return (ISO 3166-1, plus the user-assigned XK for Kosovo)."""
    return frozenset(country.alpha_2 for country in pycountry.countries) | {"XK"}
