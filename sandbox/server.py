"""Run the simulated systems with uvicorn: in background threads (tests) or in the foreground.

Each simulated system of :data:`sandbox.systems.SYSTEMS` listens on its own port, in the table's
order: with a base port ``N`` the first gets ``N`` and later systems ``N+1``, ``N+2``...; with port
0 every system gets a free port.  Nothing here names a system: every system is a
:class:`sandbox.simulator.Simulator` built from the one shared :class:`sandbox.ecosystem.Ecosystem`.
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from sandbox.ecosystem import Ecosystem, load_fixture
from sandbox.kit.serving import HTTPSServerThread, Listener
from sandbox.simulator import BuildContext, Simulator
from sandbox.systems import SYSTEMS

#: the path each system's API lives under, below its root URL
API_PATHS: dict[str, str] = {sim.name: sim.api_path for sim in SYSTEMS}


class SandboxServer:
    """Background sandbox for tests; use as a context manager or call ``start()`` / ``stop()``.

    Every system's state is an attribute named after it (``server.hubspot``, ``server.salesforce``,
    ...; also ``server.states``).  ``fixture`` (path or dict) replaces the generated ecosystem: each
    system loads its own section, or projects the fixture's ecosystem section when it has none.
    HubSpot's options: ``rate_limit`` is requests per 10 s per token (0 = off),
    ``search_rate_limit`` search requests per second (0 = off), ``token_ttl`` the OAuth
    access-token lifetime in seconds, ``hubspot_config`` overrides every HubSpot setting at once,
    ``webhook_url`` enables HubSpot webhook delivery to that URL (signed with the OAuth client
    secret; otherwise configure it through ``PUT /_sandbox/webhooks``).  Background loops (webhook
    delivery, outbound messages) run between ``start()`` and ``stop()``.  ``systems`` serves another
    table than :data:`sandbox.systems.SYSTEMS` (e.g. one system).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 7,
        size: int = 1000,
        fixture: str | Path | dict[str, Any] | None = None,
        rate_limit: int = 190,
        search_rate_limit: int = 5,
        token_ttl: float = 1800.0,
        private_app_token: str = "pat-na1-sandbox",
        admin_token: str = "sandbox-admin",
        log_level: str = "warning",
        hubspot_config: Any = None,
        webhook_url: str | None = None,
        systems: Sequence[Simulator[Any]] = SYSTEMS,
    ) -> None:
        self.host = host
        self.port = port
        self.log_level = log_level
        self.systems = tuple(systems)
        doc = load_fixture(fixture) if fixture is not None else None
        self.ecosystem = Ecosystem.generate(seed=seed, size=size) if doc is None else Ecosystem.from_section(doc)
        options = {
            "rate_limit": rate_limit,
            "search_rate_limit": search_rate_limit,
            "token_ttl": token_ttl,
            "private_app_token": private_app_token,
            "hubspot_config": hubspot_config,
            "webhook_url": webhook_url,
        }
        context = BuildContext(self.ecosystem, doc, seed, size, admin_token, options)
        self.states: dict[str, Any] = {sim.name: sim.build(context) for sim in self.systems}
        self._endpoints: dict[str, Listener | HTTPSServerThread] = {}

    def __getattr__(self, name: str) -> Any:
        states = self.__dict__.get("states") or {}
        if name in states:
            return states[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def start(self) -> SandboxServer:
        """Bind the ports and start serving; returns ``self``."""
        if self._endpoints:
            return self
        try:
            for offset, sim in enumerate(self.systems):
                port = self.port + offset if self.port else 0
                app = sim.app(self.states[sim.name])
                endpoint: Listener | HTTPSServerThread
                if sim.tls:
                    endpoint = HTTPSServerThread(app, self.host, port, log_level=self.log_level)
                else:
                    endpoint = Listener(app, self.host, port, self.log_level)
                self._endpoints[sim.name] = endpoint
                endpoint.start()
            for sim in self.systems:
                sim.started(self.states[sim.name], self._endpoints[sim.name])
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every system's background loops and listener (idempotent)."""
        for sim in self.systems:
            sim.stopping(self.states[sim.name])
        for endpoint in self._endpoints.values():
            endpoint.stop()
        self._endpoints.clear()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def root_urls(self) -> dict[str, str]:
        """Each running system's root (where its ``/_sandbox/`` admin API is)."""
        return {name: endpoint.base_url for name, endpoint in self._endpoints.items()}

    @property
    def base_urls(self) -> dict[str, str]:
        """Each running system's API base URL, e.g. ``{"hubspot": "http://127.0.0.1:PORT",
        "partnerstack": "http://127.0.0.1:PORT+1/api/v2"}``."""
        return {sim.name: self._endpoints[sim.name].base_url + sim.api_path for sim in self._running()}

    @property
    def credentials(self) -> dict[str, dict[str, str]]:
        """Per running system: tokens, OAuth client and admin token to use against it."""
        return {sim.name: sim.credentials(self.states[sim.name], self._endpoints[sim.name]) for sim in self._running()}

    def describe(self) -> dict[str, Any]:
        """Base URL and credentials per system (what :func:`serve` prints)."""
        roots, credentials = self.root_urls, self.credentials
        return {
            name: {"base_url": url, "admin_url": roots[name], **credentials[name]}
            for name, url in self.base_urls.items()
        }

    def _running(self) -> list[Simulator[Any]]:
        return [sim for sim in self.systems if sim.name in self._endpoints]


def serve(
    port: int = 8900,
    seed: int = 7,
    size: int = 1000,
    fixture: str | Path | None = None,
    host: str = "127.0.0.1",
    as_json: bool = False,
    **options: Any,
) -> None:
    """Serve in the foreground until Ctrl+C, printing every system's base URL and credentials.

    Extra ``options`` are passed to :class:`SandboxServer` (``rate_limit``, ``token_ttl``, ...).
    """
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with SandboxServer(host=host, port=port, seed=seed, size=size, fixture=fixture, **options) as server:
        info = server.describe()
        if as_json:
            print(json.dumps(info), flush=True)
        else:
            source = f"fixture {fixture}" if fixture else f"seed={seed}, size={size}"
            print(f"Sandbox running ({source}). Press Ctrl+C to stop.")
            for name, values in info.items():
                print(f"{name}: {values['base_url']}")
                for key, value in values.items():
                    if key != "base_url":
                        print(f"  {key}: {value}")
            print("  admin header: X-Sandbox-Admin")
            # the hub refuses loopback destinations unless they are allowed (docs/security.md)
            print(f"hub: export HUB_OUTBOUND_ALLOW={host},localhost,::1 so the hub may call it", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
