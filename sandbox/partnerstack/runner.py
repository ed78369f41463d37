"""Serve one PartnerStack simulator with uvicorn in a background thread (tests, demos).

::

    with PartnerStackServer(seed=7, size=300) as server:
        httpx.get(server.base_url + "/api/v2/partnerships", auth=server.auth)

``sandbox.server`` instead serves :func:`create_partnerstack_app` beside the other systems (see
:mod:`sandbox.partnerstack.simulator`); this helper exists so the simulator can be used and tested
on its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from sandbox.ecosystem import Ecosystem
from sandbox.ecosystem.vocabulary import SECTION as ECOSYSTEM_SECTION
from sandbox.kit.serving import Listener
from sandbox.partnerstack.app import create_partnerstack_app
from sandbox.partnerstack.config import PartnerStackConfig
from sandbox.partnerstack.generate import generate_world
from sandbox.partnerstack.state import PartnerStackState
from sandbox.partnerstack.world import SECTION, PartnerStackWorld


def load_partnerstack_world(
    fixture: str | Path | dict[str, Any] | None,
    seed: int = 7,
    size: int = 1000,
    ecosystem: Ecosystem | Mapping[str, Any] | None = None,
) -> PartnerStackWorld:
    """The world from a fixture (path, document or section), else generated (from ``ecosystem`` if given).

    A fixture document without a ``partnerstack`` key (e.g. an older HubSpot-only fixture) gives a
    generated world, projected from ``ecosystem`` or else from the document's ecosystem section.
    """
    if fixture is None:
        return generate_world(seed=seed, size=size, ecosystem=ecosystem)
    doc = fixture if isinstance(fixture, dict) else json.loads(Path(fixture).read_text(encoding="utf-8"))
    if isinstance(doc, dict) and "format" in doc and SECTION not in doc:
        own = doc.get(ECOSYSTEM_SECTION)
        return generate_world(seed=seed, size=size, ecosystem=ecosystem if ecosystem is not None else own or None)
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
        self._listener = Listener(create_partnerstack_app(self.state), host, port, log_level)
        self.port = self._listener.port

    def start(self, timeout: float = 15.0) -> PartnerStackServer:
        """Start serving and the webhook delivery thread; returns ``self``."""
        self._listener.start(timeout)
        self.state.webhooks.start()
        return self

    def stop(self) -> None:
        """Stop the webhook thread and the server."""
        self.state.webhooks.stop()
        self._listener.stop()

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
