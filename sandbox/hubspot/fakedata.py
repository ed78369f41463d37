"""Word lists and small formatting helpers for the synthetic HubSpot world.

Everything here is a pure function of a ``random.Random`` passed in, so generation stays
deterministic.  Phone numbers use reserved fictional ranges (US 555-01xx, UK 020 7946 0xxx).
"""

from __future__ import annotations

import random

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
LEGAL_SUFFIXES = ("Inc", "Inc.", "LLC", "Ltd", "GmbH", "Corp", "Corporation", "Co.", "plc", "")
PARTNER_WORDS = ("Channel", "Integrators", "IT Services", "Cloud Partners", "Advisors", "Reseller Group")
FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
    "Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Sandra", "Anthony", "Ashley", "Mark", "Emily",
    "Priya", "Wei", "Sofia", "Lukas", "Amelie", "Hiroshi", "Fatima", "Mateo", "Chloe", "Oliver",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
    "Perez", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Young", "Allen", "King",
    "Mueller", "Schmidt", "Dubois", "Rossi", "Tanaka", "Patel", "Nguyen", "Kowalski", "O'Brien", "Silva",
)  # fmt: skip
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
)
COUNTRY_SPELLINGS: dict[str, tuple[str, ...]] = {
    "United States": ("USA", "US", "United States of America"),
    "United Kingdom": ("UK", "Great Britain"),
    "Germany": ("Deutschland", "DE"),
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


def phone_number(rng: random.Random, country_code: str) -> str:
    """A fictional phone number in one of several real-world formats."""
    if country_code in ("US", "CA"):
        area = rng.choice(US_AREA_CODES)
        line = f"01{rng.randrange(100):02d}"
        return rng.choice(
            (
                f"+1 ({area}) 555-{line}",
                f"{area}.555.{line}",
                f"({area}) 555-{line}",
                f"+1{area}555{line}",
                f"{area}-555-{line}",
                f"001 {area} 555 {line}",
            )
        )
    if country_code == "GB":
        line = f"0{rng.randrange(1000):03d}"
        return rng.choice(
            (f"+44 20 7946 {line}", f"020 7946 {line}", f"0044207946{line}", f"+44 (0)20 7946{line}")
        )
    prefixes = {"DE": "49", "FR": "33", "NL": "31", "AU": "61"}
    cc = prefixes.get(country_code, "49")
    digits = "".join(str(rng.randrange(10)) for _ in range(8))
    return rng.choice((f"+{cc} {digits[:2]} {digits[2:]}", f"00{cc}{digits}", f"+{cc}{digits}"))


def domain_variant(rng: random.Random, domain: str) -> str:
    """A messy way of typing ``domain``: ``WWW.Acme.com``, ``https://acme.com/``, ``ACME.COM``."""
    stem, _, tld = domain.rpartition(".")
    return rng.choice(
        (
            f"WWW.{stem.capitalize()}.{tld}",
            f"https://{domain}/",
            domain.upper(),
            f"www.{domain}",
            f"http://www.{domain}",
        )
    )


def name_variant(rng: random.Random, name: str) -> str:
    """Another spelling of a company name: casing, legal suffix or a typo."""
    choice = rng.randrange(4)
    if choice == 0:
        return name.upper()
    if choice == 1:
        base = (
            name.rsplit(" ", 1)[0] if name.split()[-1].rstrip(".") in {"Inc", "LLC", "Ltd", "Corp"} else name
        )
        return f"{base}, Inc."
    if choice == 2:
        return name.lower()
    words = name.split()
    word = words[0]
    if len(word) > 4:
        i = rng.randrange(1, len(word) - 1)
        words[0] = word[:i] + word[i + 1 :]
    else:
        words[0] = word + word[-1]
    return " ".join(words)


def email_variant(rng: random.Random, email: str) -> str:
    """Uppercase and/or surrounding whitespace, as humans type it."""
    local, _, domain = email.partition("@")
    choice = rng.randrange(3)
    if choice == 0:
        return f"{local.title()}@{domain.capitalize()}"
    if choice == 1:
        return f"  {email} "
    return f" {email.upper()}"
