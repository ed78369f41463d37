"""A recording SOAP listener on loopback for the outbound-message tests.

Answers every POST with a proper ``<Ack>true</Ack>`` unless scripted otherwise with
:meth:`Listener.script` (status and body for the next requests).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sandbox.salesforce.outbound.envelope import ack_body, parse_notifications


class Listener:
    """Start with :meth:`start`, stop with :meth:`stop`; ``url`` is the endpoint."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self._script: deque[tuple[int, bytes]] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/outbound"

    def start(self) -> Listener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def script(self, *answers: tuple[int, bytes]) -> None:
        """Answer the next requests with these ``(status, body)`` pairs, then acknowledge again."""
        with self._lock:
            self._script.extend(answers)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._script.clear()

    def messages(self) -> list[dict[str, Any]]:
        """Every received envelope, decoded."""
        with self._lock:
            return [parse_notifications(body) for _, body in self.requests]

    def wait_for(self, count: int, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.requests) >= count:
                    return
            time.sleep(0.01)
        raise AssertionError(f"expected {count} requests, got {len(self.requests)}")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        listener = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with listener._lock:
                    listener.requests.append((dict(self.headers.items()), body))
                    status, payload = listener._script.popleft() if listener._script else (200, ack_body())
                self.send_response(status)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler
