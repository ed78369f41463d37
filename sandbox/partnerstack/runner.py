"""Serve one PartnerStack simulator with uvicorn in a background thread (tests, demos).

::

    with PartnerStackServer(seed=7, size=300) as server:
        httpx.get(server.base_url + "/api/v2/partnerships", auth=server.auth)

``sandbox.server`` may instead mount :func:`create_partnerstack_app` on its own listener; this
helper exists so the simulator can be used and tested on its own.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from sandbox.partnerstack.app import create_partnerstack_app
from sandbox.partnerstack.config import PartnerStackConfig
from sandbox.partnerstack.generate import generate_world
from sandbox.partnerstack.state import PartnerStackState
from sandbox.partnerstack.world import SECTION, PartnerStackWorld


def load_partnerstack_world(
    fixture: str | Path | dict[str, Any] | None,
    seed: int = 7,
    size: int = 1000,
    hubspot: dict[str, Any] | None = None,
) -> PartnerStackWorld:
    """The world from a fixture (path, document or section), else generated (linked to ``hubspot`` if given).

    A fixture document without a ``partnerstack`` key (e.g. an older HubSpot-only fixture) gives a
    generated world, linked to that document's ``hubspot`` section when it has one.
    """
    if fixture is None:
        return generate_world(seed=seed, size=size, hubspot=hubspot)
    doc = fixture if isinstance(fixture, dict) else json.loads(Path(fixture).read_text(encoding="utf-8"))
    if isinstance(doc, dict) and "format" in doc and SECTION not in doc:
        return generate_world(seed=seed, size=size, hubspot=doc.get("hubspot") or hubspot)
    return PartnerStackWorld.from_json(doc)


class PartnerStackServer:
    """One simulator on its own loopback port; context manager or ``start()`` / ``stop()``."""

    def __init__(
        self,
        state: PartnerStackState | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 7,
        size: int = 1000,
        fixture: str | Path | dict[str, Any] | None = None,
        config: PartnerStackConfig | None = None,
        log_level: str = "warning",
    ) -> None:
        self.state = state or PartnerStackState(load_partnerstack_world(fixture, seed, size), config)
        self.host = host
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket.bind((host, port))
        self.port = int(self._socket.getsockname()[1])
        uv_config = uvicorn.Config(
            create_partnerstack_app(self.state), log_level=log_level, access_log=False, lifespan="off"
        )
        self._server = uvicorn.Server(uv_config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    def start(self, timeout: float = 15.0) -> PartnerStackServer:
        """Start serving and the webhook delivery thread; returns ``self``."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("PartnerStack sandbox failed to start")
            time.sleep(0.01)
        self.state.webhooks.start()
        return self

    def stop(self) -> None:
        """Stop the webhook thread and the server."""
        self.state.webhooks.stop()
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> PartnerStackServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (the API lives under ``/api/v2``)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    @property
    def auth(self) -> tuple[str, str]:
        """``(public_key, secret_key)`` for HTTP Basic auth."""
        return self.state.config.public_key, self.state.config.secret_key

    @property
    def credentials(self) -> dict[str, str]:
        """Keys and admin token."""
        return self.state.config.credentials()
