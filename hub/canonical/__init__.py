"""Canonical partner model v1: Organization, Person, Opportunity with partner roles.

Every source system's records are mapped onto these models (see ``mappings/*.yaml``). The models
are the contract between the mapping layer and the ledger: a mapped record that does not validate
against its model is dead-lettered with the validation message as its reason.

Conventions (shared/domain.md section 2.1): normalised enums sit beside the raw source value
(``stage_category`` beside ``stage_raw``), money is ``Decimal`` plus an ISO-4217 currency, times
are timezone-aware UTC, and references to other canonical entities are canonical ids.
"""

from hub.canonical.enums import (
    EntityType,
    OrganizationRole,
    PartnerRole,
    PartnerType,
    StageCategory,
)
from hub.canonical.models import (
    CANONICAL_MODELS,
    CanonicalRecord,
    Opportunity,
    OpportunityPartnerRole,
    Organization,
    Person,
    model_for,
)

__all__ = [
    "CANONICAL_MODELS",
    "CanonicalRecord",
    "EntityType",
    "Opportunity",
    "OpportunityPartnerRole",
    "Organization",
    "OrganizationRole",
    "PartnerRole",
    "PartnerType",
    "Person",
    "StageCategory",
    "model_for",
]
