"""Minimal standardisation for matching (interim: replaced by the library-backed module of ADR 10)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers
import pycountry
import tldextract

_EX = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
FREE = frozenset(
    {"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com", "gmx.de", "web.de",
     "aol.com", "proton.me", "live.com"}
)  # fmt: skip
LEGAL = frozenset(
    {"inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company", "plc", "gmbh", "ag",
     "sa", "sas", "sarl", "bv", "nv", "pty", "pvt", "private", "llp", "lp", "kg", "oy", "ab", "spa", "srl"}
)  # fmt: skip
NICK = [
    {"robert", "bob", "rob", "bobby"}, {"william", "bill", "will"}, {"elizabeth", "liz", "beth"},
    {"michael", "mike"}, {"christopher", "chris"}, {"matthew", "matt"}, {"jennifer", "jen"},
    {"patricia", "pat"}, {"richard", "rick"}, {"joseph", "joe"}, {"thomas", "tom"}, {"daniel", "dan"},
    {"anthony", "tony"}, {"jessica", "jess"}, {"susan", "sue"}, {"sandra", "sandy"}, {"james", "jim"},
    {"david", "dave"}, {"charles", "charlie"},
]  # fmt: skip


def _fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=100_000)
def registrable_domain(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip().lower()
    if "@" in v:
        v = v.rsplit("@", 1)[1]
    r = _EX(v)
    return f"{r.domain}.{r.suffix}" if r.domain and r.suffix else None


def domain_root(domain: str | None) -> str | None:
    return (_EX(domain).domain or None) if domain else None


def is_free_mail(domain: str | None) -> bool:
    return bool(domain) and domain in FREE


def normalize_email(value: str | None) -> str | None:
    return value.strip().lower() if value and "@" in value else None


def email_domain(value: str | None) -> str | None:
    return registrable_domain(value.split("@", 1)[1]) if value and "@" in value else None


@lru_cache(maxsize=100_000)
def normalize_org_name(value: str | None) -> str | None:
    if not value:
        return None
    s = re.sub(r"[^\w\s]", " ", _fold(value).replace("&", " and ").replace("+", " and "))
    tokens = s.split()
    while len(tokens) > 1 and tokens[-1] in LEGAL:
        tokens.pop()
    return " ".join(tokens) or None


def name_tokens(normalized: str | None) -> list[str]:
    return normalized.split() if normalized else []


@lru_cache(maxsize=10_000)
def normalize_country(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(pycountry.countries.lookup(value.strip()).alpha_2)
    except LookupError:
        return {"usa": "US", "uk": "GB", "deutschland": "DE", "holland": "NL"}.get(value.strip().lower())


def normalize_phone(value: str | None, default_region: str | None = None) -> str | None:
    if not value:
        return None
    try:
        number = phonenumbers.parse(value, default_region or "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def normalize_person_name(value: str | None) -> str | None:
    return (re.sub(r"[^\w\s-]", "", _fold(value)).strip() or None) if value else None


def first_name_keys(first: str | None) -> frozenset[str]:
    if not first:
        return frozenset()
    out = {first}
    for group in NICK:
        if first in group:
            out |= group
    return frozenset(out)
