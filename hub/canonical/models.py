"""Pydantic models of the canonical entities.

These are the validation contract for mapped records. Field names are the canonical field names
used in ``mappings/*.yaml``; a mapping may only target fields declared here.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

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

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError("timestamps must carry a timezone (UTC)")
    return value


def _email(value: str | None) -> str | None:
    if value is not None and not _EMAIL.match(value):
        raise ValueError(f"not an email address: {value!r}")
    return value


def _domain(value: str | None) -> str | None:
    if value is not None and not _DOMAIN.match(value):
        raise ValueError(f"not a domain name: {value!r}")
    return value


def _phone(value: str | None) -> str | None:
    if value is not None and not _E164.match(value):
        raise ValueError(f"phone is not E.164: {value!r}")
    return value


UtcDatetime = Annotated[datetime | None, AfterValidator(_utc)]
Email = Annotated[str | None, AfterValidator(_email)]
Domain = Annotated[str | None, AfterValidator(_domain)]
Phone = Annotated[str | None, AfterValidator(_phone)]
Currency = Annotated[str | None, Field(pattern=r"^[A-Z]{3}$")]
CanonicalId = Annotated[str, Field(min_length=1, max_length=64)]


class CanonicalRecord(BaseModel):
    """Base of every canonical entity: strict field names, no unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entity_type: Any = None  # overridden as a ClassVar-like default in subclasses

    @classmethod
    def field_names(cls) -> set[str]:
        return set(cls.model_fields) - {"entity_type"}


class Organization(CanonicalRecord):
    """A company: a partner, a customer, or both. Identity keys: xref ids, DUNS, primary_domain."""

    entity_type: EntityType = EntityType.ORGANIZATION
    name: str | None = Field(default=None, max_length=512)
    legal_name: str | None = Field(default=None, max_length=512)
    primary_domain: Domain = None
    other_domains: list[str] = Field(default_factory=list)
    duns: str | None = Field(default=None, pattern=r"^\d{9}$")
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    country_raw: str | None = None
    city: str | None = None
    industry: str | None = None
    employee_count: int | None = Field(default=None, ge=0)
    annual_revenue: Decimal | None = None
    phone: Phone = None
    phone_raw: str | None = None
    roles: list[OrganizationRole] = Field(default_factory=list)
    roles_raw: str | None = None
    partner_type: PartnerType | None = None
    partner_type_raw: str | None = None
    partner_tier: str | None = None
    partner_status: PartnerStatus | None = None
    partner_status_raw: str | None = None
    partner_joined_at: UtcDatetime = None
    cloud_accounts: list[str] = Field(default_factory=list)  # "aws:123456789012", "azure:<tenant>"
    hub_id: CanonicalId | None = None  # the hub's id as a system holds it in an external-id slot
    created_at: UtcDatetime = None


class Person(CanonicalRecord):
    """A person at an organization. Identity keys: xref ids, email."""

    entity_type: EntityType = EntityType.PERSON
    email: Email = None
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    phone: Phone = None
    phone_raw: str | None = None
    organization_id: CanonicalId | None = None
    company_name_raw: str | None = None
    lifecycle_stage_raw: str | None = None
    hub_id: CanonicalId | None = None  # the hub's id as a system holds it in an external-id slot
    created_at: UtcDatetime = None

    @model_validator(mode="after")
    def _needs_identity(self) -> Person:
        if not self.email and not (self.first_name or self.last_name):
            raise ValueError("a person needs an email or a name")
        return self


class OpportunityPartnerRole(BaseModel):
    """A partner's part in an opportunity; at most one primary sourcing partner."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    partner_org_id: CanonicalId
    role: PartnerRole
    is_primary: bool = False
    role_raw: str | None = None


class Opportunity(CanonicalRecord):
    """A deal. ``stage_raw`` keeps the source stage; ``stage_category`` is normalised."""

    entity_type: EntityType = EntityType.OPPORTUNITY
    name: str | None = None
    stage_raw: str | None = None
    stage_category: StageCategory | None = None
    amount: Decimal | None = Field(default=None, max_digits=18, decimal_places=2)
    currency: Currency = None
    close_date: date | None = None
    pipeline: str | None = None
    customer_org_id: CanonicalId | None = None
    contact_ids: list[CanonicalId] = Field(default_factory=list)
    partner_roles: list[OpportunityPartnerRole] = Field(default_factory=list)
    external_key: str | None = None  # another system's id for the same deal (a round trip)
    hub_id: CanonicalId | None = None  # the hub's id as a system holds it in an external-id slot
    created_at: UtcDatetime = None

    @model_validator(mode="after")
    def _money_has_currency(self) -> Opportunity:
        if self.amount is not None and self.currency is None:
            raise ValueError("amount given without a currency")
        primaries = [r for r in self.partner_roles if r.role is PartnerRole.SOURCED and r.is_primary]
        if len(primaries) > 1:
            raise ValueError("more than one primary sourcing partner")
        return self


class DealRegistration(CanonicalRecord):
    """A partner's registration of a deal (PRM deal, Salesforce Lead with a DR record type)."""

    entity_type: EntityType = EntityType.DEAL_REGISTRATION
    name: str | None = None
    partner_org_id: CanonicalId | None = None
    submitted_by_person_id: CanonicalId | None = None
    customer_org_id: CanonicalId | None = None
    customer_name_raw: str | None = None
    customer_domain_raw: str | None = None
    customer_country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    contact_email: Email = None
    est_amount: Decimal | None = Field(default=None, max_digits=18, decimal_places=2)
    currency: Currency = None
    est_close_date: date | None = None
    status: DealRegistrationStatus | None = None
    status_raw: str | None = None
    reject_reason: str | None = None
    external_key: str | None = None
    program: str | None = None
    submitted_at: UtcDatetime = None
    expires_at: UtcDatetime = None
    converted_opportunity_id: CanonicalId | None = None
    hub_id: CanonicalId | None = None  # the hub's id as a system holds it in an external-id slot

    @model_validator(mode="after")
    def _money_has_currency(self) -> DealRegistration:
        if self.est_amount is not None and self.currency is None:
            raise ValueError("est_amount given without a currency")
        return self


class PartnerEnrollment(CanonicalRecord):
    """A partner organization's membership of a program at a tier (ChannelProgramMember, PRM group)."""

    entity_type: EntityType = EntityType.PARTNER_ENROLLMENT
    partner_org_id: CanonicalId | None = None
    program: str | None = None
    tier: str | None = None
    tier_rank: int | None = Field(default=None, ge=1)
    status: PartnerStatus | None = None
    status_raw: str | None = None
    valid_from: UtcDatetime = None
    valid_to: UtcDatetime = None


class PartnerTransaction(CanonicalRecord):
    """Money attributed to a partner: a customer transaction or a partner reward (PRM)."""

    entity_type: EntityType = EntityType.PARTNER_TRANSACTION
    kind: TransactionKind | None = None
    partner_org_id: CanonicalId | None = None
    customer_org_id: CanonicalId | None = None
    amount: Decimal | None = Field(default=None, max_digits=18, decimal_places=2)
    currency: Currency = None
    status_raw: str | None = None
    occurred_at: UtcDatetime = None
    description: str | None = None


CANONICAL_MODELS: dict[EntityType, type[CanonicalRecord]] = {
    EntityType.ORGANIZATION: Organization,
    EntityType.PERSON: Person,
    EntityType.OPPORTUNITY: Opportunity,
    EntityType.DEAL_REGISTRATION: DealRegistration,
    EntityType.PARTNER_ENROLLMENT: PartnerEnrollment,
    EntityType.PARTNER_TRANSACTION: PartnerTransaction,
}


def model_for(entity: EntityType | str) -> type[CanonicalRecord]:
    """The model class of an entity type; raises ``KeyError`` naming the known types."""
    try:
        return CANONICAL_MODELS[EntityType(entity)]
    except ValueError as exc:
        known = ", ".join(e.value for e in EntityType)
        raise KeyError(f"unknown entity type {entity!r}; known: {known}") from exc
