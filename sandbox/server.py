"""Run the simulated systems with uvicorn: in background threads (tests) or in the foreground.

Each simulated system listens on its own port, in the order of :data:`SYSTEMS`: with a base port
``N`` HubSpot gets ``N`` and later systems ``N+1``, ``N+2``...; with port 0 every system gets a
free port.
"""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from sandbox.hubspot import HubSpotConfig, HubSpotState, create_hubspot_app
from sandbox.partnerstack.app import create_partnerstack_app
from sandbox.partnerstack.config import PartnerStackConfig
from sandbox.partnerstack.runner import load_partnerstack_world
from sandbox.partnerstack.state import PartnerStackState
from sandbox.salesforce import (
    HTTPSServerThread,
    SalesforceConfig,
    SalesforceState,
    create_salesforce_app,
    load_salesforce_world,
)
from sandbox.salesforce import credentials as salesforce_credentials
from sandbox.world import load_hubspot_world

SYSTEMS: tuple[str, ...] = ("hubspot", "partnerstack", "salesforce")
#: the path each system's API lives under, below its root URL
API_PATHS: dict[str, str] = {"hubspot": "", "partnerstack": "/api/v2", "salesforce": ""}


class _Listener:
    """One uvicorn server on its own socket and thread."""

    def __init__(self, app: Any, host: str, port: int, log_level: str) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.socket.bind((host, port))
        except OSError as exc:
            self.socket.close()
            raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from exc
        self.port = int(self.socket.getsockname()[1])
        config = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="off", timeout_keep_alive=30)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def start(self, timeout: float = 15.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("sandbox server failed to start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


class SandboxServer:
    """Background sandbox for tests; use as a context manager or call ``start()`` / ``stop()``.

    ``rate_limit`` is HubSpot requests per 10 s per token (0 = off), ``search_rate_limit`` search
    requests per second (0 = off), ``token_ttl`` the OAuth access-token lifetime in seconds.
    ``fixture`` (path or dict) replaces the generated world.  ``hubspot_config`` overrides every
    HubSpot setting at once.  ``webhook_url`` enables HubSpot webhook delivery to that URL (signed
    with the OAuth client secret); otherwise configure it through ``PUT /_sandbox/webhooks``.  The
    delivery thread runs between ``start()`` and ``stop()``.
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
        hubspot_config: HubSpotConfig | None = None,
        webhook_url: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.log_level = log_level
        config = hubspot_config or HubSpotConfig(
            private_app_tokens=(private_app_token,),
            admin_token=admin_token,
            rate_limit=rate_limit,
            search_rate_limit=search_rate_limit,
            token_ttl=token_ttl,
        )
        hubspot_world = load_hubspot_world(fixture, seed=seed, size=size)
        self.hubspot = HubSpotState(hubspot_world, config)
        # PartnerStack's world overlaps HubSpot's: the same partner organisations, with discrepancies.
        self.partnerstack = PartnerStackState(
            load_partnerstack_world(fixture, seed=seed, size=size, hubspot=hubspot_world.section()),
            PartnerStackConfig(admin_token=admin_token),
        )
        # Salesforce is served over HTTPS (its official client speaks nothing else), self-signed.
        self.salesforce = SalesforceState(
            load_salesforce_world(fixture, seed=seed, size=size, hubspot=hubspot_world.section()),
            SalesforceConfig(admin_token=admin_token),
        )
        self._https: HTTPSServerThread | None = None
        if webhook_url:
            self.hubspot.webhooks.configure({"target_url": webhook_url})
        self._listeners: dict[str, _Listener] = {}

    def start(self) -> SandboxServer:
        """Bind the ports and start serving; returns ``self``."""
        if self._listeners:
            return self
        apps = {"hubspot": create_hubspot_app(self.hubspot), "partnerstack": create_partnerstack_app(self.partnerstack)}
        try:
            for offset, name in enumerate(SYSTEMS):
                port = self.port + offset if self.port else 0
                if name == "salesforce":
                    self._https = HTTPSServerThread(
                        create_salesforce_app(self.salesforce), self.host, port, log_level=self.log_level
                    ).start()
                    self.salesforce.base_url = self._https.base_url
                    continue
                listener = _Listener(apps[name], self.host, port, self.log_level)
                self._listeners[name] = listener
                listener.start()
            self.hubspot.webhooks.start()
            self.partnerstack.webhooks.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every system and the webhook delivery threads (idempotent)."""
        self.hubspot.webhooks.stop()
        self.partnerstack.webhooks.stop()
        self.salesforce.outbound.stop()
        for listener in self._listeners.values():
            listener.stop()
        self._listeners.clear()
        if self._https is not None:
            self._https.stop()
            self._https = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def root_urls(self) -> dict[str, str]:
        """Each running system's root (where its ``/_sandbox/`` admin API is)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        roots = {name: f"http://{host}:{lst.port}" for name, lst in self._listeners.items()}
        if self._https is not None:
            roots["salesforce"] = self._https.base_url
        return roots

    @property
    def base_urls(self) -> dict[str, str]:
        """Each running system's API base URL, e.g. ``{"hubspot": "http://127.0.0.1:PORT",
        "partnerstack": "http://127.0.0.1:PORT+1/api/v2"}``."""
        return {name: root + API_PATHS[name] for name, root in self.root_urls.items()}

    @property
    def credentials(self) -> dict[str, dict[str, str]]:
        """Per system: tokens, OAuth client and admin token to use against it."""
        cfg = self.hubspot.config
        return {
            "hubspot": {
                "private_app_token": cfg.private_app_tokens[0],
                "client_id": cfg.client_id,
                "client_secret": cfg.client_secret,
                "refresh_token": cfg.refresh_token,
                "authorization_code": cfg.authorization_code,
                "redirect_uri": cfg.redirect_uri,
                "admin_token": cfg.admin_token,
                "developer_api_key": cfg.developer_api_key,
                "app_id": str(cfg.app_id),
            },
            "partnerstack": self.partnerstack.config.credentials(),
            **(
                {
                    "salesforce": salesforce_credentials(
                        self.salesforce.config, self._https.base_url, self._https.cert_path
                    )
                }
                if self._https is not None
                else {}
            ),
        }

    def describe(self) -> dict[str, Any]:
        """Base URL and credentials per system (what :func:`serve` prints)."""
        roots = self.root_urls
        return {
            name: {"base_url": url, "admin_url": roots[name], **self.credentials[name]}
            for name, url in self.base_urls.items()
        }


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
