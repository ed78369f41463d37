"""Word lists and small formatting helpers for the synthetic HubSpot world.

Everything here is a pure function of a ``random.Random`` passed in, so generation stays
deterministic.  Phone numbers use reserved fictional ranges (US 555-01xx, UK 020 7946 0xxx).
"""

from __future__ import annotations

import random
import re

NAME_HEADS = (
    "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent", "Hooli",
    "Vandelay", "Wonka", "Gringotts", "Oscorp", "Aperture", "Massive", "Dunder", "Pied", "Blue", "Red",
    "Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Adatum", "Proseware", "Lucerne", "Wingtip",
    "Alpine", "Coho", "Fourth", "Graphic", "Humongous", "Margie", "Trey", "Woodgrove", "Bluepeak",
    "Silverline", "Ironbridge", "Quantum", "Nimbus", "Vertex", "Polar", "Summit", "Harbor", "Beacon",
    "Cobalt", "Falcon", "Granite", "Helix", "Juniper", "Keystone", "Lumen", "Meridian", "Nova", "Orbit",
    "Pinnacle", "Quartz", "Redwood", "Sterling", "Titan", "Unity", "Vector", "Willow", "Zenith",
)  # fmt: skip
NAME_TAILS = (
    "Robotics", "Systems", "Labs", "Analytics", "Software", "Networks", "Logistics", "Health", "Capital",
    "Dynamics", "Solutions", "Data", "Cloud", "Energy", "Media", "Retail", "Foods", "Security", "Devices",
    "Consulting", "Partners", "Group", "Technologies", "Industries", "Digital", "Works", "Ventures",
)  # fmt: skip
#: legal forms by country (the generic English ones for countries not listed)
LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "US": ("Inc", "Inc.", "LLC", "Corp", "Corporation", "Co.", ""),
    "CA": ("Inc", "Inc.", "Ltd", "Corp", ""),
    "GB": ("Ltd", "Limited", "plc", "LLP", ""),
    "DE": ("GmbH", "AG", "GmbH & Co. KG", "SE"),
    "FR": ("SA", "SAS", "SARL"),
    "NL": ("B.V.", "BV", "N.V."),
    "AU": ("Pty Ltd", "Pty. Ltd.", "Limited"),
    "IN": ("Pvt Ltd", "Private Limited", "Pvt. Ltd.", "Ltd"),
}
#: every spelling of a legal form that ends a company name here (multi-word ones first)
LEGAL_ENDINGS: tuple[str, ...] = (
    "GmbH & Co. KG", "Private Limited", "Pvt. Ltd.", "Pvt Ltd", "Pty. Ltd.", "Pty Ltd", "Proprietary Limited",
    "Inc", "Inc.", "Incorporated", "LLC", "L.L.C.", "Llc", "Ltd", "Ltd.", "Limited", "GmbH", "Gmbh", "G.m.b.H.",
    "AG", "SE", "Corp", "Corp.", "Corporation", "Co.", "Co", "Company", "plc", "PLC", "Plc", "LLP", "SA", "S.A.",
    "SAS", "S.A.S.", "SARL", "S.à r.l.", "B.V.", "BV", "B.V", "N.V.", "NV",
)  # fmt: skip
LEGAL_SUFFIXES = ("Inc", "Inc.", "LLC", "Ltd", "GmbH", "Corp", "Corporation", "Co.", "plc", "")
#: other spellings of a legal form, as another system types it
LEGAL_VARIANTS: dict[str, tuple[str, ...]] = {
    "Inc": ("Inc.", "Incorporated", ", Inc."), "Inc.": ("Inc", "Incorporated", ", Inc."), "LLC": ("L.L.C.", "Llc"),
    "Ltd": ("Ltd.", "Limited"), "Limited": ("Ltd", "Ltd."), "GmbH": ("Gmbh", "G.m.b.H."), "AG": ("A.G.",),
    "GmbH & Co. KG": ("GmbH & Co KG", "GmbH"), "SE": ("S.E.",), "Corp": ("Corp.", "Corporation"),
    "Corporation": ("Corp.", "Corp"), "Co.": ("Company", "Co"), "plc": ("PLC", "Plc"), "LLP": ("L.L.P.",),
    "SA": ("S.A.",), "SAS": ("S.A.S.",), "SARL": ("S.à r.l.", "Sarl"), "B.V.": ("BV", "B.V"), "BV": ("B.V.",),
    "N.V.": ("NV",), "Pty Ltd": ("Pty. Ltd.", "Proprietary Limited", "PTY LTD"), "Pty. Ltd.": ("Pty Ltd",),
    "Pvt Ltd": ("Private Limited", "Pvt. Ltd."), "Private Limited": ("Pvt Ltd", "Pvt. Ltd."),
    "Pvt. Ltd.": ("Pvt Ltd", "Private Limited"),
}  # fmt: skip
#: company names in the style of a country: (heads, tails); other countries use NAME_HEADS / NAME_TAILS
LOCAL_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "DE": (("Müller", "Schneider", "Nordlicht", "Bergmann", "Weißenfels", "Schäfer", "Rheinland", "Alpen", "Hansa",
            "Köhler", "Fischer", "Elbtal"),
           ("Maschinenbau", "Logistik", "Software", "Systeme", "Technik", "Datentechnik", "Beratung", "Energie")),
    "FR": (("Lumière", "Dupont", "Bellevue", "Côte d'Azur", "Étoile", "Garnier", "Lefèvre", "Mercier", "Rivière",
            "Château"),
           ("Informatique", "Conseil", "Logiciels", "Systèmes", "Technologies", "Services", "Analytique")),
    "NL": (("Van der Berg", "De Vries", "Oranje", "Jansen", "Van Dijk", "Bakker", "Hollandia", "Zeeland", "Van Leeuwen",
            "Dijkstra"),
           ("Logistiek", "Data", "Techniek", "Software", "Groep", "Advies")),
    "AU": (("Southern Cross", "Kookaburra", "Outback", "Coral Sea", "Bondi", "Wattle", "Eucalypt", "Tasman", "Uluru",
            "Murray River"),
           ("Analytics", "Software", "Mining Services", "Logistics", "Digital", "Consulting", "Solutions")),
    "IN": (("Sharma", "Bharat", "Patel", "Lakshmi", "Ganga", "Sahyadri", "Reddy", "Mehta", "Deccan", "Kaveri",
            "Shree Ganesh"),
           ("Infotech", "Software Solutions", "Technologies", "Consultancy Services", "Systems", "Exports")),
}  # fmt: skip
COUNTRY_TLD = {"GB": "co.uk", "DE": "de", "FR": "fr", "NL": "nl", "AU": "com.au", "IN": "in", "CA": "ca"}
FREE_MAIL = ("gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "gmx.de", "yahoo.co.in")
FREE_MAIL_DOMAINS = frozenset((*FREE_MAIL, "proton.me", "googlemail.com", "icloud.com"))
PARTNER_WORDS = ("Channel", "Integrators", "IT Services", "Cloud Partners", "Advisors", "Reseller Group")
FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
    "Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Sandra", "Anthony", "Ashley", "Mark", "Emily",
    "Priya", "Wei", "Sofia", "Lukas", "Amelie", "Hiroshi", "Fatima", "Mateo", "Chloe", "Oliver",
    "Katherine", "Alexander", "Jonathan", "Margaret", "Nicholas", "Stephen", "Andrew", "Benjamin", "Samuel",
    "Rajesh", "Ananya", "Jürgen", "Sophie", "Thibault", "Daan", "Sanne", "Lachlan", "Isla",
)  # fmt: skip
LAST_NAMES = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Mueller",
    "Schmidt",
    "Dubois",
    "Rossi",
    "Tanaka",
    "Patel",
    "Nguyen",
    "Kowalski",
    "O'Brien",
    "Silva",
    "Müller",
    "Schäfer",
    "Lefèvre",
    "Van den Berg",
    "De Jong",
    "Iyer",
    "Krishnan",
    "Sharma",
    "McGregor",
    "Nguyen-Tran",
)
#: the short forms people use in one system and not in another
NICKNAMES: dict[str, str] = {
    "Robert": "Bob", "William": "Bill", "Elizabeth": "Liz", "Michael": "Mike", "Christopher": "Chris",
    "Matthew": "Matt", "Jennifer": "Jen", "Patricia": "Pat", "Richard": "Rick", "Joseph": "Joe", "Thomas": "Tom",
    "Daniel": "Dan", "Anthony": "Tony", "Jessica": "Jess", "Susan": "Sue", "Sandra": "Sandy", "James": "Jim",
    "David": "Dave", "Charles": "Charlie", "Katherine": "Kate", "Alexander": "Alex", "Jonathan": "Jon",
    "Margaret": "Peggy", "Nicholas": "Nick", "Stephen": "Steve", "Andrew": "Andy", "Benjamin": "Ben",
    "Samuel": "Sam", "Rajesh": "Raj", "Jürgen": "Juergen",
}  # fmt: skip
JOB_TITLES = (
    "CEO", "CTO", "VP Sales", "Head of Partnerships", "Channel Manager", "Account Executive",
    "Solutions Architect", "IT Director", "Procurement Manager", "Marketing Manager", "CFO",
    "Operations Manager", "Software Engineer", "Partner Success Manager", "Alliance Director",
)  # fmt: skip
PRODUCTS = ("Platform", "Analytics Add-on", "Enterprise License", "Support Plan", "Migration", "Renewal")

# country name (as typed in the CRM), ISO code, weight, cities
COUNTRIES: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    ("United States", "US", 55, ("San Francisco", "New York", "Austin", "Chicago", "Boston", "Seattle")),
    ("United Kingdom", "GB", 12, ("London", "Manchester", "Edinburgh", "Bristol")),
    ("Germany", "DE", 10, ("Berlin", "Munich", "Hamburg", "Frankfurt")),
    ("France", "FR", 7, ("Paris", "Lyon", "Toulouse")),
    ("Canada", "CA", 6, ("Toronto", "Vancouver", "Montreal")),
    ("Netherlands", "NL", 5, ("Amsterdam", "Rotterdam", "Utrecht")),
    ("Australia", "AU", 5, ("Sydney", "Melbourne", "Brisbane")),
    ("India", "IN", 5, ("Bengaluru", "Mumbai", "Pune", "Hyderabad")),
)
COUNTRY_SPELLINGS: dict[str, tuple[str, ...]] = {
    "United States": ("USA", "US", "United States of America"),
    "United Kingdom": ("UK", "Great Britain"),
    "Germany": ("Deutschland", "DE", "DEU", "Federal Republic of Germany"),
    "France": ("FR", "FRA", "République française"),
    "Netherlands": ("The Netherlands", "Holland", "NL", "Nederland"),
    "Australia": ("AU", "AUS", "Commonwealth of Australia"),
    "India": ("IN", "IND", "Republic of India", "Bharat"),
    "Canada": ("CA", "CAN"),
}
US_AREA_CODES = ("415", "212", "512", "312", "617", "206")


def pick_country(rng: random.Random) -> tuple[str, str, str]:
    """Return ``(country as typed, ISO code, city)``; country spelling varies now and then."""
    row = rng.choices(COUNTRIES, weights=[c[2] for c in COUNTRIES])[0]
    name, code, _, cities = row
    typed = name
    if name in COUNTRY_SPELLINGS and rng.random() < 0.12:
        typed = rng.choice(COUNTRY_SPELLINGS[name])
    return typed, code, rng.choice(cities)


CALLING_CODES = {"US": "1", "CA": "1", "GB": "44", "DE": "49", "FR": "33", "NL": "31", "AU": "61", "IN": "91"}
_ASCII = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "Ä": "Ae",
        "Ö": "Oe",
        "Ü": "Ue",
        "ß": "ss",
        "é": "e",
        "è": "e",
        "ê": "e",
        "É": "E",
        "à": "a",
        "â": "a",
        "ç": "c",
        "ô": "o",
        "î": "i",
        "ï": "i",
    }
)


def ascii_fold(text: str) -> str:
    """``Müller`` → ``Mueller``, ``Lefèvre`` → ``Lefevre`` (how another system, or a domain, spells it)."""
    return text.translate(_ASCII)


def slug(text: str, sep: str = "") -> str:
    """Lower-case ASCII letters and digits of ``text``; words joined by ``sep``."""
    words = re.findall(r"[a-z0-9]+", ascii_fold(text).lower())
    return sep.join(words)


def email_local(first: str, last: str) -> str:
    """``first.last`` as a mailbox: ``Jürgen Van den Berg`` → ``juergen.vandenberg``."""
    return ".".join(p for p in (slug(first), slug(last)) if p) or "contact"


def split_legal(name: str) -> tuple[str, str]:
    """``("Acme Robotics", "Pty Ltd")`` from ``Acme Robotics Pty Ltd`` (``(name, "")`` without a legal form)."""
    words = name.split()
    for k in (4, 3, 2, 1):
        if len(words) > k:
            form = " ".join(words[-k:])
            if form.lower() in _ENDINGS_LOWER:
                return " ".join(words[:-k]).rstrip(" ,"), form
    return name.strip(), ""


_ENDINGS_LOWER = frozenset(e.lower() for e in LEGAL_ENDINGS)


def legal_form(rng: random.Random, country_code: str) -> str:
    """A legal form usual in the country ("" = none)."""
    return rng.choice(LEGAL_FORMS.get(country_code, LEGAL_FORMS["US"]))


def company_base(rng: random.Random, country_code: str, partner: bool, attempt: int = 0) -> str:
    """A company name without legal form; local-style names for DE/FR/NL/AU/IN now and then.

    ``attempt`` (0, 1, ...) makes names longer so that callers avoiding names in use find a free one.
    """
    heads: tuple[str, ...] = NAME_HEADS
    tails: tuple[str, ...] = PARTNER_WORDS if partner else NAME_TAILS
    local = LOCAL_NAMES.get(country_code)
    if local is not None and not partner and rng.random() < 0.6:
        heads, tails = local
    head = rng.choice(heads)
    if attempt >= 5:
        head = f"{head} {rng.choice(heads)}"
    name = f"{head} {rng.choice(tails)}"
    return f"{name} {attempt}" if attempt >= 20 else name


def company_domain(rng: random.Random, base: str, country_code: str) -> str:
    """A plausible domain for a company: ``muellerlogistik.de``, ``acme-robotics.com``."""
    tld = COUNTRY_TLD.get(country_code, "com")
    return f"{slug(base, '-' if rng.random() < 0.25 else '')}.{'com' if rng.random() < 0.5 else tld}"


def near_name(rng: random.Random, base: str) -> str:
    """A different company's name one letter away: ``Acme Analytics`` → ``Acme Analytica``."""
    words = base.split()
    i = max(range(len(words)), key=lambda n: len(words[n]))
    word = words[i]
    ending = rng.choice([e for e in ("a", "o", "x", "e", "on") if not word.endswith(e)])
    words[i] = (word[:-1] if len(word) > 3 else word) + ending
    return " ".join(words)


def namesake_domain(base: str, country_code: str, used: set[str]) -> str:
    """The own domain of a namesake company: ``acme.de`` beside ``acme.com``, else ``acme-de.com``."""
    stem = slug(base)
    for domain in (f"{stem}.{COUNTRY_TLD.get(country_code, 'com')}", f"{stem}-{country_code.lower()}.com",
                   f"{stem}{country_code.lower()}.com"):  # fmt: skip
        if domain not in used:
            used.add(domain)
            return domain
    n = 2
    while f"{stem}{n}.com" in used:
        n += 1
    used.add(f"{stem}{n}.com")
    return f"{stem}{n}.com"


def national_number(rng: random.Random, country_code: str) -> str:
    """The national significant number of a fictional phone line (digits only, no trunk prefix)."""
    if country_code in ("US", "CA"):
        return f"{rng.choice(US_AREA_CODES)}55501{rng.randrange(100):02d}"
    if country_code == "GB":
        return f"2079460{rng.randrange(1000):03d}"
    digits = "".join(str(rng.randrange(10)) for _ in range(8))
    prefix = {"DE": rng.choice(("30", "89", "40")), "FR": "1", "NL": "20", "AU": "2", "IN": "80"}
    head = prefix.get(country_code, "30")
    return head + (digits[:7] if country_code == "NL" else digits)


def format_phone(rng: random.Random, country_code: str, nsn: str) -> str:
    """``nsn`` written in one of the national or international ways people type it."""
    cc = CALLING_CODES.get(country_code, "49")
    if country_code in ("US", "CA"):
        area, mid, line = nsn[:3], nsn[3:6], nsn[6:]
        return rng.choice((f"+1 ({area}) {mid}-{line}", f"{area}.{mid}.{line}", f"({area}) {mid}-{line}",
                           f"+1{nsn}", f"{area}-{mid}-{line}", f"001 {area} {mid} {line}"))  # fmt: skip
    if country_code == "GB":
        a, b, c = nsn[:2], nsn[2:6], nsn[6:]
        return rng.choice((f"+44 {a} {b} {c}", f"0{a} {b} {c}", f"0044{nsn}", f"+44 (0){a} {b}{c}"))
    if country_code == "FR":
        pairs = " ".join(nsn[i : i + 2] for i in range(1, 9, 2))
        return rng.choice((f"0{nsn[0]} {pairs}", f"+33 {nsn[0]} {pairs}", f"+33 (0){nsn[0]} {pairs}",
                           f"0033{nsn}", f"+33{nsn}"))  # fmt: skip
    area_len = {"DE": 2, "NL": 2, "AU": 1, "IN": 2}.get(country_code, 2)
    area, rest = nsn[:area_len], nsn[area_len:]
    spaced = f"{rest[:4]} {rest[4:]}" if country_code != "NL" else f"{rest[:3]} {rest[3:]}"
    forms = [f"+{cc} {area} {rest}", f"0{area} {spaced}", f"00{cc}{nsn}", f"+{cc} (0){area} {rest}",
             f"+{cc}{nsn}", f"+{cc} {area} {spaced}"]  # fmt: skip
    if country_code == "AU":
        forms.append(f"(0{area}) {spaced}")
    if country_code == "DE":
        forms.append(f"(0{area}) {spaced}")
    if country_code == "IN":
        forms.append(f"+{cc}-{area}-{rest}")
    return rng.choice(forms)


def phone_number(rng: random.Random, country_code: str) -> str:
    """A fictional phone number in one of several real-world formats."""
    return format_phone(rng, country_code, national_number(rng, country_code))


def reformat_phone(rng: random.Random, country_code: str, text: str) -> str:
    """The same number as ``text`` (written by :func:`format_phone`), typed another way."""
    cc = CALLING_CODES.get(country_code, "49")
    international = text.strip().startswith(("+", "00"))
    digits = re.sub(r"\D", "", text.replace("(0)", ""))
    if international:
        digits = digits.removeprefix("00").removeprefix(cc)
    elif cc == "1":
        digits = digits[1:] if len(digits) == 11 else digits
    else:
        digits = digits.removeprefix("0")
    return format_phone(rng, country_code, digits)


def country_spelling(rng: random.Random, code: str) -> str:
    """The country of ``code`` as some system types it: its name, ISO code or another spelling."""
    row = next((c for c in COUNTRIES if c[1] == code), None)
    if row is None:
        return code
    return rng.choice((row[0], code, *COUNTRY_SPELLINGS.get(row[0], ())))


def domain_variant(rng: random.Random, domain: str) -> str:
    """A messy way of typing ``domain``: ``WWW.Acme.com``, ``https://acme.com/about``, ``ACME.COM``."""
    stem, _, tld = domain.partition(".")
    return rng.choice(
        (
            f"WWW.{stem.capitalize()}.{tld}",
            f"https://{domain}/",
            domain.upper(),
            f"www.{domain}",
            f"http://www.{domain}",
            f"https://www.{domain}/about",
            f"http://{domain}/en/",
            f"https://www.{domain}/contact-us",
        )
    )


def legal_variant(rng: random.Random, name: str) -> str:
    """The name with its legal form spelt another way, dropped, or added."""
    base, form = split_legal(name)
    if not form:
        return f"{base} {rng.choice(('Inc.', 'LLC', 'Ltd', 'Incorporated', 'GmbH'))}"
    choice = rng.choice((*LEGAL_VARIANTS.get(form, ()), ""))
    return base + choice if choice.startswith(",") else f"{base} {choice}".strip()


def typo(rng: random.Random, name: str) -> str:
    """One slip of the keyboard in the longest word of the name: a letter dropped, doubled or two swapped."""
    base, form = split_legal(name)
    words = base.split() or [name]
    i = max(range(len(words)), key=lambda n: len(words[n]))
    word = words[i]
    if len(word) <= 3:
        word = word + word[-1]
    else:
        j = rng.randrange(2, len(word))
        choice = rng.randrange(3)
        if choice == 2 and word[j] != word[j - 1]:
            word = word[: j - 1] + word[j] + word[j - 1] + word[j + 1 :]
        elif choice == 1:
            word = word[:j] + word[j] + word[j:]
        else:
            word = word[:j] + word[j + 1 :]
    words[i] = word
    return f"{' '.join(words)} {form}".strip() if not form.startswith(",") else " ".join(words) + form


def name_variant(rng: random.Random, name: str) -> str:
    """Another spelling of a company name: casing, legal form, a typo, or no accents."""
    choice = rng.randrange(6)
    if choice == 0:
        return name.upper()
    if choice == 1:
        return legal_variant(rng, name)
    if choice == 2:
        return name.lower()
    if choice == 3 and not name.isascii():
        return ascii_fold(name)
    if choice == 4:
        base, form = split_legal(name)
        return f"{base.title()} {form}".strip() if base.title() != base else legal_variant(rng, name)
    return typo(rng, name)


def email_variant(rng: random.Random, email: str) -> str:
    """Uppercase and/or surrounding whitespace, as humans type it."""
    local, _, domain = email.partition("@")
    choice = rng.randrange(3)
    if choice == 0:
        return f"{local.title()}@{domain.capitalize()}"
    if choice == 1:
        return f"  {email} "
    return f" {email.upper()}"
