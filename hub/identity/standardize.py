"""Standardisation for identity matching: the forms values are compared in, never the stored ones.

Each function is total (any ``str`` or None in, a value or None out, never an exception) and
cached, because the matcher calls it per record per page::

    registrable_domain("https://www.Acme.co.uk/about?x")   # "acme.co.uk"
    domain_root("acme.co.uk")                              # "acme"
    is_free_mail("googlemail.com")                         # True
    normalize_email(" Jane+CS@Sales.Acme.DE ")             # "jane+cs@sales.acme.de" (+tags kept)
    email_domain("jane@sales.acme.de")                     # "acme.de"
    normalize_org_name("Müller GmbH & Co. KG")             # "muller"
    normalize_country("Deutschland")                       # "DE"
    normalize_phone("030 1234567", "DE")                   # "+49301234567"
    normalize_person_name("Dr. José O'Brien Jr.")          # "jose obrien"
    first_name_keys("Bob")                                 # {"bob", "robert", "rob", ...}

Libraries (docs/adr/0010-standardisation-libraries.md): tldextract with its bundled public-suffix
snapshot only (no download, no cache on disk; PSL private domains count as suffixes, so
``acme.github.io`` is its own registrable domain), phonenumbers, pycountry (+ its gettext
translations for native names), nicknames. Domains come back ASCII (IDNA, "xn--…") so that a
mapped ``primary_domain`` and a raw URL standardise alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from tldextract import TLDExtract

__all__ = [
    "domain_root",
    "email_domain",
    "first_name_keys",
    "is_free_mail",
    "name_tokens",
    "normalize_country",
    "normalize_email",
    "normalize_org_name",
    "normalize_person_name",
    "normalize_phone",
    "registrable_domain",
]

_CACHE = 65536  # entries per function: page values repeat (countries, domains, free-mail hosts)
_MAX_HOST_INPUT = 2048  # a URL longer than this is junk for matching
_MAX_NAME_INPUT = 512  # names are cut here before standardising (matching only needs the start)
_MAX_COUNTRY_INPUT = 100
_MAX_PHONE_INPUT = 100
_MAX_EMAIL = 320

# ---------------------------------------------------------------------------------------------------
# text folding shared by names and countries

# Combining marks of Latin/Greek/Cyrillic decompositions; marks of other scripts (Devanagari vowel
# signs, kana voicing marks) carry meaning and stay.
_DIACRITICS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Latin letters NFKD does not decompose.
_LETTERS = str.maketrans(
    {"ø": "o", "đ": "d", "ð": "d", "ł": "l", "ħ": "h", "\u0131": "i", "ŧ": "t", "þ": "th", "æ": "ae", "œ": "oe"}
)
_APOSTROPHES = str.maketrans("", "", "'\u2019\u2018`\u00b4\u02bc")
# ASCII punctuation, symbols and controls -> space (apostrophes are removed before this)
_ASCII_PUNCT = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _fold(text: str) -> str:
    """Case-folded, accents stripped (NFKD), apostrophes removed; scripts other than Latin kept."""
    text = text.casefold().translate(_APOSTROPHES)
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text)
    text = _DIACRITICS.sub("", text).translate(_LETTERS)
    return unicodedata.normalize("NFC", text)


def _words(folded: str) -> list[str]:
    """Tokens of folded text: punctuation, symbols, controls and spaces separate words."""
    if folded.isascii():
        return folded.translate(_ASCII_PUNCT).split()
    chars = [
        c if c.isalnum() or unicodedata.category(c)[0] == "M" else " "  # keep marks of non-Latin scripts
        for c in folded
    ]
    return "".join(chars).split()


def _join_initials(tokens: list[str]) -> list[str]:
    """Runs of one-letter tokens become one token: "l l c" -> "llc", "s p a" -> "spa", "u s a" -> "usa"."""
    out: list[str] = []
    run = ""
    for token in tokens:
        if len(token) == 1 and token.isalpha():
            run += token
            continue
        if run:
            out.append(run)
            run = ""
        out.append(token)
    if run:
        out.append(run)
    return out


# ---------------------------------------------------------------------------------------------------
# domains and email

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:")
_PATH_START = re.compile(r"[/?#\\]")
_UNICODE_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_HOST = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})")
_LOCAL_PART = re.compile(r"(?!\.)(?!.*\.\.)[^\s\x00-\x1f\x7f@\"(),:;<>\[\]\\]{1,64}(?<!\.)")


def ascii_host(host: str) -> str | None:
    """``host`` lower-case and IDNA-encoded when it is a syntactically valid DNS name, else None.

    Shared with ``hub.mapping.transforms`` so that mapped values and matching keys agree.
    """
    host = host.translate(_UNICODE_DOTS).rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except (UnicodeError, ValueError):
            return None
    host = host.lower()
    return host if _HOST.fullmatch(host) else None


def _host_of(text: str) -> str | None:
    """The host name in a URL, bare host or email address (lower-case, ASCII), else None."""
    text = text.strip().lower()
    if text.startswith("mailto:"):
        text = text[7:]
    scheme = _SCHEME.match(text)
    if scheme and text[scheme.end() : scheme.end() + 2] == "//":
        text = text[scheme.end() + 2 :]
    elif text.startswith("//"):
        text = text[2:]
    text = _PATH_START.split(text, maxsplit=1)[0]
    if "@" in text:
        text = text.rsplit("@", 1)[1]  # user:password@host, or an email address
    if text.startswith("["):
        return None  # IPv6 literal
    if ":" in text:
        text, _, port = text.partition(":")
        if port and not port.isdigit():
            return None
    return ascii_host(text)


@lru_cache(maxsize=1)
def _extractor() -> TLDExtract:
    """tldextract on its bundled PSL snapshot: no URL to fetch, no cache directory to write."""
    import tldextract  # deferred: it pulls in requests

    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True, include_psl_private_domains=True
    )


@lru_cache(maxsize=_CACHE)
def _split_domain(text: str) -> tuple[str, str] | None:
    """(registrable label, public suffix) of the host in ``text``, else None."""
    host = _host_of(text)
    if host is None:
        return None
    parts = _extractor().extract_str(host)
    if not parts.domain or not parts.suffix:
        return None  # an unknown TLD, a bare public suffix ("co.uk"), an IP address
    return parts.domain, parts.suffix


def registrable_domain(value: str | None) -> str | None:
    """The registrable domain (eTLD+1) of a URL, host or email: "https://www.Acme.co.uk/x" -> "acme.co.uk".

    IP addresses, single labels ("localhost"), unknown TLDs, bare public suffixes and junk give None.
    """
    if not value or len(value) > _MAX_HOST_INPUT:
        return None
    parts = _split_domain(value)
    return None if parts is None else f"{parts[0]}.{parts[1]}"


def domain_root(domain: str | None) -> str | None:
    """The registrable label without its public suffix: "acme.co.uk" -> "acme" (ASCII/IDNA form)."""
    if not domain or len(domain) > _MAX_HOST_INPUT:
        return None
    parts = _split_domain(domain)
    return None if parts is None else parts[0]


# Free and ISP mailbox providers: a shared domain says nothing about the company behind an address.
_FREE_MAIL_ROOTS = _wordset("hotmail yahoo ymail rocketmail yandex gmx outlook windowslive")  # under any suffix
_FREE_MAIL = _wordset(
    """
    gmail.com googlemail.com google.com
    outlook.com hotmail.com live.com live.co.uk live.fr live.de live.it live.nl live.be live.ca live.com.au
    live.se live.dk live.no live.at live.ch live.ie live.cl live.com.mx live.com.ar live.in live.jp live.ru
    msn.com passport.com windowslive.com
    yahoo.com ymail.com rocketmail.com aol.com aim.com aol.co.uk aol.de aol.fr verizon.net att.net sbcglobal.net
    bellsouth.net pacbell.net ameritech.net flash.net nvbell.net prodigy.net snet.net swbell.net wans.net
    comcast.net xfinity.com charter.net spectrum.net cox.net earthlink.net mindspring.com juno.com netzero.com
    netzero.net frontier.com frontiernet.net centurylink.net embarqmail.com windstream.net optonline.net
    optimum.net roadrunner.com rr.com twc.com mac.com me.com icloud.com
    proton.me protonmail.com protonmail.ch pm.me tutanota.com tutanota.de tuta.io tutamail.com mailfence.com
    posteo.de posteo.net hushmail.com fastmail.com fastmail.fm runbox.com zoho.com zohomail.com zohomail.eu
    mail.com email.com usa.com consultant.com engineer.com europe.com myself.com post.com techie.com
    writeme.com iname.com cheerful.com dr.com
    gmx.de gmx.net gmx.at gmx.ch gmx.com gmx.fr gmx.co.uk web.de freenet.de t-online.de arcor.de
    vodafone.de online.de 1und1.de kabelmail.de unitybox.de mail.de emailn.de
    orange.fr wanadoo.fr free.fr laposte.net sfr.fr neuf.fr club-internet.fr bbox.fr numericable.fr
    aliceadsl.fr voila.fr orange.com
    libero.it virgilio.it tin.it alice.it tiscali.it email.it inwind.it iol.it fastwebnet.it
    telefonica.net terra.es ya.com movistar.es
    sapo.pt clix.pt netcabo.pt iol.pt
    ziggo.nl kpnmail.nl planet.nl home.nl hetnet.nl chello.nl casema.nl xs4all.nl hotmail.nl
    telenet.be skynet.be proximus.be scarlet.be
    bluewin.ch hispeed.ch sunrise.ch
    chello.at aon.at
    btinternet.com btopenworld.com sky.com virginmedia.com ntlworld.com blueyonder.co.uk talktalk.net
    tiscali.co.uk lineone.net orange.net wanadoo.co.uk
    eircom.net
    telia.com telia.se comhem.se bredband.net spray.se home.se
    online.no telenet.no
    kolumbus.fi luukku.com suomi24.fi
    wp.pl o2.pl onet.pl op.pl interia.pl poczta.fm gazeta.pl tlen.pl
    seznam.cz centrum.cz atlas.cz email.cz volny.cz
    freemail.hu citromail.hu
    abv.bg mail.bg
    mail.ru inbox.ru list.ru bk.ru internet.ru rambler.ru ya.ru yandex.ru yandex.com
    ukr.net i.ua meta.ua
    qq.com foxmail.com 163.com 126.com yeah.net sina.com sina.cn sohu.com aliyun.com 139.com 189.cn 21cn.com
    tom.com wo.cn
    naver.com hanmail.net daum.net nate.com kakao.com
    yahoo.co.jp docomo.ne.jp ezweb.ne.jp softbank.ne.jp au.com nifty.com biglobe.ne.jp ocn.ne.jp
    so-net.ne.jp
    rediffmail.com rediff.com sify.com vsnl.net indiatimes.com
    bigpond.com bigpond.net.au optusnet.com.au iinet.net.au tpg.com.au on.net westnet.com.au
    dodo.com.au adam.com.au ozemail.com.au
    xtra.co.nz orcon.net.nz slingshot.co.nz
    uol.com.br bol.com.br terra.com.br ig.com.br globo.com globomail.com r7.com
    prodigy.net.mx
    shaw.ca rogers.com sympatico.ca videotron.ca telus.net bell.net cogeco.ca
    mweb.co.za telkomsa.net vodamail.co.za webmail.co.za
    walla.co.il
    """
)


def is_free_mail(domain: str | None) -> bool:
    """True for free-mail and ISP mailbox domains (gmail.com, hotmail.*, yahoo.*, gmx.de, qq.com, ...).

    Takes a domain, a URL or an email address; subdomains count ("mail.yahoo.co.uk").
    """
    if not domain or len(domain) > _MAX_HOST_INPUT:
        return False
    parts = _split_domain(domain)
    if parts is None:
        return False
    return parts[0] in _FREE_MAIL_ROOTS or f"{parts[0]}.{parts[1]}" in _FREE_MAIL


@lru_cache(maxsize=_CACHE)
def _email(text: str) -> str | None:
    email = text.strip().lower()
    if email.startswith("mailto:"):
        email = email[7:]
    local, at, domain = email.rpartition("@")
    if not at or not _LOCAL_PART.fullmatch(local):
        return None
    host = ascii_host(domain)
    return None if host is None else f"{local}@{host}"


def normalize_email(value: str | None) -> str | None:
    """Trimmed, lower-cased address ("mailto:" dropped, "+tags" kept); None when not an address."""
    if not value or len(value) > _MAX_EMAIL + 16:
        return None
    return _email(value)


def email_domain(value: str | None) -> str | None:
    """The registrable domain of an address's domain part: "jane@sales.acme.de" -> "acme.de"."""
    email = normalize_email(value)
    return None if email is None else registrable_domain(email.rpartition("@")[2])


# ---------------------------------------------------------------------------------------------------
# organisation names

# Legal forms, as tokens after folding, joining initials ("s.p.a." -> "spa", "a/s" -> "as") and
# "&" -> "and"; comma-separated, several words where the form has several.
_LEGAL_FORMS_TEXT = """
inc, incorporated, llc, lc, ltd, limited, corp, corporation, co, company, plc, llp, lp, lllp, pllc, pc, dac,
uc, cic, limited liability company, limited partnership, public limited company, and co, and company,
gmbh, mbh, gesmbh, ag, kg, kgaa, ohg, gbr, ug, ug haftungsbeschrankt, se, ev, eg, ek, gmbh and co kg,
gmbh co kg, gmbh and co kgaa, ag and co kg, ag and co kgaa, se and co kg, and co kg, co kg, and co ohg,
sa, sas, sasu, sarl, eurl, sca, snc, sci, scs, scop, selarl, sagl,
bv, nv, vof, cv, cvba, bvba, vzw, scrl, sprl, srl,
pty, pty ltd, nl, pvt, pvt ltd, private limited, opc,
ab, abp, publ, as, asa, aps, oy, oyj, ky, hf, ehf,
spa, srls, sapa, scarl, sl, slu, sll, sau, lda, sgps,
kk, kabushiki kaisha, kabushikigaisha, gk, yk, godo kaisha,
bhd, sdn bhd, pte, pte ltd, tbk, ltda, sa de cv, sab, sab de cv, de cv, s de rl, s de rl de cv, eireli,
sro, vos, spzoo, sp zoo, ska, kft, zrt, nyrt, rt, doo, dd, ad, ood, eood, ooo, zao, oao, pao, ltd sti, sti
"""
_LEGAL_FORMS: frozenset[tuple[str, ...]] = frozenset(
    tuple(entry.split()) for entry in _LEGAL_FORMS_TEXT.split(",") if entry.strip()
)
_LONGEST_FORM = max(len(form) for form in _LEGAL_FORMS)
_LEADING_FORMS = frozenset(("the", "pt", "ooo", "oao", "zao", "pao"))
_AND = str.maketrans({"&": " and ", "+": " and "})


def _strip_legal_forms(tokens: list[str]) -> list[str]:
    """Drop a leading article, then legal forms at the end (repeatedly, longest first); never all tokens."""
    start = 0
    while len(tokens) - start > 1 and tokens[start] in _LEADING_FORMS:
        start += 1
    tokens = tokens[start:]
    end = len(tokens)
    while end > 1:
        for size in range(min(_LONGEST_FORM, end - 1), 0, -1):
            if tuple(tokens[end - size : end]) in _LEGAL_FORMS:
                end -= size
                break
        else:
            break
    return tokens[:end]


@lru_cache(maxsize=_CACHE)
def _org_name(text: str) -> str | None:
    tokens = _join_initials(_words(_fold(text).translate(_AND)))
    if not tokens:
        return None
    return " ".join(_strip_legal_forms(tokens))


def normalize_org_name(value: str | None) -> str | None:
    """Organisation name for comparison: "Acme, Inc." / "ACME Inc" / "acme incorporated" -> "acme".

    Case-folded, accents stripped, "&"/"+" -> "and", punctuation -> space, dotted initials joined
    ("S.p.A." -> "spa"), legal forms removed at the end (repeatedly: "Acme Co., Ltd." -> "acme") and a
    leading "the" dropped -- but never every token ("The Company Ltd" -> "company"). None when empty.
    """
    if not value:
        return None
    return _org_name(value[:_MAX_NAME_INPUT])


def name_tokens(normalized: str | None) -> list[str]:
    """The tokens of a normalised name, in order ("smith and sons" -> ["smith", "and", "sons"])."""
    return normalized.split() if normalized else []


# ---------------------------------------------------------------------------------------------------
# people

_HONORIFICS = _wordset(
    "mr mrs ms miss mx dr prof professor sir dame madam mister herr frau mme mlle sr sra srta dott ing"
)
_NAME_SUFFIXES = _wordset("jr jnr junior sr snr senior ii iii iv phd md dds esq mba cpa")
_PERSON_NOISE = _HONORIFICS | _NAME_SUFFIXES


@lru_cache(maxsize=_CACHE)
def _person_name(text: str) -> str | None:
    tokens = _words(_fold(text))
    kept = [token for token in tokens if token not in _PERSON_NOISE]
    if not kept:
        kept = tokens  # "Sr" alone is somebody's name, not nothing
    return " ".join(kept) or None


def normalize_person_name(value: str | None) -> str | None:
    """Person name for comparison: case-folded, accents and punctuation dropped, honorifics
    (mr, mrs, ms, dr, prof, ...) and suffixes (jr, sr, ii, iii, phd, ...) removed; hyphens split
    ("Jean-Luc" -> "jean luc"), apostrophes join ("O'Brien" -> "obrien"). None when empty."""
    if not value:
        return None
    return _person_name(value[:_MAX_NAME_INPUT])


@lru_cache(maxsize=1)
def _nicknamer() -> Any:
    from nicknames import NickNamer  # deferred: reads a 70 KB CSV

    return NickNamer()


@lru_cache(maxsize=_CACHE)
def _first_name_keys(name: str) -> frozenset[str]:
    namer = _nicknamer()
    keys = {name}
    keys.update(namer.nicknames_of(name))
    keys.update(namer.canonicals_of(name))
    return frozenset(keys)


def first_name_keys(first: str | None) -> frozenset[str]:
    """The normalised first name plus its nickname equivalents (both directions, one hop):
    "Robert" -> {"robert", "bob", "rob", "bobby", ...}; "Bob" contains "robert"; an unknown name
    gives {name}; None or blank gives an empty set. Two first names agree when one's normalised form
    is in the other's keys (intersecting the sets is looser: "robert" and "william" share "bill")."""
    name = normalize_person_name(first)
    if name is None:
        return frozenset()
    return _first_name_keys(name)


# ---------------------------------------------------------------------------------------------------
# countries

# Aliases pycountry does not know (its names and gettext translations cover the rest).
_COUNTRY_ALIASES: dict[str, Iterable[str]] = {
    "US": ("usa", "us", "united states", "united states of america", "america", "the states", "us of a"),
    "GB": (
        "uk",
        "united kingdom",
        "great britain",
        "britain",
        "england",
        "scotland",
        "wales",
        "cymru",
        "northern ireland",
        "ulster",
    ),
    "NL": ("holland", "netherlands the", "nederland"),
    "KR": ("south korea", "korea", "republic of korea", "korea south", "rok", "s korea", "korea rep"),
    "KP": ("north korea", "dprk", "korea north", "democratic peoples republic of korea"),
    "CZ": ("czech republic", "czechia", "czech"),
    "TR": ("turkey", "turkiye"),
    "AE": ("uae", "emirates", "the emirates"),
    "RU": ("russia", "russian federation", "rossiya"),
    "VN": ("vietnam", "viet nam"),
    "IN": ("bharat", "hindustan", "bharat ganarajya"),
    "CN": ("china", "prc", "mainland china", "peoples republic of china"),
    "TW": ("taiwan", "chinese taipei"),
    "HK": ("hong kong", "hong kong sar", "hongkong"),
    "MO": ("macau", "macao", "macau sar"),
    "IR": ("iran",),
    "SY": ("syria",),
    "LA": ("laos",),
    "BO": ("bolivia",),
    "VE": ("venezuela",),
    "TZ": ("tanzania",),
    "MD": ("moldova",),
    "BN": ("brunei",),
    "FM": ("micronesia",),
    "CI": ("ivory coast", "cote divoire"),
    "CV": ("cape verde", "cabo verde"),
    "TL": ("east timor", "timor leste"),
    "MM": ("burma", "myanmar"),
    "SZ": ("swaziland", "eswatini"),
    "MK": ("macedonia", "north macedonia", "fyrom"),
    "PS": ("palestine", "state of palestine"),
    "VA": ("vatican", "vatican city", "holy see"),
    "CD": ("drc", "dr congo", "democratic republic of congo", "congo kinshasa", "zaire"),
    "CG": ("congo brazzaville", "republic of congo"),
    "SA": ("ksa", "kingdom of saudi arabia"),
    "BA": ("bosnia",),
    "XK": ("kosovo", "xk", "xkx"),  # user-assigned code, used by phonenumbers and the EU
    "CH": ("swiss confederation", "schweiz", "suisse", "svizzera", "confoederatio helvetica", "helvetia"),
    "DE": ("deutschland", "allemagne", "germany", "brd", "frg"),
    "AT": ("osterreich",),
    "ES": ("espana",),
    "FR": ("frankreich",),
    "IE": ("eire", "republic of ireland"),
    "GR": ("hellas",),
    "FK": ("falklands",),
}
_ST = re.compile(r"\bst\b")


def _country_key(text: str) -> str:
    tokens = _join_initials(_words(_fold(text).translate(_AND).replace(".", "")))
    key = " ".join(tokens)
    return _ST.sub("saint", key) if "st" in tokens else key


# Languages whose country names partner data shows up with (gettext catalogues shipped by pycountry).
_TRANSLATION_LANGUAGES = sorted(_wordset("de fr es it nl pt sv da nb_NO fi pl cs hu ro tr el ru ja ko zh_CN ar id vi"))


@lru_cache(maxsize=1)
def _country_index() -> tuple[dict[str, str], dict[str, str]]:
    """(lookup key -> alpha-2, numeric -> alpha-2), built once from pycountry and the aliases."""
    import gettext

    import pycountry

    index: dict[str, str] = {}
    numeric: dict[str, str] = {}
    names: list[tuple[str, str]] = []  # (English name, alpha-2)
    for country in pycountry.countries:
        numeric[country.numeric] = country.alpha_2
        for code in (country.alpha_2, country.alpha_3):
            index.setdefault(code.lower(), country.alpha_2)
        for field in ("name", "official_name", "common_name"):
            name = getattr(country, field, None)
            if name:
                names.append((name, country.alpha_2))
    for alpha2, aliases in _COUNTRY_ALIASES.items():
        for alias in aliases:
            index[_country_key(alias)] = alpha2
    for name, alpha2 in names:
        index.setdefault(_country_key(name), alpha2)
    translated: dict[str, set[str]] = {}
    for language in _TRANSLATION_LANGUAGES:
        try:
            gettext_ = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language]).gettext
        except OSError:
            continue
        for name, alpha2 in names:
            native = gettext_(name)
            if native != name:
                translated.setdefault(_country_key(native), set()).add(alpha2)
    for key, codes in translated.items():
        if len(codes) == 1 and key:
            index.setdefault(key, next(iter(codes)))  # an ambiguous translation is left out
    return index, numeric


_FUZZY_QUERY = re.compile(r"[a-z][a-z ]{3,40}")


def _fuzzy_country(key: str) -> str | None:
    """pycountry's fuzzy search, trusted only when it finds exactly one country."""
    if not _FUZZY_QUERY.fullmatch(key):
        return None
    import pycountry

    try:
        found = pycountry.countries.search_fuzzy(key)
    except Exception:  # LookupError when nothing matches; fuzzy search is best effort
        return None
    return found[0].alpha_2 if len(found) == 1 else None


# Placeholders that would otherwise fold into a code ("n/a" -> "na", Namibia).
_NOT_COUNTRIES = frozenset(
    (
        "n/a",
        "n.a.",
        "n. a.",
        "n/a.",
        "-",
        "--",
        "?",
        "none",
        "null",
        "nil",
        "unknown",
        "other",
        "tbd",
        "not specified",
        "not applicable",
    )
)


@lru_cache(maxsize=_CACHE)
def _country(text: str) -> str | None:
    index, numeric = _country_index()
    stripped = text.strip()
    if stripped.casefold() in _NOT_COUNTRIES:
        return None
    if stripped.isdigit() and len(stripped) <= 3:
        return numeric.get(stripped.zfill(3))
    key = _country_key(stripped)
    if not key:
        return None
    code = index.get(key)
    if code is None and key.startswith("the "):
        code = index.get(key[4:])
    if code is None and key.endswith(" the"):
        code = index.get(key[:-4])
    return code if code is not None else _fuzzy_country(key)


def normalize_country(value: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code of a code (alpha-2/alpha-3/numeric), name, native name or alias.

    "USA", "U.S.A.", "United States of America", "England", "Deutschland", "Holland", "Schweiz",
    "Türkiye", "Bharat", "276" all resolve; case, accents and punctuation do not matter. Unknown or
    ambiguous text gives None ("Kosovo" gives the user-assigned "XK").
    """
    if not value or len(value) > _MAX_COUNTRY_INPUT:
        return None
    return _country(value)


# ---------------------------------------------------------------------------------------------------
# phones


@lru_cache(maxsize=1)
def _phone_regions() -> frozenset[str]:
    import phonenumbers

    return frozenset(phonenumbers.SUPPORTED_REGIONS)


def _region(region: str | None) -> str | None:
    if not region:
        return None
    region = region.strip().upper()
    if region == "UK":
        region = "GB"
    return region if region in _phone_regions() else None


@lru_cache(maxsize=_CACHE)
def _phone(text: str, region: str | None) -> str | None:
    import phonenumbers

    number = text.strip()
    if number.startswith("00"):
        number = "+" + number[2:]  # 00 is the international prefix nearly everywhere; no national number starts so
    try:
        parsed = phonenumbers.parse(number, region)
    except Exception:  # NumberParseException, and nothing else may escape
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_phone(value: str | None, default_region: str | None = None) -> str | None:
    """E.164 ("+49301234567") of a valid phone number, else None; extensions are dropped.

    Numbers written with "+CC" or "00CC" parse whatever ``default_region`` is; national numbers
    ("030 1234567") are read in ``default_region`` (an ISO alpha-2 code phonenumbers supports).
    """
    if not value or len(value) > _MAX_PHONE_INPUT:
        return None
    return _phone(value, _region(default_region))
