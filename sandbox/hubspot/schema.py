"""Static description of the simulated HubSpot portal: object types and their properties.

Only the three CRM objects the hub needs are simulated (companies, contacts, deals).  Every property
a client may read or write is declared here; writing an undeclared property fails exactly like
HubSpot's ``PROPERTY_DOESNT_EXIST`` validation error.
"""

from __future__ import annotations

from dataclasses import dataclass

OBJECT_TYPES: tuple[str, ...] = ("companies", "contacts", "deals")

OBJECT_TYPE_IDS: dict[str, str] = {"contacts": "0-1", "companies": "0-2", "deals": "0-3"}

OBJECT_SINGULAR: dict[str, str] = {"companies": "COMPANY", "contacts": "CONTACT", "deals": "DEAL"}

_ALIASES: dict[str, str] = {
    "company": "companies",
    "companies": "companies",
    "0-2": "companies",
    "contact": "contacts",
    "contacts": "contacts",
    "0-1": "contacts",
    "deal": "deals",
    "deals": "deals",
    "0-3": "deals",
}

LASTMOD_PROPERTY: dict[str, str] = {
    "companies": "hs_lastmodifieddate",
    "contacts": "lastmodifieddate",
    "deals": "hs_lastmodifieddate",
}
"""The last-modified property used for incremental sync (contacts differ from the others)."""

SYSTEM_PROPERTIES: dict[str, tuple[str, ...]] = {
    obj: ("createdate", LASTMOD_PROPERTY[obj], "hs_object_id") for obj in OBJECT_TYPES
}
"""Always present in responses, whatever ``properties`` were requested."""

DEFAULT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "companies": ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
    "contacts": ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
    "deals": (
        "amount",
        "closedate",
        "createdate",
        "dealname",
        "dealstage",
        "hs_lastmodifieddate",
        "hs_object_id",
        "pipeline",
    ),
}
"""Returned when a request names no ``properties``."""

UNIQUE_PROPERTIES: dict[str, tuple[str, ...]] = {
    "companies": (),
    "contacts": ("email",),
    "deals": (),
}
"""Built-in properties usable as ``idProperty`` besides custom ones with ``hasUniqueValue``.

A company's ``domain`` is not one: "the company ID is the only unique key; domains may repeat"
(https://developers.hubspot.com/docs/api-reference/latest/crm/objects/companies/guide), and an
upsert by it is refused ("Unable to perform update/upsert by non-unique 0-2 property domain").
``hs_object_id`` is the record id, given as ``id`` without ``idProperty``: naming it as the
``idProperty`` of a batch update or upsert is refused the same way (operations.py).
"""

SEARCHABLE_TEXT: dict[str, tuple[str, ...]] = {
    "companies": ("name", "domain", "website", "phone"),
    "contacts": ("firstname", "lastname", "email", "phone", "company"),
    "deals": ("dealname",),
}
"""Properties scanned by the free-text ``query`` of a search."""

COMPANY_TYPES = ("PROSPECT", "PARTNER", "RESELLER", "VENDOR", "OTHER", "CUSTOMER")
PARTNER_TIERS = ("Registered", "Silver", "Gold", "Platinum")
PARTNER_TYPES = ("reseller", "referral", "SI", "MSP", "ISV")
INDUSTRIES = (
    "COMPUTER_SOFTWARE",
    "INFORMATION_TECHNOLOGY_AND_SERVICES",
    "FINANCIAL_SERVICES",
    "HOSPITAL_HEALTH_CARE",
    "RETAIL",
    "MACHINERY",
    "TELECOMMUNICATIONS",
    "LOGISTICS_AND_SUPPLY_CHAIN",
    "MARKETING_AND_ADVERTISING",
    "EDUCATION_MANAGEMENT",
)
LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
DEAL_STAGES = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
)
CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF")


@dataclass(frozen=True, slots=True)
class PropertyDef:
    """One property of an object type.

    ``type`` is HubSpot's property type: ``string``, ``number``, ``datetime``, ``date``, ``bool``
    or ``enumeration``; ``options`` lists the allowed values of an enumeration.
    """

    name: str
    type: str = "string"
    options: tuple[str, ...] = ()
    read_only: bool = False
    #: ``hasUniqueValue``: no two live records hold one value; usable as ``idProperty``
    unique: bool = False
    #: set on properties created through the properties API (``properties.py``)
    field_type: str = ""
    label: str = ""
    group: str = ""
    description: str = ""
    custom: bool = False
    created_ms: int = 0


def _props(*defs: PropertyDef) -> dict[str, PropertyDef]:
    return {d.name: d for d in defs}


def _system(lastmod: str) -> tuple[PropertyDef, ...]:
    return (
        PropertyDef("hs_object_id", "number", read_only=True),
        PropertyDef("createdate", "datetime"),
        PropertyDef(lastmod, "datetime", read_only=True),
        PropertyDef("hubspot_owner_id"),
        PropertyDef("hs_merged_object_ids", "enumeration", read_only=True),  # ";"-separated, set by merges
    )


def build_schema() -> dict[str, dict[str, PropertyDef]]:
    """Return the property definitions of every simulated object type."""
    return {
        "companies": _props(
            *_system("hs_lastmodifieddate"),
            PropertyDef("name"),
            PropertyDef("domain"),
            PropertyDef("website"),
            PropertyDef("phone"),
            PropertyDef("address"),
            PropertyDef("city"),
            PropertyDef("state"),
            PropertyDef("zip"),
            PropertyDef("country"),
            PropertyDef("description"),
            PropertyDef("industry", "enumeration", INDUSTRIES),
            PropertyDef("numberofemployees", "number"),
            PropertyDef("annualrevenue", "number"),
            PropertyDef("type", "enumeration", COMPANY_TYPES),
            PropertyDef("lifecyclestage", "enumeration", LIFECYCLE_STAGES),
            PropertyDef("partner_tier", "enumeration", PARTNER_TIERS),
            PropertyDef("partner_type", "enumeration", PARTNER_TYPES),
            PropertyDef("duns"),
        ),
        "contacts": _props(
            *_system("lastmodifieddate"),
            PropertyDef("email"),
            PropertyDef("firstname"),
            PropertyDef("lastname"),
            PropertyDef("jobtitle"),
            PropertyDef("phone"),
            PropertyDef("mobilephone"),
            PropertyDef("company"),
            PropertyDef("website"),
            PropertyDef("city"),
            PropertyDef("country"),
            PropertyDef("lifecyclestage", "enumeration", LIFECYCLE_STAGES),
        ),
        "deals": _props(
            *_system("hs_lastmodifieddate"),
            PropertyDef("dealname"),
            PropertyDef("amount", "number"),
            PropertyDef("deal_currency_code", "enumeration", CURRENCIES),
            PropertyDef("dealstage", "enumeration", DEAL_STAGES),
            PropertyDef("pipeline", "enumeration", ("default",)),
            PropertyDef("closedate", "datetime"),
            PropertyDef("dealtype", "enumeration", ("newbusiness", "existingbusiness")),
            PropertyDef("description"),
        ),
    }


def normalize_object_type(raw: str) -> str | None:
    """Map ``company``/``companies``/``0-2`` (any case) to ``companies``; ``None`` if unknown."""
    return _ALIASES.get(raw.strip().lower())
