"""Canonical partner model v1: Organization, Person, Opportunity with partner roles.

Every source system's records are mapped onto these models (see ``mappings/*.yaml``). The models
are the contract between the mapping layer and the ledger: a mapped record that does not validate
against its model is dead-lettered with the validation message as its reason.

Conventions (shared/domain.md section 2.1): normalised enums sit beside the raw source value
(``stage_category`` beside ``stage_raw``), money is ``Decimal`` plus an ISO-4217 currency, times
are timezone-aware UTC, and references to other canonical entities are canonical ids.
"""

from hub.canonical.enums import (
    DealRegistrationStatus,
    EntityType,
    OrganizationRole,
    PartnerRole,
    PartnerStatus,
    PartnerType,
    StageCategory,
    TransactionKind,
)
from hub.canonical.models import (
    CANONICAL_MODELS,
    CanonicalRecord,
    DealRegistration,
    Opportunity,
    OpportunityPartnerRole,
    Organization,
    PartnerEnrollment,
    PartnerTransaction,
    Person,
    model_for,
)

__all__ = [
    "CANONICAL_MODELS",
    "CanonicalRecord",
    "DealRegistration",
    "DealRegistrationStatus",
    "EntityType",
    "Opportunity",
    "OpportunityPartnerRole",
    "Organization",
    "OrganizationRole",
    "PartnerEnrollment",
    "PartnerRole",
    "PartnerStatus",
    "PartnerTransaction",
    "PartnerType",
    "Person",
    "StageCategory",
    "TransactionKind",
    "model_for",
]
