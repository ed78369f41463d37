"""Raw PartnerStack records, made mappable: the envelope's items are kept as they are, plus these members.

``associations``        ``{"partnerships": [{"id": "part_…", "types": ["partner"]}],
                        "customers": [{"id": "cust_…", "types": ["customer"]}]}`` — the SDK's record
                        shape (``connectors.sdk.records``), for ``links:`` in the mapping. Records name their
                        partner by ``partner_key`` (the partner's key in the program), but the hub
                        knows partnerships by their own ``key``: the connector translates (``Lookup``).
                        A partner it cannot translate is left out, never guessed.
``deleted``             true for an archived record (``archived`` or ``is_archived`` true) or a
                        ``*.deleted`` webhook event.
``amount_decimal``      ``amount`` (integer cents) as a decimal string in units: 1250 → "12.50"
                        (deals, transactions, rewards); a value that is not whole cents is passed on
                        as text that the mapping rejects, so the record is dead-lettered with a reason.
``email_domain``        the domain of ``email`` unless it is a free-mail one (partnerships, customers).
``partnership_status``  ``joined`` (has ``joined_at``), ``invited`` (not yet) or ``archived``.

The mapping language has no arithmetic, no conditions and no e-mail → domain transform, hence these.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Protocol

from connectors.partnerstack.freemail import company_domain
from connectors.sdk import Associations, hub_record, link

ADDED_MEMBERS = ("associations", "deleted", "amount_decimal", "email_domain", "partnership_status")
_WHOLE = re.compile(r"[+-]?\d+")


class Lookup(Protocol):
    """Translations the normaliser needs; ``None`` when unknown."""

    def partnership_key(self, partner_key: str) -> str | None:
        """The ``key`` of the partnership whose ``partner_key`` is given."""

    def customer_partner_key(self, customer_key: str) -> str | None:
        """The ``partner_key`` of the customer whose ``key`` is given."""


def key_of(value: Any) -> str | None:
    """A referenced object's key: the value itself when it is a key, or its ``key`` member."""
    if isinstance(value, dict):
        value = value.get("key")
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def cents_to_units(value: Any) -> Any:
    """Integer cents as a decimal string in units (1250 → "12.50"); blank stays None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(Decimal(value).scaleb(-2))
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        return str(Decimal(value.strip()).scaleb(-2))
    return f"not whole cents: {value}"


def _customer_key(object_name: str, record: dict[str, Any]) -> str | None:
    if object_name == "transactions":
        return key_of(record.get("customer")) or key_of(record.get("customer_key"))
    if object_name == "rewards":
        target = record.get("target")
        targeted = key_of(target) if isinstance(target, dict) and target.get("type") == "customer" else None
        return key_of(record.get("customer")) or targeted
    return None


def _direct_partnership(record: dict[str, Any]) -> str | None:
    return key_of(record.get("partnership_key")) or key_of(record.get("partnership"))


def _partner_key(record: dict[str, Any]) -> str | None:
    nested = record.get("partnership")
    nested_key = key_of(nested.get("partner_key")) if isinstance(nested, dict) else None
    return key_of(record.get("partner_key")) or nested_key


def wanted(object_name: str, record: dict[str, Any], *, via_customer: bool = True) -> tuple[set[str], set[str]]:
    """The partner keys and customer keys ``normalise`` will ask the lookup about."""
    partners: set[str] = set()
    customers: set[str] = set()
    if object_name == "partnerships" or _direct_partnership(record):
        return partners, customers
    partner_key = _partner_key(record)
    customer_key = _customer_key(object_name, record)
    if partner_key:
        partners.add(partner_key)
    elif object_name == "transactions" and via_customer and customer_key:
        customers.add(customer_key)
    return partners, customers


def _partnership(object_name: str, record: dict[str, Any], lookup: Lookup, via_customer: bool) -> str | None:
    direct = _direct_partnership(record)
    if direct:
        return direct
    partner_key = _partner_key(record)
    if partner_key is None and object_name == "transactions" and via_customer:
        customer_key = _customer_key(object_name, record)
        partner_key = lookup.customer_partner_key(customer_key) if customer_key else None
    return lookup.partnership_key(partner_key) if partner_key else None


def _deleted(record: dict[str, Any]) -> bool:
    """Archived, by ``archived`` (the Vendor API) or ``is_archived`` (the shape PartnerStack's
    partner-facing partnership lists use)."""
    for member in ("archived", "is_archived"):
        flag = record.get(member)
        if flag is True or (isinstance(flag, str) and flag.strip().lower() == "true"):
            return True
    return False


def normalise(
    object_name: str, record: dict[str, Any], lookup: Lookup, *, deleted: bool = False, via_customer: bool = True
) -> dict[str, Any]:
    """A copy of ``record`` with the added members (see the module docstring)."""
    out = dict(record)
    deleted = deleted or _deleted(record)
    # Custom fields arrive as a list of {api_name, value}: index them by name so a mapping can say
    # `custom_fields.company_name`.
    out["custom_fields"] = {
        str(f.get("api_name") or f.get("name")): f.get("value")
        for f in record.get("fields") or []
        if isinstance(f, dict) and (f.get("api_name") or f.get("name"))
    }
    associations: Associations = {}
    if object_name == "partnerships":
        out["email_domain"] = company_domain(record.get("email"))
        joined = record.get("joined_at") not in (None, "")
        out["partnership_status"] = "archived" if deleted else ("joined" if joined else "invited")
    else:
        link(associations, "partnerships", _partnership(object_name, record, lookup, via_customer), "partner")
        link(associations, "customers", _customer_key(object_name, record), "customer")
    if object_name == "customers":
        out["email_domain"] = company_domain(record.get("email"))
    if object_name in ("deals", "transactions", "rewards"):
        out["amount_decimal"] = cents_to_units(record.get("amount"))
    return hub_record(out, associations=associations, deleted=deleted)
