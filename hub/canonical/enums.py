"""Normalised vocabularies of the canonical model. Raw source values are always kept beside them."""

from enum import StrEnum


class EntityType(StrEnum):
    """The kinds of golden record the ledger keeps."""

    ORGANIZATION = "organization"
    PERSON = "person"
    OPPORTUNITY = "opportunity"
    DEAL_REGISTRATION = "deal_registration"
    PARTNER_ENROLLMENT = "partner_enrollment"
    PARTNER_TRANSACTION = "partner_transaction"


class OrganizationRole(StrEnum):
    PARTNER = "partner"
    CUSTOMER = "customer"
    PROSPECT = "prospect"
    VENDOR = "vendor"
    DISTRIBUTOR = "distributor"
    CLOUD_PROVIDER = "cloud_provider"
    OTHER = "other"


class PartnerType(StrEnum):
    RESELLER = "reseller"
    REFERRAL = "referral"
    SI = "si"
    MSP = "msp"
    ISV = "isv"
    DISTRIBUTOR = "distributor"
    AFFILIATE = "affiliate"


class StageCategory(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class PartnerRole(StrEnum):
    """How a partner took part in an opportunity (shared/domain.md, OpportunityPartnerRole)."""

    SOURCED = "sourced"
    INFLUENCED = "influenced"
    RESELLER = "reseller"
    DISTRIBUTOR = "distributor"
    REFERRAL = "referral"
    CO_SELL = "co_sell"
    IMPLEMENTATION = "implementation"


class PartnerStatus(StrEnum):
    PROSPECT = "prospect"
    APPLIED = "applied"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class DealRegistrationStatus(StrEnum):
    """Canonical deal-registration lifecycle (shared/domain.md 1.1); the raw status is kept beside it."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    CONVERTED = "converted"
    WON = "won"
    LOST = "lost"
    EXPIRED = "expired"


class TransactionKind(StrEnum):
    TRANSACTION = "transaction"
    REWARD = "reward"
