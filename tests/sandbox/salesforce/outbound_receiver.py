"""A recording SOAP listener on loopback for the outbound-message tests.

Answers every POST with a proper ``<Ack>true</Ack>`` unless scripted otherwise with
:meth:`Listener.script` (status and body for the next requests).
"""

from __future__ import annotations

from typing import Any

from sandbox.salesforce.outbound.envelope import ack_body, parse_notifications
from tests.sandbox.webhook_receiver import Answer, RecordingServer


class Listener(RecordingServer[tuple[dict[str, str], bytes]]):
    """Start with :meth:`start`, stop with :meth:`stop`; ``url`` is the endpoint."""

    content_type = "text/xml; charset=utf-8"

    def __init__(self) -> None:
        super().__init__("/outbound")
        self.default_payload = ack_body()

    def script(self, *answers: tuple[int, bytes]) -> None:
        """Answer the next requests with these ``(status, body)`` pairs, then acknowledge again."""
        self._push(Answer(status, {}, 0, body) for status, body in answers)

    def messages(self) -> list[dict[str, Any]]:
        """Every received envelope, decoded."""
        with self._lock:
            return [parse_notifications(body) for _, body in self.requests]

    def _record(self, path: str, headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
        return (headers, body)
