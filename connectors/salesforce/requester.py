"""Salesforce's side of the SDK requester: API-usage tracking, the two request limits, readable errors.

* Every REST response carries ``Sforce-Limit-Info: api-usage=N/M`` (the org's rolling 24-hour API
  request count and allowance); ``LimitTracker`` keeps the last one seen.
* ``403 [{"errorCode": "REQUEST_LIMIT_EXCEEDED"}]`` answers two different limits:

  - the **daily quota** is spent ("TotalRequests Limit exceeded."): api-usage is at (or, with API
    bursts, past) its limit. Retrying within the run would only spend the customer's other
    integrations' share, so it is raised at once as ``ApiLimitExceeded`` (a ``RateLimited``) with a
    long ``retry_after``, and the hub pauses the stream;
  - the **concurrent** long-running request limit ("ConcurrentRequests (Concurrent API Requests)
    Limit exceeded.": by default 25 requests of 20 s or more at once in a production org): quota
    is left. The request is retried after a short, growing wait; only when those retries are spent
    is ``ConcurrentLimitExceeded`` (a ``TransientError``, no pause) raised.

  They are told apart by the 403's own ``Sforce-Limit-Info``; without one, by ``GET /limits``
  (``DailyApiRequests.Remaining``); only if that fails too, by the message.
* Error bodies are JSON arrays ``[{"message", "errorCode", "fields"}]``; messages name the code.

https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
https://help.salesforce.com/s/articleView?id=000389067 (concurrent API request errors)
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from connectors.salesforce.errors import (
    LIMIT_EXCEEDED,
    ApiLimitExceeded,
    ConcurrentLimitExceeded,
    describe,
    error_items,
)
from connectors.sdk import AuthError, Requester, RequestRejected, RetryPolicy, UpstreamError

log = logging.getLogger(__name__)

LIMIT_HEADER = "Sforce-Limit-Info"
_USAGE = re.compile(r"(?<![-\w])api-usage=(\d+)/(\d+)")  # not per-app-api-usage


@dataclass(frozen=True)
class ApiUsage:
    """API requests used of the org's rolling 24-hour allowance, as of ``observed_at``."""

    used: int
    limit: int
    observed_at: datetime

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


def parse_usage(value: str | None) -> ApiUsage | None:
    """``api-usage=18/5000[; api-bursts=...]`` → usage (None when absent or unreadable)."""
    match = _USAGE.search(value or "")
    return ApiUsage(int(match.group(1)), int(match.group(2)), datetime.now(UTC)) if match else None


class LimitTracker:
    """An httpx response hook keeping the ``Sforce-Limit-Info`` usage seen last (per thread too, so
    a 403 is judged by its own header, not by another thread's response)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self.last: ApiUsage | None = None

    def observe(self, response: httpx.Response) -> None:
        usage = parse_usage(response.headers.get(LIMIT_HEADER))
        self._local.usage = usage
        if usage is not None:
            with self._lock:
                self.last = usage

    def of_last_response(self) -> ApiUsage | None:
        """The usage the calling thread's last response carried (None if it had no header)."""
        usage: ApiUsage | None = getattr(self._local, "usage", None)
        return usage


class SalesforceRequester(Requester):
    """The SDK requester plus the query batch-size header, the request limits and Salesforce errors."""

    def __init__(
        self,
        client: httpx.Client,
        policy: RetryPolicy | None = None,
        *,
        batch_size: int = 2000,
        limit_pause_seconds: float = 3600.0,
        limits: LimitTracker | None = None,
        limits_url: str | None = None,
        concurrent_retries: int = 4,
        concurrent_wait_seconds: float = 20.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(client, policy, sleep=sleep)
        self.batch_size = batch_size
        self.limit_pause_seconds = limit_pause_seconds
        self.limits = limits or LimitTracker()
        self.limits_url = limits_url
        self.concurrent_retries = concurrent_retries
        self.concurrent_wait_seconds = concurrent_wait_seconds
        self._pause = sleep
        self.concurrent_waits = 0

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send with retries (SDK); wait out the concurrent limit; raise ``ApiLimitExceeded`` at once
        on a spent daily quota."""
        if "/query" in url and "/jobs/" not in url:  # query, queryAll, their nextRecordsUrl continuations
            headers = {**(headers or {}), "Sforce-Query-Options": f"batchSize={self.batch_size}"}
        attempt = 0
        while True:
            try:
                return super().request(method, url, params=params, json=json, headers=headers)
            except UpstreamError as exc:
                error = self._translate(exc, method, url)
                if not isinstance(error, ConcurrentLimitExceeded) or attempt >= self.concurrent_retries:
                    raise error from exc
            wait = self.concurrent_wait_seconds * 2**attempt * random.uniform(0.75, 1.25)
            log.warning("Salesforce concurrent request limit on %s %s; retrying in %.0f s", method, url, wait)
            attempt += 1
            self.concurrent_waits += 1
            self._pause(wait)

    def _quota_spent(self, body: str | None) -> bool:
        """Whether a REQUEST_LIMIT_EXCEEDED is the daily quota (True) or the concurrent limit."""
        usage = self.limits.of_last_response()
        if usage is not None:
            return usage.used >= usage.limit
        if self.limits_url is not None:
            try:
                # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
                document = super().request("GET", self.limits_url).json()
                remaining = document["DailyApiRequests"]["Remaining"]
                return int(remaining) <= 0
            except (UpstreamError, ValueError, KeyError, TypeError) as exc:
                log.info("Salesforce limits unreadable (%s); judging REQUEST_LIMIT_EXCEEDED by its message", exc)
        return "concurrent" not in describe(error_items(body)).lower()

    def _translate(self, exc: UpstreamError, method: str, url: str) -> UpstreamError:
        items = error_items(exc.body)
        codes = {str(item.get("errorCode")) for item in items}
        where = f"{method} {url.split('?')[0]}"
        if exc.status == 403 and LIMIT_EXCEEDED in codes:
            if self._quota_spent(exc.body):
                return ApiLimitExceeded(
                    f"Salesforce daily API request limit exceeded on {where}: {describe(items)}; pausing "
                    f"{self.limit_pause_seconds:.0f} s",
                    status=403,
                    body=exc.body,
                    where=where,
                    retry_after=self.limit_pause_seconds,
                )
            return ConcurrentLimitExceeded(
                f"Salesforce concurrent request limit on {where}: {describe(items)}",
                status=403,
                body=exc.body,
                where=where,
            )
        if not items or not isinstance(exc, AuthError | RequestRejected):
            return exc
        message = f"HTTP {exc.status} on {where}: {describe(items)}"
        kind = AuthError if isinstance(exc, AuthError) else RequestRejected
        return kind(message, status=exc.status, body=exc.body, where=where)
