"""The standardisation layer the matcher compares values in: every function, offline PSL, totality."""

from __future__ import annotations

import os
import random
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hub.identity import standardize as std
from hub.identity.standardize import (
    domain_root,
    email_domain,
    first_name_keys,
    is_free_mail,
    name_tokens,
    normalize_country,
    normalize_email,
    normalize_org_name,
    normalize_person_name,
    normalize_phone,
    registrable_domain,
)

# --------------------------------------------------------------------------------------------------
# domains


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.Acme.co.uk/about?x", "acme.co.uk"),
        ("WWW.ACME.COM", "acme.com"),
        ("jane@sales.acme.de", "acme.de"),
        ("mailto:jane@acme.fr", "acme.fr"),
        ("acme.com", "acme.com"),
        ("acme.com.", "acme.com"),
        ("  http://shop.eu.acme.com:8080/en?q=1#top ", "acme.com"),
        ("https://user:pw@portal.acme.com.au/", "acme.com.au"),
        ("//cdn.acme.io", "acme.io"),
        ("acme.co.jp", "acme.co.jp"),
        ("www.infosys.co.in", "infosys.co.in"),
        ("Bücher.de", "xn--bcher-kva.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("www.com", "www.com"),
        ("acme.github.io", "acme.github.io"),  # PSL private domains are suffixes: one site per owner
        ("blog.acme.herokuapp.com", "acme.herokuapp.com"),
        ("ACME.CO.UK\\path", "acme.co.uk"),
    ],
)
def test_registrable_domain(raw: str, expected: str) -> None:
    assert registrable_domain(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "localhost",
        "http://localhost:8000/",
        "10.0.0.1",
        "http://192.168.1.20/admin",
        "[::1]",
        "http://[2001:db8::1]:443/",
        "co.uk",
        "com",
        "github.io",
        "n/a",
        "acme",
        "acme.notarealtld",
        "acme .com",
        "acme.com:http",
        "-acme.com",
        "jane@",
        "a" * 64 + ".com",
        "x." * 200 + "com",
    ],
)
def test_registrable_domain_rejects_what_is_not_one(raw: str | None) -> None:
    assert registrable_domain(raw) is None


def test_domain_root() -> None:
    assert domain_root("acme.co.uk") == "acme"
    assert domain_root("https://www.shop.acme.com.au/x") == "acme"
    assert domain_root("acme.github.io") == "acme"
    assert domain_root("Bücher.de") == "xn--bcher-kva"  # ASCII like registrable_domain, so it is its prefix
    assert domain_root("co.uk") is None
    assert domain_root(None) is None


@pytest.mark.parametrize(
    "domain",
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.co.uk",
        "hotmail.fr",
        "live.com",
        "yahoo.com",
        "yahoo.co.jp",
        "mail.yahoo.co.uk",
        "icloud.com",
        "gmx.de",
        "web.de",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "t-online.de",
        "qq.com",
        "163.com",
        "rediffmail.com",
        "proton.me",
        "aol.com",
        "mail.ru",
        "yandex.ru",
        "yandex.kz",
        "bigpond.com",
        "jane@GMAIL.com",
        "https://www.gmx.net/",
    ],
)
def test_free_mail(domain: str) -> None:
    assert is_free_mail(domain)


@pytest.mark.parametrize("domain", ["acme.com", "acme.co.uk", "gmail.acme.com", "notgmail.com", "", None, "junk"])
def test_not_free_mail(domain: str | None) -> None:
    assert not is_free_mail(domain)


def test_free_mail_list_is_a_few_hundred() -> None:
    assert len(std._FREE_MAIL) >= 250
    assert all(registrable_domain(domain) == domain for domain in std._FREE_MAIL)


# --------------------------------------------------------------------------------------------------
# email


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Jane.Doe+CS@Sales.Acme.DE ", "jane.doe+cs@sales.acme.de"),
        ("mailto:Bob@Acme.com", "bob@acme.com"),
        ("jane@bücher.de", "jane@xn--bcher-kva.de"),
        ("o'brien@acme.ie", "o'brien@acme.ie"),
    ],
)
def test_normalize_email(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "jane",
        "jane@",
        "@acme.com",
        "jane@localhost",
        "jane@acme",
        "ja ne@acme.com",
        "jane..doe@acme.com",
        ".jane@acme.com",
        "jane@acme..com",
        "ja\x00ne@acme.com",
        "jane@10.0.0.1",
        "a" * 65 + "@acme.com",
    ],
)
def test_normalize_email_rejects(raw: str | None) -> None:
    assert normalize_email(raw) is None


def test_email_domain() -> None:
    assert email_domain("jane@sales.acme.de") == "acme.de"
    assert email_domain(" Raj@Infosys.CO.IN ") == "infosys.co.in"
    assert email_domain("bob@gmail.com") == "gmail.com"
    assert email_domain("not an email") is None
    assert email_domain("jane@acme.example") is None  # a valid address, but no public suffix
    assert normalize_email("jane@acme.example") == "jane@acme.example"


# --------------------------------------------------------------------------------------------------
# organisation names


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Acme, Inc.", "acme"),
        ("ACME Inc", "acme"),
        ("acme incorporated", "acme"),
        ("Acme LLC", "acme"),
        ("Acme L.L.C.", "acme"),
        ("Acme Corp.", "acme"),
        ("Acme Corporation", "acme"),
        ("Acme Co., Ltd.", "acme"),
        ("Acme Company", "acme"),
        ("Acme plc", "acme"),
        ("Acme LLP", "acme"),
        ("Smith & Sons Ltd.", "smith and sons"),
        ("Smith + Sons Limited", "smith and sons"),
        ("Müller GmbH", "muller"),
        ("Müller GmbH & Co. KG", "muller"),
        ("Siemens AG", "siemens"),
        ("Startup UG (haftungsbeschränkt)", "startup"),
        ("Förderverein e.V.", "forderverein"),
        ("Allianz SE", "allianz"),
        ("Société Générale S.A.", "societe generale"),
        ("Dupont SAS", "dupont"),
        ("Dupont SARL", "dupont"),
        ("Philips N.V.", "philips"),
        ("Acme B.V.", "acme"),
        ("Acme BV", "acme"),
        ("Acme Pty Ltd", "acme"),
        ("Acme Pty. Limited", "acme"),
        ("Infosys Pvt. Ltd.", "infosys"),
        ("Infosys Private Limited", "infosys"),
        ("Volvo AB (publ)", "volvo"),
        ("Maersk A/S", "maersk"),
        ("Equinor ASA", "equinor"),
        ("Nokia Oyj", "nokia"),
        ("Fiat S.p.A.", "fiat"),
        ("Acme S.r.l.", "acme"),
        ("Acme S.L.", "acme"),
        ("Acme, Lda", "acme"),
        ("Toyota K.K.", "toyota"),
        ("Acme Sp. z o.o.", "acme"),
        ("Acme s.r.o.", "acme"),
        ("Cemex S.A.B. de C.V.", "cemex"),
        ("Ørsted A/S", "orsted"),
        ("The Boeing Company", "boeing"),
        ("  The   Acme   Group  ", "acme group"),
        ("A.C.M.E. Corp", "acme"),
        ("AT&T Inc.", "at and t"),
        ("McDonald's Corporation", "mcdonalds"),
    ],
)
def test_normalize_org_name(raw: str, expected: str) -> None:
    assert normalize_org_name(raw) == expected


def test_org_name_spellings_agree() -> None:
    assert normalize_org_name("Acme, Inc.") == normalize_org_name("ACME Inc") == normalize_org_name("acme incorporated")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("The Company Ltd", "company"), ("Ltd", "ltd"), ("The", "the"), ("Company Inc", "company"), ("GmbH", "gmbh")],
)
def test_org_name_is_never_stripped_to_nothing(raw: str, expected: str) -> None:
    assert normalize_org_name(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "   ", "...", "---", "()", "\x00\x01"])
def test_org_name_without_words_is_none(raw: str | None) -> None:
    assert normalize_org_name(raw) is None


def test_name_tokens() -> None:
    assert name_tokens(normalize_org_name("Smith & Sons Ltd.")) == ["smith", "and", "sons"]
    assert name_tokens("acme") == ["acme"]
    assert name_tokens(None) == []
    assert name_tokens("") == []


def test_org_name_keeps_other_scripts() -> None:
    assert normalize_org_name("株式会社トヨタ") == "株式会社トヨタ"
    cyrillic = "\u041e\u041e\u041e \u0420\u043e\u043c\u0430\u0448\u043a\u0430"  # "OOO Romashka" in Cyrillic
    assert normalize_org_name(cyrillic) == cyrillic.casefold()  # Cyrillic legal forms are not stripped
    assert normalize_org_name("टाटा मोटर्स") == "टाटा मोटर्स"  # Devanagari vowel signs survive


# --------------------------------------------------------------------------------------------------
# countries


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("US", "US"),
        ("us", "US"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("U.S.", "US"),
        ("United States", "US"),
        ("United States of America", "US"),
        ("America", "US"),
        ("840", "US"),
        ("UK", "GB"),
        ("U.K.", "GB"),
        ("GBR", "GB"),
        ("Great Britain", "GB"),
        ("England", "GB"),
        ("Scotland", "GB"),
        ("Wales", "GB"),
        ("Northern Ireland", "GB"),
        ("Deutschland", "DE"),
        ("Allemagne", "DE"),
        ("Germany", "DE"),
        ("DEU", "DE"),
        ("276", "DE"),
        ("Holland", "NL"),
        ("The Netherlands", "NL"),
        ("Nederland", "NL"),
        ("Netherlands, The", "NL"),
        ("Frankreich", "FR"),
        ("España", "ES"),
        ("espana", "ES"),
        ("Schweiz", "CH"),
        ("Suisse", "CH"),
        ("Svizzera", "CH"),
        ("Österreich", "AT"),
        ("Bharat", "IN"),
        ("India", "IN"),
        ("Republic of Korea", "KR"),
        ("South Korea", "KR"),
        ("Korea, Republic of", "KR"),
        ("North Korea", "KP"),
        ("Czechia", "CZ"),
        ("Czech Republic", "CZ"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("UAE", "AE"),
        ("U.A.E.", "AE"),
        ("Russia", "RU"),
        ("Vietnam", "VN"),
        ("Viet Nam", "VN"),
        ("Italia", "IT"),
        ("Brasil", "BR"),
        ("México", "MX"),
        ("Sverige", "SE"),
        ("Polska", "PL"),
        ("日本", "JP"),
        ("Côte d'Ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("St. Lucia", "LC"),
        ("Trinidad & Tobago", "TT"),
        ("Bosnia and Herzegovina", "BA"),
        ("Hong Kong SAR", "HK"),
        ("Taiwan", "TW"),
        ("Kosovo", "XK"),
        ("  australia  ", "AU"),
        ("NA", "NA"),  # Namibia's code
    ],
)
def test_normalize_country(raw: str, expected: str) -> None:
    assert normalize_country(raw) == expected


@pytest.mark.parametrize(
    "raw", [None, "", "  ", "Wakanda", "n/a", "N/A", "unknown", "-", "XX", "999", "Atlantis", "Korea Atlantis"]
)
def test_normalize_country_unknown_is_none(raw: str | None) -> None:
    assert normalize_country(raw) is None


# --------------------------------------------------------------------------------------------------
# phones


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+1 (415) 555-0100", None, "+14155550100"),
        ("415.555.0100", "US", "+14155550100"),
        ("(212) 555-0142 ext. 7", "US", "+12125550142"),
        ("604 555 0199", "CA", "+16045550199"),
        ("+44 (0)20 7946 0958", None, "+442079460958"),
        ("0044 20 7946 0958", "US", "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("020 7946 0958", "uk", "+442079460958"),
        ("+49 30 1234567", None, "+49301234567"),
        ("+49 30 1234567", "FR", "+49301234567"),
        ("0049 30 1234567", None, "+49301234567"),
        ("030 1234567", "DE", "+49301234567"),
        ("01 23 45 67 89", "FR", "+33123456789"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("(02) 9876 5432", "AU", "+61298765432"),
        ("0412 345 678", "AU", "+61412345678"),
        ("020 123 4567", "NL", "+31201234567"),
        ("+91 98765 43210", None, "+919876543210"),
        ("98765 43210", "IN", "+919876543210"),
        ("011 44 20 7946 0958", "US", "+442079460958"),
    ],
)
def test_normalize_phone(raw: str, region: str | None, expected: str) -> None:
    assert normalize_phone(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        (None, "US"),
        ("", "US"),
        ("12345", "US"),
        ("call me", "US"),
        ("415 555 0100", None),  # national, and no region to read it in
        ("415 555 0100", "ZZ"),  # not a region
        ("+1 415 555 010", None),
        ("+0 123 4567", None),
        ("+49 12 345678", None),  # right shape, not a German number
        ("030 12", "DE"),
        ("+" * 99, None),
        ("0" * 99, "DE"),
    ],
)
def test_normalize_phone_rejects(raw: str | None, region: str | None) -> None:
    assert normalize_phone(raw, region) is None


# --------------------------------------------------------------------------------------------------
# people


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Dr. José O'Brien Jr.", "jose obrien"),
        ("Mrs. Jane Smith", "jane smith"),
        ("Prof. Dr. Hans Müller, PhD", "hans muller"),
        ("John Smith III", "john smith"),
        ("Mr John Smith Sr.", "john smith"),
        ("Jean-Luc Picard", "jean luc picard"),
        ("  ZOË   Saldaña ", "zoe saldana"),
        ("Łukasz Żółć", "lukasz zolc"),
        ("Søren Kierkegaard", "soren kierkegaard"),
        ("Ms", "ms"),  # never stripped to nothing
    ],
)
def test_normalize_person_name(raw: str, expected: str) -> None:
    assert normalize_person_name(raw) == expected


def test_normalize_person_name_blank() -> None:
    assert normalize_person_name(None) is None
    assert normalize_person_name(" .,- ") is None


def test_first_name_keys() -> None:
    robert = first_name_keys("Robert")
    assert {"robert", "bob", "rob", "bobby"} <= robert
    assert "robert" in first_name_keys("Bob")
    assert "robert" in first_name_keys("  BOBBY ")
    assert "william" in first_name_keys("Bill")
    assert "elizabeth" in first_name_keys("Liz")
    assert first_name_keys("Zorblax") == frozenset({"zorblax"})
    assert first_name_keys("José") >= {"jose"}
    assert first_name_keys(None) == frozenset()
    assert first_name_keys("  ") == frozenset()
    assert isinstance(robert, frozenset)


# --------------------------------------------------------------------------------------------------
# the public-suffix list is the bundled snapshot: no network, no cache on disk


def test_extractor_uses_only_the_bundled_snapshot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("tldextract tried to open a connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TLDEXTRACT_CACHE", str(tmp_path / "tldextract"))
    std._extractor.cache_clear()
    std._split_domain.cache_clear()
    try:
        extractor = std._extractor()
        assert extractor.suffix_list_urls == ()
        assert not extractor._cache.enabled
        assert registrable_domain("https://www.bbc.co.uk/news") == "bbc.co.uk"  # first call loads the PSL
        assert registrable_domain("a.b.example.com.au") == "example.com.au"
    finally:
        std._split_domain.cache_clear()
    assert list(tmp_path.iterdir()) == []  # no cache directory was created anywhere we pointed it


def test_importing_the_package_is_light() -> None:
    import subprocess
    import sys

    heavy = "('tldextract', 'requests', 'phonenumbers', 'pycountry', 'nicknames')"
    code = f"import sys, hub.identity.standardize; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ})
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------------------------------
# totality: any str in, a value of the right type out, never an exception

ONE_ARG: list[Callable[[Any], Any]] = [
    registrable_domain,
    domain_root,
    is_free_mail,
    normalize_email,
    email_domain,
    normalize_org_name,
    normalize_person_name,
    normalize_country,
    normalize_phone,
    first_name_keys,
]

HOSTILE = [
    "",
    " ",
    "\x00",
    "\x00" * 1000,
    "acme\x00.com",
    "+\x00\x01\x02",
    "\u202e\u200b\ufeff",
    "\ud800",  # a lone surrogate
    "💩@💩.💩",
    "http://",
    "https://[",
    "https://[::1",
    "://",
    "@",
    "@@@",
    "." * 300,
    "-" * 300,
    "xn--",
    "xn--zz.com",
    "a" * 1_000_000,
    "A. " * 100_000,
    ("Acme " * 50_000) + "Inc",
    "9" * 10_000,
    "+" + "1" * 10_000,
    "ext. 5",
    "00",
    "\t\n\r\v\f",
    "Ǆ ǅ ǆ ﬁ ß ẞ İ",
    "ﷺ" * 50,
    "\u0301\u0301\u0301",
    "%00%ff",
    "'; DROP TABLE orgs; --",
]


def _random_strings(count: int) -> list[str]:
    rng = random.Random(20261203)
    alphabet = "abcAZ09 .,-_@+/:&'()[]\\\x00\x7f\u00e9\u00df\u0130\u0301\u4e2d\u0416\u0928\u093f\U0001f600\ufffd"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40))) for _ in range(count)]


@pytest.mark.parametrize("function", [pytest.param(f, id=f.__name__) for f in ONE_ARG])
def test_functions_are_total(function: Callable[[Any], Any]) -> None:
    for value in [None, *HOSTILE, *_random_strings(500)]:
        result = function(value)
        if function is is_free_mail:
            assert isinstance(result, bool)
        elif function is first_name_keys:
            assert isinstance(result, frozenset) and all(isinstance(key, str) and key for key in result)
        else:
            assert result is None or (isinstance(result, str) and result), (function.__name__, value[:40])


@pytest.mark.parametrize("region", [None, "", "US", "de", "ZZ", "\x00", "United Kingdom", "a" * 1000])
def test_phone_is_total_in_any_region(region: str | None) -> None:
    for value in [*HOSTILE, *_random_strings(200), "030 1234567"]:
        result = normalize_phone(value, region)
        assert result is None or result.startswith("+")


def test_name_tokens_is_total() -> None:
    for value in [None, *HOSTILE]:
        assert isinstance(name_tokens(value), list)


def test_normalised_values_are_stable() -> None:
    """Standardising a standardised value changes nothing (keys built twice agree)."""
    for raw in ["Acme, Inc.", "Müller GmbH & Co. KG", "Smith & Sons Ltd.", "The Boeing Company", "AT&T Inc."]:
        once = normalize_org_name(raw)
        assert normalize_org_name(once) == once
    for raw in ["Dr. José O'Brien Jr.", "Jean-Luc Picard"]:
        once = normalize_person_name(raw)
        assert normalize_person_name(once) == once
    for raw in ["https://www.Acme.co.uk/x", "Bücher.de"]:
        once = registrable_domain(raw)
        assert registrable_domain(once) == once
    assert normalize_email(normalize_email(" A+b@X.com ")) == "a+b@x.com"
