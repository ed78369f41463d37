"""A compact built-in ISO-3166 table: common English names, aliases and alpha-2/alpha-3 codes.

Use ``country_code(text)`` to get the alpha-2 code of a free-text country, or None when the text
is not recognised (callers keep the raw text beside it; an unknown country is not an error).
The table covers the countries partner data actually shows up with; extend ``_COUNTRIES`` by
adding a row ``(alpha2, alpha3, name, *aliases)``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from types import MappingProxyType

_COUNTRIES: tuple[tuple[str, ...], ...] = (
    ("US", "USA", "United States", "United States of America", "America", "U.S.", "U.S.A."),
    ("CA", "CAN", "Canada"),
    ("MX", "MEX", "Mexico", "México"),
    ("BR", "BRA", "Brazil", "Brasil"),
    ("AR", "ARG", "Argentina"),
    ("CL", "CHL", "Chile"),
    ("CO", "COL", "Colombia"),
    ("PE", "PER", "Peru"),
    ("CR", "CRI", "Costa Rica"),
    (
        "GB",
        "GBR",
        "United Kingdom",
        "UK",
        "U.K.",
        "Great Britain",
        "Britain",
        "England",
        "Scotland",
        "Wales",
        "Northern Ireland",
        "United Kingdom of Great Britain and Northern Ireland",
    ),
    ("IE", "IRL", "Ireland", "Republic of Ireland"),
    ("FR", "FRA", "France"),
    ("DE", "DEU", "Germany", "Deutschland"),
    ("NL", "NLD", "Netherlands", "The Netherlands", "Holland"),
    ("BE", "BEL", "Belgium"),
    ("LU", "LUX", "Luxembourg"),
    ("CH", "CHE", "Switzerland"),
    ("AT", "AUT", "Austria"),
    ("ES", "ESP", "Spain", "España"),
    ("PT", "PRT", "Portugal"),
    ("IT", "ITA", "Italy", "Italia"),
    ("DK", "DNK", "Denmark"),
    ("SE", "SWE", "Sweden"),
    ("NO", "NOR", "Norway"),
    ("FI", "FIN", "Finland"),
    ("IS", "ISL", "Iceland"),
    ("PL", "POL", "Poland"),
    ("CZ", "CZE", "Czechia", "Czech Republic"),
    ("SK", "SVK", "Slovakia", "Slovak Republic"),
    ("HU", "HUN", "Hungary"),
    ("RO", "ROU", "Romania"),
    ("BG", "BGR", "Bulgaria"),
    ("GR", "GRC", "Greece"),
    ("HR", "HRV", "Croatia"),
    ("SI", "SVN", "Slovenia"),
    ("RS", "SRB", "Serbia"),
    ("EE", "EST", "Estonia"),
    ("LV", "LVA", "Latvia"),
    ("LT", "LTU", "Lithuania"),
    ("CY", "CYP", "Cyprus"),
    ("MT", "MLT", "Malta"),
    ("UA", "UKR", "Ukraine"),
    ("TR", "TUR", "Turkey", "Türkiye", "Turkiye"),
    ("RU", "RUS", "Russia", "Russian Federation"),
    ("IL", "ISR", "Israel"),
    ("AE", "ARE", "United Arab Emirates", "UAE", "U.A.E."),
    ("SA", "SAU", "Saudi Arabia", "Kingdom of Saudi Arabia", "KSA"),
    ("QA", "QAT", "Qatar"),
    ("EG", "EGY", "Egypt"),
    ("MA", "MAR", "Morocco"),
    ("ZA", "ZAF", "South Africa"),
    ("NG", "NGA", "Nigeria"),
    ("KE", "KEN", "Kenya"),
    ("IN", "IND", "India"),
    ("PK", "PAK", "Pakistan"),
    ("BD", "BGD", "Bangladesh"),
    ("LK", "LKA", "Sri Lanka"),
    ("CN", "CHN", "China", "People's Republic of China", "PRC"),
    ("HK", "HKG", "Hong Kong", "Hong Kong SAR"),
    ("TW", "TWN", "Taiwan"),
    ("JP", "JPN", "Japan"),
    ("KR", "KOR", "South Korea", "Korea", "Republic of Korea", "Korea, Republic of"),
    ("SG", "SGP", "Singapore"),
    ("MY", "MYS", "Malaysia"),
    ("TH", "THA", "Thailand"),
    ("VN", "VNM", "Vietnam", "Viet Nam"),
    ("PH", "PHL", "Philippines", "The Philippines"),
    ("ID", "IDN", "Indonesia"),
    ("AU", "AUS", "Australia"),
    ("NZ", "NZL", "New Zealand"),
)

_NOISE = re.compile(r"[.,']")
_SPACES = re.compile(r"\s+")


def _key(text: str) -> str:
    """Lookup key: case-folded, dots/commas/apostrophes dropped, whitespace collapsed."""
    return _SPACES.sub(" ", _NOISE.sub("", text.casefold())).strip()


def _build() -> MappingProxyType[str, str]:
    table: dict[str, str] = {}
    for alpha2, *names in _COUNTRIES:
        for name in (alpha2, *names):
            key = _key(name)
            if table.setdefault(key, alpha2) != alpha2:  # pragma: no cover - guards edits to the table
                raise AssertionError(f"country alias {name!r} is ambiguous")
    return MappingProxyType(table)


_LOOKUP = _build()


@lru_cache(maxsize=4096)  # country columns repeat a handful of spellings
def country_code(text: str) -> str | None:
    """ISO-3166 alpha-2 code of ``text`` ("United States", "usa", "U.S.", "us" → "US"), else None."""
    code = _LOOKUP.get(_key(text))
    if code is None and text[:4].casefold() == "the ":
        code = _LOOKUP.get(_key(text[4:]))
    return code


def known_codes() -> frozenset[str]:
    """Every alpha-2 code in the table."""
    return frozenset(row[0] for row in _COUNTRIES)
