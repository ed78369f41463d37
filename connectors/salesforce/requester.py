"""Salesforce's side of the SDK requester: API-usage tracking, quota exhaustion, readable errors.

* Every REST response carries ``Sforce-Limit-Info: api-usage=N/M`` (the org's rolling 24-hour API
  request count); ``LimitTracker`` keeps the last one seen.
* ``403 [{"errorCode": "REQUEST_LIMIT_EXCEEDED"}]`` means that quota is spent. Retrying within the
  run would only spend the customer's other integrations' share, so it is raised at once, outside
  the retry loop, as ``ApiLimitExceeded`` (a ``RateLimited``) with a long ``retry_after``.
* Error bodies are JSON arrays ``[{"message", "errorCode", "fields"}]``; messages name the code.

https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from connectors.salesforce.errors import LIMIT_EXCEEDED, ApiLimitExceeded, describe, error_items
from connectors.sdk import AuthError, Requester, RequestRejected, RetryPolicy, UpstreamError

LIMIT_HEADER = "Sforce-Limit-Info"
_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")


@dataclass(frozen=True)
class ApiUsage:
    """API requests used of the org's rolling 24-hour allowance, as of ``observed_at``."""

    used: int
    limit: int
    observed_at: datetime

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


class LimitTracker:
    """An httpx response hook keeping the last ``Sforce-Limit-Info`` usage seen."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.last: ApiUsage | None = None

    def observe(self, response: httpx.Response) -> None:
        match = _USAGE.search(response.headers.get(LIMIT_HEADER, ""))
        if match:
            with self._lock:
                self.last = ApiUsage(int(match.group(1)), int(match.group(2)), datetime.now(UTC))


class SalesforceRequester(Requester):
    """The SDK requester plus the query batch-size header and Salesforce error translation."""

    def __init__(
        self,
        client: httpx.Client,
        policy: RetryPolicy | None = None,
        *,
        batch_size: int = 2000,
        limit_pause_seconds: float = 3600.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(client, policy, sleep=sleep)
        self.batch_size = batch_size
        self.limit_pause_seconds = limit_pause_seconds

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send with retries (SDK); raise ``ApiLimitExceeded`` on a spent quota, never retrying it."""
        if "/query" in url:  # query, queryAll and their nextRecordsUrl continuations
            headers = {**(headers or {}), "Sforce-Query-Options": f"batchSize={self.batch_size}"}
        try:
            return super().request(method, url, params=params, json=json, headers=headers)
        except UpstreamError as exc:
            raise self._translate(exc, method, url) from exc

    def _translate(self, exc: UpstreamError, method: str, url: str) -> UpstreamError:
        items = error_items(exc.body)
        codes = {str(item.get("errorCode")) for item in items}
        where = f"{method} {url.split('?')[0]}"
        if exc.status == 403 and LIMIT_EXCEEDED in codes:
            return ApiLimitExceeded(
                f"Salesforce API request limit exceeded on {where}: {describe(items)}; pausing "
                f"{self.limit_pause_seconds:.0f} s",
                status=403,
                body=exc.body,
                retry_after=self.limit_pause_seconds,
            )
        if not items or not isinstance(exc, AuthError | RequestRejected):
            return exc
        message = f"HTTP {exc.status} on {where}: {describe(items)}"
        kind = AuthError if isinstance(exc, AuthError) else RequestRejected
        return kind(message, status=exc.status, body=exc.body)
