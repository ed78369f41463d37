"""A tiny recording webhook target on loopback for the PartnerStack sandbox tests.

Stores every POST (path, headers, parsed JSON body) and answers 200 unless scripted otherwise with
:meth:`Receiver.answer` (status and optional delay for the next ``times`` requests).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tests.sandbox.webhook_receiver import RecordingServer


@dataclass
class Hit:
    """One recorded request."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class Receiver(RecordingServer[Hit]):
    """Start with :meth:`start`, stop with :meth:`stop`; ``url`` is the target to register."""

    def __init__(self, path: str = "/hooks/partnerstack") -> None:
        super().__init__(path)

    @property
    def hits(self) -> list[Hit]:
        """Every recorded request, in arrival order."""
        return self.requests

    def bodies(self) -> list[dict[str, Any]]:
        """Every body received, in arrival order."""
        with self._lock:
            return [h.body for h in self.hits]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:  # type: ignore[override]
        """Wait until at least ``count`` requests arrived; return all bodies."""
        return [h.body for h in super().wait_for(count, timeout)]

    def _record(self, path: str, headers: dict[str, str], body: bytes) -> Hit:
        return Hit(path, headers, json.loads(body))
