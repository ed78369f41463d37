"""Shared helpers of the Salesforce connector tests: config, connector, and a respx-backed fake org.

``FakeOrg`` answers the token endpoint and ``query``/``queryAll`` with the few SOQL filters the
connector writes (``X IN (...)``, ``X = '...'``, ``SystemModstamp >= t``); it is not a simulator,
just enough to run recorded pages through the connector without a network.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx
from pydantic import SecretStr

from connectors.salesforce import SalesforceConfig, SalesforceConnector
from connectors.salesforce.streams import SOBJECTS
from tests.policy import SANDBOX_OUTBOUND

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "salesforce"
LOGIN = "https://login.sf.test"
INSTANCE = "https://acme.my.sf.test:8443"
VERSION = "62.0"
DATA = f"/services/data/v{VERSION}"
RECORD_TYPE_ID = "012Hs000000DRegAAA"
UNKNOWN_ID = "001Hs0000000404AAA"  # an account the hub has never seen


def make_config(**overrides: Any) -> SalesforceConfig:
    values: dict[str, Any] = {
        "login_url": LOGIN,
        "api_version": VERSION,
        "client_id": "3MVG9-consumer-key",
        "client_secret": SecretStr("consumer-secret"),
        "incremental_lookback_seconds": 0,
        "max_retries": 2,
        "bulk_threshold": 0,  # the REST path; bulk reads run against the sandbox (test_bulk.py)
        **overrides,
    }
    return SalesforceConfig(**values)


def make_connector(**overrides: Any) -> SalesforceConnector:
    return SalesforceConnector(make_config(**overrides), sleep=lambda _seconds: None, outbound=SANDBOX_OUTBOUND)


def token_response(token: str = "00Dxx!token-1", instance: str = INSTANCE) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "access_token": token,
            "instance_url": instance,
            "id": f"{LOGIN}/id/00DHs0000000001AAA/005Hs0000000001AAA",
            "token_type": "Bearer",
            "issued_at": "1772359200000",
            "signature": "c2lnbmF0dXJl",
            "scope": "api",
        },
    )


def page(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return document


def soql_of(request: httpx.Request) -> str:
    return parse_qs(urlsplit(str(request.url)).query)["q"][0]


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("+0000", "+00:00").replace("Z", "+00:00"))


class FakeDescribe:
    """``describeGlobal`` and ``describe`` of an org with every object and field the connector
    reads (plus those of ``tables``), less ``absent`` ones (``"Object"`` or ``"Object.Field"``)."""

    def __init__(
        self,
        router: respx.MockRouter,
        tables: dict[str, list[dict[str, Any]]] | None = None,
        absent: tuple[str, ...] = (),
    ) -> None:
        self.tables = tables or {}
        self.absent = {name.lower() for name in absent}
        self.global_route = router.get(f"{INSTANCE}{DATA}/sobjects").mock(side_effect=self._describe_global)
        self.route = router.get(url__regex=rf"^{re.escape(INSTANCE + DATA)}/sobjects/(\w+)/describe$").mock(
            side_effect=self._describe
        )

    def _objects(self) -> list[str]:
        names = {s.sobject for s in SOBJECTS.values()} | set(self.tables) | {"OpportunityPartner", "RecordType"}
        names |= {"ChannelProgram", "ChannelProgramLevel"}
        return sorted(name for name in names if name.lower() not in self.absent)

    def _describe_global(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"encoding": "UTF-8", "sobjects": [{"name": n} for n in self._objects()]})

    def _describe(self, request: httpx.Request) -> httpx.Response:
        sobject = request.url.path.split("/")[-2]
        if sobject not in self._objects():
            body = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
            return httpx.Response(404, json=body)
        names = {f for s in SOBJECTS.values() if s.sobject == sobject for f in s.fields} | {"DUNS__c"}
        names |= {key for row in self.tables.get(sobject, []) for key in row if key != "attributes"}
        fields = [{"name": n} for n in sorted(names) if f"{sobject}.{n}".lower() not in self.absent]
        return httpx.Response(200, json={"name": sobject, "fields": fields})


class FakeOrg:
    """Token endpoint, describe (``FakeDescribe``), and SOQL over in-memory tables (sObject name →
    records), one page per query."""

    def __init__(
        self, router: respx.MockRouter, tables: dict[str, list[dict[str, Any]]], absent: tuple[str, ...] = ()
    ) -> None:
        self.tables = tables
        self.queries: list[tuple[str, str]] = []  # (endpoint, SOQL)
        self.token = router.post(f"{LOGIN}/services/oauth2/token").mock(return_value=token_response())
        self.describe = FakeDescribe(router, tables, absent)
        router.get(url__regex=rf"^{re.escape(INSTANCE + DATA)}/(query|queryAll)/?\?").mock(side_effect=self._query)

    def _query(self, request: httpx.Request) -> httpx.Response:
        soql = soql_of(request)
        endpoint = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        self.queries.append((endpoint, soql))
        sobject = re.search(r"\bFROM (\w+)", soql)
        assert sobject, soql
        rows = [copy.deepcopy(r) for r in self.tables.get(sobject.group(1), []) if self._matches(r, soql)]
        if endpoint == "query":
            rows = [r for r in rows if not r.get("IsDeleted")]
        return httpx.Response(200, json={"totalSize": len(rows), "done": True, "records": rows})

    @staticmethod
    def _matches(record: dict[str, Any], soql: str) -> bool:
        where = soql.split(" WHERE ", 1)[1].split(" ORDER BY ")[0] if " WHERE " in soql else ""
        for field, values in re.findall(r"(\w+) IN \(([^)]*)\)", where):
            if str(record.get(field)) not in re.findall(r"'([^']*)'", values):
                return False
        for field, value in re.findall(r"(\w+) = '([^']*)'", where):
            if str(record.get(field)) != value:
                return False
        for field, value in re.findall(r"(\w+) >= (\S+)", where):
            if _when(str(record.get(field))) < _when(value):
                return False
        return True


def fixture_tables() -> dict[str, list[dict[str, Any]]]:
    """The recorded pages of tests/fixtures/salesforce as tables of a fake org."""
    records = {
        "Account": "accounts_page.json",
        "Contact": "contacts_page.json",
        "Opportunity": "opportunities_page.json",
        "OpportunityPartner": "opportunity_partners_page.json",
        "Lead": "deal_registrations_page.json",
        "ChannelProgram": "channel_programs_page.json",
        "ChannelProgramLevel": "channel_program_levels_page.json",
        "ChannelProgramMember": "channel_program_members_page.json",
    }
    tables = {sobject: page(name)["records"] for sobject, name in records.items()}
    tables["RecordType"] = [{"Id": RECORD_TYPE_ID, "DeveloperName": "Deal_Registration", "SobjectType": "Lead"}]
    return tables


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as mock:
        yield mock
