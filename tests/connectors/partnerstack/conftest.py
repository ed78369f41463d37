"""Shared helpers of the PartnerStack connector tests (respx: no network)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from connectors.partnerstack import PartnerStackConfig, PartnerStackConnector
from tests.policy import SANDBOX_OUTBOUND

BASE = "https://partnerstack.test/api/v2"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "partnerstack"
TOKEN = "tok_0123456789abcdefghij"
OLD_TOKEN = "tok_old_9876543210zyxwvu"


def make_connector(sleeps: list[float] | None = None, **extra: Any) -> PartnerStackConnector:
    """A connector on BASE whose retries do not sleep; ``sleeps`` records the waits."""
    config = PartnerStackConfig(base_url=BASE, public_key="pk_test", secret_key=SecretStr("sk_test_secret"), **extra)
    waits = sleeps if sleeps is not None else []
    return PartnerStackConnector(config, sleep=waits.append, outbound=SANDBOX_OUTBOUND)


def envelope(items: list[dict[str, Any]], has_more: bool = False) -> dict[str, Any]:
    return {"data": {"has_more": has_more, "items": items}, "message": "Page returned successfully", "status": 200}


def ok(data: Any) -> httpx.Response:
    return httpx.Response(200, json={"data": data, "message": "OK", "status": 200})


def error(status: int, message: str = "nope") -> httpx.Response:
    return httpx.Response(status, json={"message": message, "status": status})


def fixture_items(object_name: str) -> list[dict[str, Any]]:
    document = json.loads((FIXTURES / f"{object_name}_page.json").read_text())
    items: list[dict[str, Any]] = document["data"]["items"]
    return items


class StubLookup:
    """A ``records.Lookup`` over fixed tables (what the Directory would have learned)."""

    def __init__(self, partners: dict[str, str], customers: dict[str, str]) -> None:
        self.partners = partners
        self.customers = customers

    def partnership_key(self, partner_key: str) -> str | None:
        return self.partners.get(partner_key)

    def customer_partner_key(self, customer_key: str) -> str | None:
        return self.customers.get(customer_key)


# The partner_key -> partnership key and customer -> partner_key tables of the fixture world.
FIXTURE_LOOKUP = StubLookup(
    partners={"acme": "part_4aSyVqTc1b", "samblogs": "part_8bTzWrUd2c", "bobco": "part_9cUaXsVe3d",
              "gstest": "part_gstest00"},
    customers={"cust_Gl0bex01": "acme", "cust_T3st0002": "gstest", "cust_Orph4n03": "ghost"},
)  # fmt: skip
