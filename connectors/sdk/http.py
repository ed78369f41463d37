"""The requester: one place where HTTP calls are made, classified, and retried.

Retries use tenacity: exponential backoff with full jitter, honouring ``Retry-After`` up to a cap.
Only transient failures are retried (429, 5xx, timeouts, dropped connections); a 4xx is final.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from connectors.sdk.errors import AuthError, RateLimited, RequestRejected, TransientError, error_codes

_TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. ``max_retry_after`` caps an upstream's requested wait."""

    attempts: int = 6
    initial_wait: float = 0.5
    max_wait: float = 30.0
    max_retry_after: float = 60.0
    give_up_after: float = 300.0


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def classify(response: httpx.Response) -> None:
    """Raise the SDK error matching a non-2xx response; return quietly on success.

    The body is kept on the error as ``body``; what the hub records of a failed run is
    ``public_message(error)``: status line, request and error codes, never the body, so a
    misdirected URL cannot turn an internal service's answer into a readable ``last_error``."""
    status = response.status_code
    if status < 400:
        return
    body = response.text[:2000]
    where = f"{response.request.method} {response.request.url.path}"
    codes = error_codes(body)
    named = f" ({', '.join(codes)})" if codes else ""
    if status == 429:
        raise RateLimited(
            f"rate limited (HTTP 429) on {where}{named}",
            status=status,
            body=body,
            where=where,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if status >= 500 or status == 408:
        raise TransientError(
            f"upstream error HTTP {status} on {where}{named}",
            status=status,
            body=body,
            where=where,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if status in (401, 403):
        raise AuthError(
            f"authentication failed (HTTP {status}) on {where}{named}", status=status, body=body, where=where
        )
    # the body's start stays in this message: a write's per-record result shows the upstream's
    # validation error; a sync run's ``last_error`` goes through ``public_message`` (status and codes)
    raise RequestRejected(
        f"request rejected (HTTP {status}) on {where}: {body[:300]}", status=status, body=body, where=where
    )


class Requester:
    """Sends requests through one ``httpx.Client`` with the retry policy applied.

    Pass your own client (with ``base_url`` and ``auth`` set) to use the sandbox, a proxy, or an
    ``httpx.MockTransport`` in tests.
    """

    def __init__(
        self,
        client: httpx.Client,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[BaseException, float], None] | None = None,
    ) -> None:
        self.client = client
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._on_retry = on_retry
        self._backoff = wait_random_exponential(multiplier=self.policy.initial_wait, max=self.policy.max_wait)
        self.retries = 0

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, TransientError) and error.retry_after is not None:
            return min(error.retry_after, self.policy.max_retry_after)
        return float(self._backoff(state))

    def _before_sleep(self, state: RetryCallState) -> None:
        self.retries += 1
        if self._on_retry and state.outcome and state.next_action:
            error = state.outcome.exception()
            if error is not None:
                self._on_retry(error, state.next_action.sleep)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send, retrying transient failures; return the 2xx response or raise an SDK error."""

        def attempt() -> httpx.Response:
            try:
                response = self.client.request(method, url, params=params, json=json, headers=headers)
            except _TRANSPORT_ERRORS as exc:
                raise TransientError(f"{type(exc).__name__} on {method} {url}: {exc}") from exc
            classify(response)
            return response

        retrying = Retrying(
            retry=retry_if_exception_type(TransientError),
            stop=stop_after_attempt(self.policy.attempts) | stop_after_delay(self.policy.give_up_after),
            wait=self._wait,
            sleep=self._sleep,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        return retrying(attempt)

    def get_json(self, url: str, **kwargs: Any) -> Any:
        return self.request("GET", url, **kwargs).json()

    def post_json(self, url: str, body: Any, **kwargs: Any) -> Any:
        return self.request("POST", url, json=body, **kwargs).json()
