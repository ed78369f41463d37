"""Fault injection shared by all simulators (configured through ``POST /_sandbox/faults``).

Kinds:

* ``status`` — answer ``status`` (default 503) with the system's error body (its message text is
  ``message`` when given: tests plant a marker to prove a client never repeats an upstream's body);
* ``slow`` — sleep ``delay_s`` seconds, then answer normally;
* ``drop`` — close the TCP connection without sending any response;
* ``rate_limit`` — answer 429 with ``Retry-After: retry_after``;
* ``expire_tokens`` — immediate action: expire every OAuth access token now (not queued).

A queued fault applies to the next ``times`` requests whose path starts with ``path_prefix`` and
(if given) whose method equals ``method``.  Admin paths (``/_sandbox/...``) are never faulted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

KINDS = ("status", "slow", "drop", "rate_limit", "expire_tokens")


class FaultSpecError(ValueError):
    """The fault description is invalid."""


@dataclass(slots=True)
class Fault:
    """One queued fault."""

    kind: str
    times: int = 1
    path_prefix: str = ""
    method: str | None = None
    status: int = 503
    delay_s: float = 1.0
    retry_after: int = 1
    message: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON view of the fault."""
        return asdict(self)

    @classmethod
    def from_dict(cls, body: dict[str, Any]) -> Fault:
        """Validate a ``POST /_sandbox/faults`` body."""
        kind = body.get("kind")
        if kind not in KINDS:
            raise FaultSpecError(f"kind must be one of {', '.join(KINDS)}")
        try:
            fault = cls(
                kind=str(kind),
                times=int(body.get("times", 1)),
                path_prefix=str(body.get("path_prefix") or ""),
                method=str(body["method"]).upper() if body.get("method") else None,
                status=int(body.get("status", 503)),
                delay_s=float(body.get("delay_s", 1.0)),
                retry_after=int(body.get("retry_after", 1)),
                message=str(body["message"])[:2000] if body.get("message") else None,
            )
        except (TypeError, ValueError) as exc:
            raise FaultSpecError(f"invalid fault: {exc}") from None
        if fault.times < 1 or not 100 <= fault.status <= 599 or fault.delay_s < 0 or fault.retry_after < 0:
            raise FaultSpecError("times must be >= 1, status 100-599, delay_s and retry_after >= 0")
        return fault


class FaultQueue:
    """Pending faults, consumed first-in first-out by matching requests."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Queue a fault."""
        self._faults.append(fault)

    def clear(self) -> None:
        """Drop every pending fault."""
        self._faults.clear()

    def pending(self) -> list[Fault]:
        """Faults not yet used up."""
        return list(self._faults)

    def take(self, method: str, path: str) -> Fault | None:
        """Consume one use of the first fault matching this request, if any."""
        for fault in self._faults:
            if path.startswith(fault.path_prefix) and (fault.method is None or fault.method == method):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None
