"""One signed HTTP delivery attempt and the classification of its outcome (reference A8 retry rules).

Retried: connection failure, timeout, 5xx, 429 (``Retry-After`` honoured).  Every other non-2xx
answer (400, 401, 403, 404, 405, …, and 3xx — redirects are not followed) is final.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from sandbox.hubspot.webhooks.events import Event
from sandbox.hubspot.webhooks.signing import delivery_headers
from sandbox.kit.clock import wall_ms
from sandbox.kit.retry_after import parse_retry_after

RESPONSE_PREVIEW = 2000


@dataclass(slots=True)
class AttemptResult:
    """What happened to one POST."""

    status: int | None
    error: str | None
    retry_after: float | None
    response_body: str
    request_headers: dict[str, str]
    started_ms: int
    finished_ms: int

    @property
    def outcome(self) -> str:
        """``delivered``, ``retry`` (retryable failure) or ``rejected`` (final failure)."""
        if self.status is None or self.status == 429 or self.status >= 500:
            return "retry"
        return "delivered" if 200 <= self.status < 300 else "rejected"

    def log_fields(self) -> dict[str, Any]:
        """The fields shared by every delivery-log entry."""
        return {
            "status": self.status,
            "error": self.error,
            "startedAt": self.started_ms,
            "finishedAt": self.finished_ms,
            "durationMs": self.finished_ms - self.started_ms,
        }


def encode_body(events: list[Event], attempt: int | None = None) -> bytes:
    """The JSON array sent; ``attempt`` overrides every event's ``attemptNumber`` (key order kept)."""
    if attempt is not None:
        events = [{**e, "attemptNumber": attempt} if "attemptNumber" in e else e for e in events]
    return orjson.dumps(events)


def send(
    client: httpx.Client,
    url: str,
    body: bytes,
    *,
    client_secret: str | None,
    versions: tuple[str, ...] | list[str],
    timeout_s: float,
    timestamp_offset_ms: int = 0,
    sent_body: bytes | None = None,
) -> AttemptResult:
    """Sign ``body`` for ``url`` now and POST it (``sent_body`` replaces it after signing: tampering)."""
    started = wall_ms()
    headers = delivery_headers(client_secret, versions, url, body, started + timestamp_offset_ms, int(timeout_s * 1000))
    payload = body if sent_body is None else sent_body
    try:
        response = client.post(url, content=payload, headers=headers, timeout=timeout_s)
    except httpx.TimeoutException as exc:
        return AttemptResult(None, f"timeout: {type(exc).__name__}", None, "", headers, started, wall_ms())
    except httpx.HTTPError as exc:
        return AttemptResult(None, f"{type(exc).__name__}: {exc}", None, "", headers, started, wall_ms())
    return AttemptResult(
        response.status_code,
        None,
        parse_retry_after(response.headers.get("retry-after")),
        response.text[:RESPONSE_PREVIEW],
        headers,
        started,
        wall_ms(),
    )
