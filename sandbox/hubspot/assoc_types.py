"""Association type definitions of the simulated portal (v3 type strings, v4 type ids and labels).

Every associated pair carries HubSpot's *unlabelled* default type; the primary company of a contact
or deal additionally carries the ``Primary`` type (1 / 5), and partner companies on a deal carry a
USER_DEFINED label ("Sourcing partner" 101 / "Influencing partner" 102, inverses 103 / 104).

==========  ===============  ===================  ================================  =======
type id     category         direction            v3 ``type`` string                inverse
==========  ===============  ===================  ================================  =======
1           HUBSPOT_DEFINED  contacts→companies   contact_to_company (Primary)      2
2           HUBSPOT_DEFINED  companies→contacts   company_to_contact (Primary)      1
3           HUBSPOT_DEFINED  deals→contacts       deal_to_contact                   4
4           HUBSPOT_DEFINED  contacts→deals       contact_to_deal                   3
5           HUBSPOT_DEFINED  deals→companies      deal_to_company (Primary)         6
6           HUBSPOT_DEFINED  companies→deals      company_to_deal (Primary)         5
279         HUBSPOT_DEFINED  contacts→companies   contact_to_company_unlabeled      280
280         HUBSPOT_DEFINED  companies→contacts   company_to_contact_unlabeled      279
341         HUBSPOT_DEFINED  deals→companies      deal_to_company_unlabeled         342
342         HUBSPOT_DEFINED  companies→deals      company_to_deal_unlabeled         341
101         USER_DEFINED     deals→companies      sourcing_partner                  103
102         USER_DEFINED     deals→companies      influencing_partner               104
103         USER_DEFINED     companies→deals      sourcing_partner                  101
104         USER_DEFINED     companies→deals      influencing_partner               102
==========  ===============  ===================  ================================  =======
"""

from __future__ import annotations

from dataclasses import dataclass

HUBSPOT_DEFINED = "HUBSPOT_DEFINED"
USER_DEFINED = "USER_DEFINED"

SOURCING_PARTNER_TYPE_ID = 101
INFLUENCING_PARTNER_TYPE_ID = 102


@dataclass(frozen=True, slots=True)
class AssocTypeDef:
    """One directed association type."""

    type_id: int
    category: str
    from_type: str
    to_type: str
    label: str | None
    name: str
    inverse_id: int


def _defs() -> dict[int, AssocTypeDef]:
    rows: list[tuple[int, str, str, str, str | None, str, int]] = [
        (1, HUBSPOT_DEFINED, "contacts", "companies", "Primary", "contact_to_company", 2),
        (2, HUBSPOT_DEFINED, "companies", "contacts", "Primary", "company_to_contact", 1),
        (3, HUBSPOT_DEFINED, "deals", "contacts", None, "deal_to_contact", 4),
        (4, HUBSPOT_DEFINED, "contacts", "deals", None, "contact_to_deal", 3),
        (5, HUBSPOT_DEFINED, "deals", "companies", "Primary", "deal_to_company", 6),
        (6, HUBSPOT_DEFINED, "companies", "deals", "Primary", "company_to_deal", 5),
        (279, HUBSPOT_DEFINED, "contacts", "companies", None, "contact_to_company_unlabeled", 280),
        (280, HUBSPOT_DEFINED, "companies", "contacts", None, "company_to_contact_unlabeled", 279),
        (341, HUBSPOT_DEFINED, "deals", "companies", None, "deal_to_company_unlabeled", 342),
        (342, HUBSPOT_DEFINED, "companies", "deals", None, "company_to_deal_unlabeled", 341),
        (101, USER_DEFINED, "deals", "companies", "Sourcing partner", "sourcing_partner", 103),
        (102, USER_DEFINED, "deals", "companies", "Influencing partner", "influencing_partner", 104),
        (103, USER_DEFINED, "companies", "deals", "Sourcing partner", "sourcing_partner", 101),
        (104, USER_DEFINED, "companies", "deals", "Influencing partner", "influencing_partner", 102),
    ]
    return {r[0]: AssocTypeDef(*r) for r in rows}


ASSOCIATION_TYPES: dict[int, AssocTypeDef] = _defs()

DEFAULT_TYPE_ID: dict[tuple[str, str], int] = {
    ("contacts", "companies"): 279,
    ("companies", "contacts"): 280,
    ("deals", "companies"): 341,
    ("companies", "deals"): 342,
    ("deals", "contacts"): 3,
    ("contacts", "deals"): 4,
}
"""The unlabelled type every associated pair carries (and what ``associations/default`` creates)."""


def types_between(from_type: str, to_type: str) -> list[AssocTypeDef]:
    """All association types defined from ``from_type`` to ``to_type`` (the v4 ``labels`` list)."""
    return [d for d in ASSOCIATION_TYPES.values() if d.from_type == from_type and d.to_type == to_type]


def lookup(type_id: int, category: str | None = None) -> AssocTypeDef | None:
    """Find an association type by id (and category, if given)."""
    found = ASSOCIATION_TYPES.get(type_id)
    if found is None or (category is not None and found.category != category):
        return None
    return found
