"""Rate limits and auth failures as HubSpot answers them.

* a 429 with ``policyName: DAILY`` is raised at once (one request, no retries) as
  ``DailyLimitReached`` with the time until the limit resets, and the hub pauses the stream;
* a rolling-window 429 without ``Retry-After`` is retried with backoff and the read goes on;
* a 530 is an authentication failure, not a 5xx to retry;
* a 423 lock is retried after its two seconds; a 477 portal migration pauses for its Retry-After.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest

from connectors.hubspot.requester import (
    RESET_MARGIN_SECONDS,
    DailyLimitReached,
    MigrationInProgress,
    seconds_until_midnight,
)
from connectors.sdk import AuthError, ReadRequest
from hub.connector_store import ConnectorCreate
from hub.context import Hub
from hub.queries import stream_status
from hub.sync import StreamPaused
from sandbox.server import SandboxServer
from tests.connectors.hubspot.conftest import connector, requests_to


def _spend_daily_limit(hubspot: httpx.Client, allowed: int, *, retry_after: bool = True) -> None:
    response = hubspot.post("/_sandbox/config", json={"daily_limit": allowed, "retry_after": int(retry_after)})
    assert response.status_code == 200, response.text
    hubspot.delete("/_sandbox/stats")


def test_a_daily_limit_is_not_retried(sandbox: SandboxServer, hubspot: httpx.Client) -> None:
    _spend_daily_limit(hubspot, 2)
    hs = connector(sandbox, private_app=True, page_size=10)
    try:
        with pytest.raises(DailyLimitReached) as raised:
            list(hs.read("companies", ReadRequest(mode="full")))
    finally:
        hs.close()
    assert requests_to(hubspot, "/crm/", status=429) == 1  # the first 429 ends the read
    assert requests_to(hubspot, "/crm/", status=200) == 2
    assert raised.value.retry_after is not None and 0 < raised.value.retry_after <= 86_400


def test_without_retry_after_the_pause_lasts_until_midnight_in_the_portals_time_zone(
    sandbox: SandboxServer, hubspot: httpx.Client
) -> None:
    _spend_daily_limit(hubspot, 1, retry_after=False)
    hs = connector(sandbox, private_app=True, page_size=10, portal_timezone="America/Los_Angeles")
    try:
        before = seconds_until_midnight("America/Los_Angeles", datetime.now(UTC))
        with pytest.raises(DailyLimitReached) as raised:
            list(hs.read("companies", ReadRequest(mode="full")))
    finally:
        hs.close()
    assert raised.value.retry_after == pytest.approx(before + RESET_MARGIN_SECONDS, abs=5)
    assert requests_to(hubspot, "/crm/", status=429) == 1


def test_the_hub_pauses_the_stream_until_the_daily_limit_resets(
    hub: Hub, sandbox: SandboxServer, hubspot: httpx.Client
) -> None:
    creds = sandbox.credentials["hubspot"]
    hub.store.create(
        ConnectorCreate(
            id="hsd", kind="hubspot",
            config={"base_url": sandbox.base_urls["hubspot"], "auth_type": "private_app", "page_size": 20},
            credentials={"access_token": creds["private_app_token"]},
        )
    )  # fmt: skip
    _spend_daily_limit(hubspot, 3)
    run = hub.runner.run("hsd", "companies", mode="full")
    assert run.status == "paused" and "daily" in (run.error or "").lower()
    assert requests_to(hubspot, "/crm/", status=429) == 1
    with hub.reader.connect() as conn:
        status = stream_status(conn, "hsd", "companies")
    assert status["state"] == "paused" and status["paused_until"]
    until = datetime.fromisoformat(status["paused_until"].replace("Z", "+00:00"))
    assert (until - datetime.now(UTC)).total_seconds() > 60  # not a one-second blind retry
    with pytest.raises(StreamPaused):
        hub.runner.run("hsd", "companies")


def test_a_rolling_window_429_without_retry_after_is_retried_with_backoff(
    sandbox: SandboxServer, hubspot: httpx.Client
) -> None:
    hubspot.post("/_sandbox/config", json={"retry_after": 0})
    fault = {"kind": "rate_limit", "times": 2, "path_prefix": "/crm/v3/objects/contacts"}
    assert hubspot.post("/_sandbox/faults", json=fault).status_code in (200, 201)
    hubspot.delete("/_sandbox/stats")
    hs = connector(sandbox, page_size=20)
    try:
        first = next(iter(hs.read("contacts", ReadRequest(mode="full"))))
    finally:
        hs.close()
    assert len(first.records) == 20
    assert requests_to(hubspot, "/crm/objects/2026-03/{objectType}", status=429) == 2
    assert requests_to(hubspot, "/crm/objects/2026-03/{objectType}", status=200) == 1


def test_a_530_is_an_auth_failure_and_is_not_retried(sandbox: SandboxServer, hubspot: httpx.Client) -> None:
    fault = {"kind": "status", "status": 530, "times": 3, "path_prefix": "/crm/objects/2026-03/companies"}
    assert hubspot.post("/_sandbox/faults", json=fault).status_code in (200, 201)
    hubspot.delete("/_sandbox/stats")
    hs = connector(sandbox)
    try:
        with pytest.raises(AuthError) as raised:
            hs.check()
    finally:
        hs.close()
    assert raised.value.status == 530
    assert requests_to(hubspot, "/crm/", status=530) == 1


def test_a_423_lock_is_retried_after_two_seconds(sandbox: SandboxServer, hubspot: httpx.Client) -> None:
    fault = {"kind": "status", "status": 423, "times": 1, "path_prefix": "/crm/v3/objects/companies"}
    assert hubspot.post("/_sandbox/faults", json=fault).status_code in (200, 201)
    hubspot.delete("/_sandbox/stats")
    hs = connector(sandbox)
    try:
        started = time.monotonic()
        hs.check()
        elapsed = time.monotonic() - started
    finally:
        hs.close()
    assert elapsed >= 2.0
    assert requests_to(hubspot, "/crm/objects/2026-03/{objectType}", status=423) == 1
    assert requests_to(hubspot, "/crm/objects/2026-03/{objectType}", status=200) == 1


def test_a_portal_migration_pauses_for_its_retry_after(sandbox: SandboxServer, hubspot: httpx.Client) -> None:
    fault = {"kind": "status", "status": 477, "retry_after": 7200, "path_prefix": "/crm/v3/objects/companies"}
    assert hubspot.post("/_sandbox/faults", json=fault).status_code in (200, 201)
    hubspot.delete("/_sandbox/stats")
    hs = connector(sandbox)
    try:
        with pytest.raises(MigrationInProgress) as raised:
            hs.check()
    finally:
        hs.close()
    assert raised.value.retry_after == 7200
    assert requests_to(hubspot, "/crm/", status=477) == 1
