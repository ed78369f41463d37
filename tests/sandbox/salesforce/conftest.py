"""Fixtures for the Salesforce simulator tests: one shared HTTPS sandbox for the session.

The autouse ``_reset_controls`` here replaces the HubSpot one of ``tests/sandbox/conftest.py`` (so
these tests never start the HubSpot sandbox): after each test it clears faults, restores the
configuration and resets the API usage.  Tests that change data use ``restore_world``.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
import requests

from sandbox.salesforce import SalesforceSandbox, SalesforceWorld, client_ssl_context, generate_world

SEED = 7
SIZE = 6000
API = "/services/data/v59.0"
BASE_CONFIG = {
    "session_ttl": 7200,
    "daily_api_limit": 100_000,
    "replication_id_limit": 600_000,
    "query_locator_limit": 200,
    "rotate_refresh_tokens": False,
    "bulk_polls_to_complete": 1,
    "bulk_fail_jobs": 0,
    "features": {"multicurrency": True, "partner": True},
}


@pytest.fixture(scope="session")
def sf_world() -> SalesforceWorld:
    """The generated world the shared sandbox starts from (do not modify)."""
    return generate_world(seed=SEED, size=SIZE)


@pytest.fixture(scope="session")
def sf_sandbox() -> Iterator[SalesforceSandbox]:
    """The shared HTTPS sandbox."""
    with SalesforceSandbox(seed=SEED, size=SIZE) as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def creds(sf_sandbox: SalesforceSandbox) -> dict[str, str]:
    return sf_sandbox.credentials


@pytest.fixture(scope="session")
def tls(creds: dict[str, str]) -> ssl.SSLContext:
    """SSL context trusting the sandbox certificate."""
    return client_ssl_context(creds["cert_path"])


@pytest.fixture(scope="session")
def api(sf_sandbox: SalesforceSandbox, creds: dict[str, str], tls: ssl.SSLContext) -> Iterator[httpx.Client]:
    """httpx client authenticated with the static session id."""
    headers = {"Authorization": f"Bearer {creds['session_id']}"}
    with httpx.Client(base_url=creds["base_url"], headers=headers, verify=tls, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def admin(creds: dict[str, str], tls: ssl.SSLContext) -> Iterator[httpx.Client]:
    """httpx client for the /_sandbox control endpoints."""
    headers = {"X-Sandbox-Admin": creds["admin_token"]}
    with httpx.Client(base_url=creds["base_url"], headers=headers, verify=tls, timeout=60) as client:
        yield client


@pytest.fixture(autouse=True)
def _reset_controls(request: pytest.FixtureRequest) -> Iterator[None]:
    if "sf_sandbox" not in request.fixturenames:
        yield
        return
    admin_client: httpx.Client = request.getfixturevalue("admin")
    yield
    admin_client.delete("/_sandbox/faults").raise_for_status()
    admin_client.post("/_sandbox/config", json=BASE_CONFIG).raise_for_status()
    admin_client.delete("/_sandbox/usage").raise_for_status()


@pytest.fixture
def restore_world(admin: httpx.Client, sf_world: SalesforceWorld) -> Iterator[None]:
    """Put the pristine generated world back after a test, if it changed any data."""
    before = admin.get("/_sandbox/config").json()["data_version"]
    yield
    if admin.get("/_sandbox/config").json()["data_version"] != before:
        admin.put("/_sandbox/world", json=sf_world.to_fixture()).raise_for_status()


def tls_session(cert_path: str) -> requests.Session:
    """A requests session trusting the sandbox certificate (ignoring REQUESTS_CA_BUNDLE & co)."""
    session = requests.Session()
    session.verify = cert_path
    session.trust_env = False
    return session


class RedirectingSession(requests.Session):
    """Sends simple-salesforce's ``https://<domain>.salesforce.com/...`` login calls to the sandbox."""

    def __init__(self, base_url: str, cert_path: str) -> None:
        super().__init__()
        self.base_url = base_url
        self.verify = cert_path
        self.trust_env = False
        self.login_urls: list[str] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        text = url.decode() if isinstance(url, bytes) else url
        rewritten = re.sub(r"^https://[^/]+\.salesforce\.com", self.base_url, text)
        if rewritten != text:
            self.login_urls.append(text)
        return super().request(method, rewritten, *args, **kwargs)


def server_now(admin: httpx.Client, advance_s: float = 0) -> datetime:
    """The simulator's clock (after moving it forward ``advance_s`` seconds)."""
    now = admin.post("/_sandbox/clock", json={"advance_s": advance_s}).json()["now"]
    return datetime.fromisoformat(now.replace("+0000", "+00:00"))


def query(api: httpx.Client, soql: str, all_rows: bool = False, **kwargs: Any) -> httpx.Response:
    """``GET query?q=`` (or ``queryAll``)."""
    return api.get(f"{API}/{'queryAll' if all_rows else 'query'}", params={"q": soql}, **kwargs)


def ok(response: httpx.Response, status: int = 200) -> Any:
    """Assert the status and return the JSON body."""
    assert response.status_code == status, (response.status_code, response.text[:2000])
    return response.json() if response.content else None


def error_code(response: httpx.Response, status: int) -> str:
    """Assert an error array with ``status``; return its ``errorCode``."""
    assert response.status_code == status, (response.status_code, response.text[:2000])
    body = response.json()
    assert isinstance(body, list) and body and {"message", "errorCode"} <= set(body[0]), body
    return str(body[0]["errorCode"])
