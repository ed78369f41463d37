"""A tiny recording HTTP receiver on loopback for the sandbox webhook tests.

It stores every POST (path, headers, raw body, arrival time) and answers 200 unless told otherwise
with :meth:`Receiver.answer` (status, extra headers, optional delay, for the next ``times`` requests).
:class:`RecordingServer` is the generic recording/scripting/waiting part, shared with the
PartnerStack and Salesforce outbound receivers.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, Self, TypeVar


@dataclass
class Received:
    """One recorded request."""

    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    @property
    def events(self) -> list[dict[str, Any]]:
        """The JSON array body."""
        data = json.loads(self.body)
        assert isinstance(data, list)
        return data

    def header(self, name: str) -> str | None:
        """A header, case-insensitively."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass
class Answer:
    """A scripted answer (``body`` None: the receiver's default payload)."""

    status: int
    headers: dict[str, str]
    delay_s: float
    body: bytes | None = None


R = TypeVar("R")


class RecordingServer(Generic[R]):
    """Records every POST (as built by :meth:`_record`) and answers from a script, else the default.

    Start with :meth:`start`; ``url`` is the target; :meth:`stop` when done.
    """

    content_type = "application/json"
    default_payload = b'{"ok": true}'

    def __init__(self, path: str) -> None:
        self.path = path
        self.requests: list[R] = []
        self._script: deque[Answer] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The full target URL."""
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.path}"

    def start(self) -> Self:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    def answer(self, status: int, times: int = 1, headers: dict[str, str] | None = None, delay_s: float = 0) -> None:
        """Answer the next ``times`` requests with ``status`` (after ``delay_s``)."""
        self._push(Answer(status, headers or {}, delay_s) for _ in range(times))

    def reset(self) -> None:
        """Forget requests and scripted answers."""
        with self._lock:
            self.requests.clear()
            self._script.clear()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[R]:
        """Wait until at least ``count`` requests arrived; return them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.requests) >= count:
                    return list(self.requests)
            time.sleep(0.01)
        raise AssertionError(f"expected {count} requests, got {len(self.requests)}")

    def _push(self, answers: Iterable[Answer]) -> None:
        with self._lock:
            self._script.extend(answers)

    def _record(self, path: str, headers: dict[str, str], body: bytes) -> R:
        """One recorded request."""
        raise NotImplementedError

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.requests.append(receiver._record(self.path, dict(self.headers.items()), body))
                    answer = receiver._script.popleft() if receiver._script else Answer(200, {}, 0)
                if answer.delay_s:
                    time.sleep(answer.delay_s)
                payload = receiver.default_payload if answer.body is None else answer.body
                try:
                    self.send_response(answer.status)
                    for key, value in answer.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Type", receiver.content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the sender gave up (timeout)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


class Receiver(RecordingServer[Received]):
    """The HubSpot webhook target: records :class:`Received` requests."""

    def __init__(self, path: str = "/webhooks/hs") -> None:
        super().__init__(path)

    def events(self) -> list[dict[str, Any]]:
        """Every event received, in arrival order."""
        with self._lock:
            return [e for r in self.requests for e in r.events]

    def _record(self, path: str, headers: dict[str, str], body: bytes) -> Received:
        return Received(path, headers, body)
