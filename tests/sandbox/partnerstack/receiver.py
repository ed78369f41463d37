"""A tiny recording webhook target on loopback for the PartnerStack sandbox tests.

Stores every POST (path, headers, parsed JSON body) and answers 200 unless scripted otherwise with
:meth:`Receiver.answer` (status and optional delay for the next ``times`` requests).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Hit:
    """One recorded request."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class Receiver:
    """Start with :meth:`start`, stop with :meth:`stop`; ``url`` is the target to register."""

    def __init__(self, path: str = "/hooks/partnerstack") -> None:
        self.path = path
        self.hits: list[Hit] = []
        self._script: deque[tuple[int, float]] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The full target URL."""
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.path}"

    def start(self) -> Receiver:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    def answer(self, status: int, times: int = 1, delay_s: float = 0.0) -> None:
        """Answer the next ``times`` requests with ``status`` after ``delay_s``."""
        with self._lock:
            self._script.extend((status, delay_s) for _ in range(times))

    def reset(self) -> None:
        """Forget hits and scripted answers."""
        with self._lock:
            self.hits.clear()
            self._script.clear()

    def bodies(self) -> list[dict[str, Any]]:
        """Every body received, in arrival order."""
        with self._lock:
            return [h.body for h in self.hits]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until at least ``count`` requests arrived; return all bodies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.hits) >= count:
                    return [h.body for h in self.hits]
            time.sleep(0.01)
        raise AssertionError(f"expected {count} webhook requests, got {len(self.hits)}")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.hits.append(Hit(self.path, dict(self.headers.items()), json.loads(raw)))
                    status, delay = receiver._script.popleft() if receiver._script else (200, 0.0)
                if delay:
                    time.sleep(delay)
                payload = b'{"ok": true}'
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler
