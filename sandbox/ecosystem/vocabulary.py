"""The words of the ecosystem's record format (fixture format ``partner-hub-sandbox/1``).

The shared world is stored as CRM records: ``companies``, ``contacts`` and ``deals`` with string
``properties``, and association rows between them.  The format began as HubSpot's API shape, so
its property names, enumeration values and association type ids are HubSpot's; they are spelt here
so that the ecosystem never imports a simulator, and so that every simulator (HubSpot included)
reads the same documented format.  Changing them would change every generated value.
"""

from __future__ import annotations

#: the fixture key the ecosystem's records live under (the CRM of record they were first written for)
SECTION = "hubspot"
FIXTURE_FORMAT = "partner-hub-sandbox/1"

OBJECT_TYPES: tuple[str, ...] = ("companies", "contacts", "deals")
OBJECT_ALIASES: dict[str, str] = {
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
#: the last-modified property of each object (contacts differ from the others)
LASTMOD_PROPERTY: dict[str, str] = {
    "companies": "hs_lastmodifieddate",
    "contacts": "lastmodifieddate",
    "deals": "hs_lastmodifieddate",
}

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
DEAL_STAGES = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
)

# Association rows: ``{"fromType", "fromId", "toType", "toId", "types": [{"category", "typeId", "label"}]}``.
HUBSPOT_DEFINED = "HUBSPOT_DEFINED"
USER_DEFINED = "USER_DEFINED"
CONTACT_PRIMARY_COMPANY = 1  # contacts -> companies, "Primary"
CONTACT_COMPANY = 279  # contacts -> companies, unlabelled
DEAL_CONTACT = 3  # deals -> contacts
DEAL_PRIMARY_COMPANY = 5  # deals -> companies, "Primary"
DEAL_COMPANY = 341  # deals -> companies, unlabelled
SOURCING_PARTNER = 101  # deals -> companies, "Sourcing partner"
INFLUENCING_PARTNER = 102  # deals -> companies, "Influencing partner"
PARTNER_LABELS: dict[int, str] = {SOURCING_PARTNER: "Sourcing partner", INFLUENCING_PARTNER: "Influencing partner"}
#: type id of the same association read from the other end
INVERSE: dict[int, int] = {2: 1, 280: 279, 6: 5, 342: 341, 103: 101, 104: 102, 4: 3}
