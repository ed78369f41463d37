"""Object shapes shared by the generator, the loader and the write operations.

Every record is kept exactly as the API returns it (a JSON-ready dict); the helpers here build the
embedded references (``group``, ``tier``, ``team``, ``customer``...) and new object keys.
"""

from __future__ import annotations

import random
import string
from typing import Any

JsonDict = dict[str, Any]

KEY_ALPHABET = string.ascii_letters + string.digits
PREFIXES = {
    "groups": "grup",
    "partnerships": "part",
    "customers": "cust",
    "deals": "deal",
    "transactions": "tran",
    "rewards": "rew",
    "webhooks": "whk",
    "tiers": "tier",
    "teams": "team",
    "team_members": "tmem",
    "molds": "mold",
    "invoices": "inv",
    "offers": "ofr",
    "triggers": "trig",
}
RATES_TO_USD = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "CAD": 0.74, "AUD": 0.66, "JPY": 0.0067, "CHF": 1.13}
# Members the simulator keeps for its own bookkeeping but the real API does not send: customers and
# deals name their partner by ``partner_key`` only (the Vendor API's customer and deal shapes,
# https://docs.partnerstack.com/reference), so a client must translate it to the partnership's key.
HIDDEN: dict[str, frozenset[str]] = {
    "customers": frozenset({"partnership_key"}),
    "deals": frozenset({"partnership_key"}),
}
FIELD_LABELS = {
    "company_name": "Company name",
    "website": "Website",
    "country": "Country",
    "partner_type": "Partner type",
}


class KeyMaker:
    """Makes unique ``prefix_XXXXXXXXXXXXXX`` keys (14 base-62 characters, like ``part_f4Jmxb7LmvhERZ``)."""

    def __init__(self, rng: random.Random, used: set[str] | None = None) -> None:
        self.rng = rng
        self.used = used if used is not None else set()

    def new(self, kind: str) -> str:
        """A fresh key for ``kind`` (a :data:`PREFIXES` name)."""
        while True:
            number, chars = self.rng.getrandbits(84), []
            for _ in range(14):
                number, digit = divmod(number, 62)
                chars.append(KEY_ALPHABET[digit])
            key = PREFIXES[kind] + "_" + "".join(chars)
            if key not in self.used:
                self.used.add(key)
                return key


def amount_usd(amount: int | None, currency: str) -> int | None:
    """Cents in ``currency`` converted to US cents (fixed sandbox rates; unknown currencies = 1:1)."""
    if amount is None:
        return None
    return round(amount * RATES_TO_USD.get(currency.upper(), 1.0))


def group_ref(group: JsonDict) -> JsonDict:
    """``{key, name, slug}`` as embedded in partnerships and rewards."""
    return {"key": group["key"], "name": group["name"], "slug": group["slug"]}


def find_tier(group: JsonDict, tier_key: str | None = None, name: str | None = None) -> JsonDict | None:
    """The group's tier with this key (or, failing that, this name; case-insensitive)."""
    for tier in group.get("tiers") or []:
        if tier_key is not None and tier["key"] == tier_key:
            return {"key": tier["key"], "name": tier["name"]}
    for tier in group.get("tiers") or []:
        if name is not None and tier["name"].lower() == name.lower():
            return {"key": tier["key"], "name": tier["name"]}
    return None


def make_field(api_name: str, value: Any) -> JsonDict:
    """One entry of a ``fields`` list."""
    label = FIELD_LABELS.get(api_name, api_name.replace("_", " ").capitalize())
    return {"api_name": api_name, "name": label, "type": "input", "value": value}


def field_value(record: JsonDict, api_name: str) -> Any:
    """The value of field ``api_name`` of a record (``None`` when absent)."""
    for entry in record.get("fields") or []:
        if entry.get("api_name") == api_name:
            return entry.get("value")
    return None


def merge_fields(current: list[JsonDict], updates: list[JsonDict]) -> list[JsonDict]:
    """Fields after applying ``updates`` (matched by ``api_name``, else ``field_key``; new ones appended)."""
    out = [dict(f) for f in current]
    for update in updates:
        name = update.get("api_name") or update.get("field_key") or update.get("internal_name")
        match = next((f for f in out if name and name in (f.get("api_name"), f.get("field_key"))), None)
        if match is None:
            out.append({**make_field(str(name), update.get("value")), **update})
        else:
            match["value"] = update.get("value")
    return out


def team_member(partnership: JsonDict) -> JsonDict:
    """The partner user of a partnership, as embedded in deals (``team_member``)."""
    return {
        "key": "tmem_" + str(partnership["key"]).split("_", 1)[-1],
        "email": partnership.get("email"),
        "first_name": partnership.get("first_name"),
        "last_name": partnership.get("last_name"),
    }


def customer_ref(customer: JsonDict) -> JsonDict:
    """``{key, email, external_key}`` as embedded in transactions."""
    return {"key": customer["key"], "email": customer.get("email"), "external_key": customer.get("customer_key")}


def partnership_ref(partnership: JsonDict) -> JsonDict:
    """``{key, name, group}`` as embedded in rewards (``name`` = the partner's team name)."""
    team = partnership.get("team") or {}
    return {"key": partnership["key"], "name": team.get("name"), "group": partnership.get("group")}


def public(table: str, record: JsonDict) -> JsonDict:
    """``record`` as the API sends it: without the simulator's own members (``HIDDEN``)."""
    hidden = HIDDEN.get(table)
    if not hidden:
        return record
    return {k: v for k, v in record.items() if k not in hidden}
