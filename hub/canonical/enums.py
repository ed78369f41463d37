"""Normalised vocabularies of the canonical model. Raw source values are always kept beside them."""

from enum import StrEnum


class EntityType(StrEnum):
    """The kinds of golden record the ledger keeps."""

    ORGANIZATION = "organization"
    PERSON = "person"
    OPPORTUNITY = "opportunity"


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
