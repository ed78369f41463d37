"""Cost of the identity standardisation functions: µs per call over 10,000 varied inputs.

    python -m bench.standardize_bench [--count 10000]

"cold" clears every cache first, so each distinct value is computed once (the first page of a sync);
"warm" repeats the same inputs with the caches filled (values recurring across pages). One-off
set-up (loading the PSL snapshot, the country index, the nickname table) is reported separately.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from typing import Any

from hub.identity import standardize as std

_FIRST = ["Robert", "Bob", "Jane", "José", "Liz", "Hans", "Søren", "Priya", "Wei", "Zorblax", "Mary Ann"]
_LAST = ["Smith", "O'Brien", "Müller", "Dupont", "van der Berg", "Kumar", "Nakamura", "García"]
_ORG = ["Acme", "Müller", "Smith & Sons", "Globex", "Initech", "Tata Consultancy", "Société Générale", "Umbrella"]
_FORMS = ["Inc.", "GmbH", "GmbH & Co. KG", "Ltd", "Pty Ltd", "S.A.", "B.V.", "Pvt. Ltd.", "A/S", "S.p.A.", "", "LLC"]
_TLDS = ["com", "co.uk", "de", "fr", "com.au", "nl", "co.in", "io", "ch", "co.jp"]
_COUNTRIES = [
    "USA",
    "United States",
    "U.K.",
    "Deutschland",
    "Germany",
    "DE",
    "Holland",
    "France",
    "Australia",
    "India",
    "Bharat",
    "Schweiz",
    "276",
    "Korea, Republic of",
    "Wakanda",
    "n/a",
    "España",
    "Türkiye",
]
_PHONES = [
    ("+1 (415) 555-01{:02d}", "US"),
    ("030 12345{:02d}", "DE"),
    ("01 23 45 67 {:02d}", "FR"),
    ("(02) 9876 54{:02d}", "AU"),
    ("020 123 45{:02d}", "NL"),
    ("+91 98765 432{:02d}", None),
    ("0044 20 7946 09{:02d}", "US"),
    ("call me {:02d}", "US"),
]


def _inputs(count: int) -> dict[str, list[Any]]:
    rng = random.Random(7)
    orgs = [f"{rng.choice(_ORG)} {rng.randrange(count)} {rng.choice(_FORMS)}" for _ in range(count)]
    hosts = [
        f"{rng.choice(['https://www.', 'http://', '', 'WWW.', 'shop.'])}{rng.choice(_ORG).split()[0].lower()}"
        f"{rng.randrange(count)}.{rng.choice(_TLDS)}{rng.choice(['', '/about', '/?x=1'])}"
        for _ in range(count)
    ]
    emails = [
        f"{rng.choice(_FIRST).split()[0].lower()}.{i}@{rng.choice(['gmail.com', 'sales.acme.de', 'acme.co.uk'])}"
        for i in range(count)
    ]
    people = [
        f"{rng.choice(['', 'Dr. ', 'Mr '])}{rng.choice(_FIRST)} {rng.choice(_LAST)}{rng.choice(['', ' Jr.'])}"
        for _ in range(count)
    ]
    phones = []
    for i in range(count):
        template, region = rng.choice(_PHONES)
        phones.append((template.format(i % 100), region))
    countries = [rng.choice(_COUNTRIES) for _ in range(count)]
    return {
        "orgs": orgs,
        "hosts": hosts,
        "emails": emails,
        "people": people,
        "phones": phones,
        "countries": countries,
        "first": [rng.choice(_FIRST) for _ in range(count)],
    }


def _clear() -> None:
    for name in dir(std):
        cached = getattr(std, name)
        if hasattr(cached, "cache_clear") and name not in (
            "_extractor",
            "_country_index",
            "_nicknamer",
            "_phone_regions",
        ):
            cached.cache_clear()


def _time(function: Callable[..., Any], values: list[Any], star: bool = False) -> float:
    start = time.perf_counter()
    if star:
        for args in values:
            function(*args)
    else:
        for value in values:
            function(value)
    return (time.perf_counter() - start) / len(values) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    count = parser.parse_args().count
    data = _inputs(count)
    for label, setup in (
        ("PSL snapshot", lambda: std.registrable_domain("acme.com")),
        ("country index", lambda: std.normalize_country("DE")),
        ("nickname table", lambda: std.first_name_keys("Bob")),
        ("phonenumbers", lambda: std.normalize_phone("+1 415 555 0100")),
    ):
        start = time.perf_counter()
        setup()
        print(f"set-up {label:<16} {(time.perf_counter() - start) * 1e3:8.1f} ms")
    cases: list[tuple[str, Callable[..., Any], list[Any], bool]] = [
        ("registrable_domain", std.registrable_domain, data["hosts"], False),
        ("domain_root", std.domain_root, data["hosts"], False),
        ("is_free_mail", std.is_free_mail, data["hosts"], False),
        ("normalize_email", std.normalize_email, data["emails"], False),
        ("email_domain", std.email_domain, data["emails"], False),
        ("normalize_org_name", std.normalize_org_name, data["orgs"], False),
        ("normalize_person_name", std.normalize_person_name, data["people"], False),
        ("first_name_keys", std.first_name_keys, data["first"], False),
        ("normalize_country", std.normalize_country, data["countries"], False),
        ("normalize_phone", std.normalize_phone, data["phones"], True),
    ]
    print(f"{'function':<24}{'distinct':>9}{'cold µs':>10}{'warm µs':>10}")
    for name, function, values, star in cases:
        _clear()
        cold = _time(function, values, star)
        warm = _time(function, values, star)
        print(f"{name:<24}{len(set(values)):>9}{cold:>10.1f}{warm:>10.2f}")


if __name__ == "__main__":
    main()
