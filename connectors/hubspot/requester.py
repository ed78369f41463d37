"""HubSpot's side of the SDK requester: the daily limit, 429s without Retry-After, and 530.

* ``429`` bodies name the limit hit in ``policyName``: ``DAILY`` for the daily allowance, ``SECONDLY``
  / ``TEN_SECONDLY_ROLLING`` for the rolling windows; "The daily limit resets at midnight based on
  your time zone setting" (HubSpot's API usage guidelines, https://developers.hubspot.com/docs/api/usage-details,
  quoted in https://community.hubspot.com/t5/APIs-Integrations/Hubspot-User-experience/m-p/511719).
  Retrying a spent daily limit only spends the portal's error budget, so it is raised at once,
  outside the retry loop, as ``DailyLimitReached`` (a ``RateLimited``) whose ``retry_after`` is the
  time until the next midnight in ``portal_timezone`` (or the ``Retry-After`` the 429 carried); the hub
  pauses the stream until then (``stream_state.paused_until``).
* A rolling-window 429 is the SDK's ``RateLimited``: retried with the SDK's exponential backoff
  (tenacity, full jitter) when it carries no ``Retry-After`` (HubSpot does not document one).
* ``423 Locked`` (too many writes to one record set; "locks will last for 2 seconds") is retried after
  at least 2 s; ``477 Migration in Progress`` (the portal moves between data centres; ``Retry-After``
  "typically up to 24 hours") pauses the stream like a spent limit, as ``MigrationInProgress``
  (https://developers.hubspot.com/docs/api-reference/error-handling).
* ``530`` is answered for some authentication failures (HubSpot's error-handling page does not list
  it; Airbyte's HubSpot connector fails 401 and 530 alike as "cannot be authorized with provided
  credentials", https://github.com/airbytehq/airbyte/blob/master/airbyte-integrations/connectors/source-hubspot/source_hubspot/manifest.yaml).
  It is an ``AuthError``, never retried as a 5xx.

The checks run as an httpx response hook, before the SDK classifies the response; the one the
retry loop must not retry travels through it as ``_NotRetried`` (not a ``TransientError``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from connectors.sdk import (
    AuthError,
    ConnectorError,
    RateLimited,
    Requester,
    RetryPolicy,
    TransientError,
    parse_retry_after,
)

DAILY_POLICY = "DAILY"
RESET_MARGIN_SECONDS = 60.0
LOCK_SECONDS = 2.0
MIGRATION_PAUSE_SECONDS = 3600.0


class DailyLimitReached(RateLimited):
    """The portal's daily API allowance is spent (429, ``policyName: DAILY``); ``retry_after`` is the
    number of seconds until it resets."""


class MigrationInProgress(RateLimited):
    """HTTP 477: the portal is being migrated; ``retry_after`` is HubSpot's ``Retry-After`` (or an hour)."""


class _NotRetried(ConnectorError):
    """Carries an error past the SDK's retry loop (which retries every ``TransientError``)."""

    def __init__(self, error: ConnectorError) -> None:
        super().__init__(str(error))
        self.error = error


def policy_name(response: httpx.Response) -> str | None:
    """``policyName`` of a HubSpot 429 body, if it is JSON and has one."""
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return None
    policy = body.get("policyName") if isinstance(body, dict) else None
    return str(policy) if policy else None


def seconds_until_midnight(zone: str, now: datetime | None = None) -> float:
    """Seconds from ``now`` to the next midnight in time zone ``zone``."""
    tz = ZoneInfo(zone)
    local = (now or datetime.now(tz)).astimezone(tz)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return max(0.0, (midnight - local).total_seconds())


class HubSpotRequester(Requester):
    """The SDK requester with HubSpot's daily limit, 423, 477 and 530 classified before any retry."""

    def __init__(
        self,
        client: httpx.Client,
        policy: RetryPolicy | None = None,
        *,
        portal_timezone: str = "UTC",
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(client, policy, sleep=sleep)
        self.portal_timezone = portal_timezone
        self._now = now
        hooks = client.event_hooks
        hooks["response"] = [*hooks.get("response", []), self.inspect]
        client.event_hooks = hooks

    def inspect(self, response: httpx.Response) -> None:
        """Response hook: raise for 423, 477, 530 and a spent daily limit; let everything else through."""
        status = response.status_code
        if status not in (423, 429, 477, 530):
            return
        response.read()
        where = f"{response.request.method} {response.request.url.path}"
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if status == 423:
            wait = max(LOCK_SECONDS, retry_after or 0.0)
            raise TransientError(
                f"locked (HTTP 423) on {where}", status=423, body=response.text[:2000], retry_after=wait, where=where
            )
        if status == 477:
            wait = retry_after or MIGRATION_PAUSE_SECONDS
            message = f"portal migration in progress (HTTP 477) on {where}; retry in {wait:.0f} s"
            raise _NotRetried(
                MigrationInProgress(message, status=477, body=response.text[:2000], retry_after=wait, where=where)
            )
        if status == 530:
            raise AuthError(
                f"authentication failed (HTTP 530) on {where}", status=530, body=response.text[:2000], where=where
            )
        daily = (
            policy_name(response) == DAILY_POLICY or response.headers.get("X-HubSpot-RateLimit-Daily-Remaining") == "0"
        )
        if not daily:
            return  # a rolling window: the SDK retries it
        now = self._now() if self._now else None
        wait = retry_after or seconds_until_midnight(self.portal_timezone, now) + RESET_MARGIN_SECONDS
        raise _NotRetried(
            DailyLimitReached(
                f"HubSpot daily API limit reached on {where}; "
                f"it resets in {wait:.0f} s (midnight {self.portal_timezone})",
                status=429,
                body=response.text[:2000],
                retry_after=wait,
                where=where,
            )
        )

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send with the SDK's retries; a spent daily limit is raised at the first 429."""
        try:
            return super().request(method, url, params=params, json=json, headers=headers)
        except _NotRetried as exc:
            raise exc.error from None
