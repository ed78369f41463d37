"""Serving the simulator over HTTPS (simple-salesforce only speaks HTTPS): foreground or in a thread.

* :func:`serve_https` — blocking, until Ctrl+C / SIGTERM.
* :class:`HTTPSServerThread` — uvicorn on its own socket and daemon thread (``port=0`` = any free
  port; the port is bound in ``__init__``); ``base_url`` / ``cert_path``.  Without ``tls`` a
  certificate is generated into a temp dir, removed again by ``stop()``.
* :class:`SalesforceSandbox` — state + app + HTTPS thread in one context manager, with the
  ``credentials`` a client needs.

Example::

    with SalesforceSandbox(seed=7, size=1000) as sf:
        session = requests.Session(); session.verify = str(sf.cert_path); session.trust_env = False
        client = Salesforce(instance_url=sf.base_url, session_id=sf.credentials["session_id"], session=session)
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from sandbox.salesforce.app import create_salesforce_app
from sandbox.salesforce.config import SalesforceConfig
from sandbox.salesforce.generate import generate_world
from sandbox.salesforce.state import SalesforceState
from sandbox.salesforce.tls import TLSFiles, generate_self_signed_cert
from sandbox.salesforce.world import SECTION, SalesforceWorld

DEFAULT_API_VERSION = "59.0"


def load_salesforce_world(
    fixture: str | Path | dict[str, Any] | SalesforceWorld | None,
    seed: int = 7,
    size: int = 1000,
    hubspot: dict[str, Any] | None = None,
) -> SalesforceWorld:
    """The world from a fixture (path, dict or world) with a ``salesforce`` section, else a generated one.

    The generated world overlaps ``hubspot`` (a HubSpot fixture section such as
    ``HubSpotWorld.section()``) when given — the same organisations, people and partner deals, with
    discrepancies, ground truth keyed by HubSpot's ids — and is the stand-alone world when it is
    ``None``.  A fixture without a ``salesforce`` section (e.g. HubSpot only) also gives a generated
    world, linked to ``hubspot`` or else to the fixture's own non-empty ``hubspot`` section.
    """
    if isinstance(fixture, SalesforceWorld):
        return fixture
    if fixture is None:
        return generate_world(seed=seed, size=size, hubspot=hubspot)
    doc = fixture if isinstance(fixture, dict) else json.loads(Path(fixture).read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or (SECTION not in doc and "objects" not in doc):
        own = doc.get("hubspot") if isinstance(doc, dict) else None
        linked = hubspot if hubspot is not None else (own if isinstance(own, dict) and own else None)
        return generate_world(seed=seed, size=size, hubspot=linked)
    return SalesforceWorld.from_json(doc)


class _Server(uvicorn.Server):
    """uvicorn server that drops idle keep-alive connections at shutdown.

    Closing a TLS connection gracefully waits for the client's ``close_notify``, which an idle pooled
    client never sends, so a plain shutdown would hang until the graceful-shutdown timeout.
    """

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for connection in list(self.server_state.connections):
            cycle = getattr(connection, "cycle", None)
            transport = getattr(connection, "transport", None)
            if transport is not None and (cycle is None or getattr(cycle, "response_complete", False)):
                transport.abort()
        await super().shutdown(sockets)


class HTTPSServerThread:
    """One uvicorn HTTPS server on its own socket and daemon thread."""

    def __init__(
        self, app: Any, host: str = "127.0.0.1", port: int = 0, tls: TLSFiles | None = None, log_level: str = "warning"
    ) -> None:
        self._owns_tls = tls is None
        self.tls = tls or generate_self_signed_cert()
        self.host = host
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.socket.bind((host, port))
        self.port = int(self.socket.getsockname()[1])
        config = uvicorn.Config(
            app,
            log_level=log_level,
            access_log=False,
            lifespan="off",
            timeout_keep_alive=30,
            timeout_graceful_shutdown=5,
            ssl_certfile=str(self.tls.cert_path),
            ssl_keyfile=str(self.tls.key_path),
        )
        self.server = _Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    @property
    def base_url(self) -> str:
        """``https://127.0.0.1:PORT``."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"https://{host}:{self.port}"

    @property
    def cert_path(self) -> Path:
        """The PEM certificate clients should trust."""
        return self.tls.cert_path

    def start(self, timeout: float = 15.0) -> HTTPSServerThread:
        """Start serving; returns ``self`` once the server accepts connections."""
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("Salesforce sandbox server failed to start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.should_exit = True
        if self.thread.is_alive():
            self.thread.join(timeout=2)
        if self.thread.is_alive():  # idle TLS keep-alive connections can hold a graceful exit
            self.server.force_exit = True
            self.thread.join(timeout=5)
        self.socket.close()
        if self._owns_tls:  # a certificate generated for this server goes with it
            shutil.rmtree(self.tls.directory, ignore_errors=True)


def serve_https(
    app: Any, host: str = "127.0.0.1", port: int = 8443, tls: TLSFiles | None = None, log_level: str = "warning"
) -> None:
    """Serve ``app`` over HTTPS in the foreground until Ctrl+C or SIGTERM."""
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server = HTTPSServerThread(app, host, port, tls, log_level).start()
    try:
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    finally:
        server.stop()


class SalesforceSandbox:
    """A running simulated org: ``SalesforceSandbox(...).start()`` or ``with SalesforceSandbox() as sf``."""

    def __init__(
        self,
        seed: int = 7,
        size: int = 1000,
        fixture: str | Path | dict[str, Any] | SalesforceWorld | None = None,
        config: SalesforceConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: TLSFiles | None = None,
        log_level: str = "warning",
        hubspot: dict[str, Any] | None = None,
    ) -> None:
        self.state = SalesforceState(load_salesforce_world(fixture, seed, size, hubspot=hubspot), config)
        self.app = create_salesforce_app(self.state)
        self._args = (host, port, tls, log_level)
        self.server: HTTPSServerThread | None = None

    def start(self) -> SalesforceSandbox:
        """Bind, serve over HTTPS in a thread; returns ``self``."""
        if self.server is None:
            host, port, tls, log_level = self._args
            self.server = HTTPSServerThread(self.app, host, port, tls, log_level).start()
            self.state.base_url = self.server.base_url
        return self

    def stop(self) -> None:
        """Stop the outbound-message thread and the server (idempotent)."""
        self.state.outbound.stop()
        if self.server is not None:
            self.server.stop()
            self.server = None

    def __enter__(self) -> SalesforceSandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``https://127.0.0.1:PORT`` (also the ``instance_url``)."""
        if self.server is None:
            raise RuntimeError("not started")
        return self.server.base_url

    @property
    def cert_path(self) -> Path:
        """The self-signed certificate to verify against."""
        if self.server is None:
            raise RuntimeError("not started")
        return self.server.cert_path

    @property
    def credentials(self) -> dict[str, str]:
        """Everything a client needs (see :func:`credentials`)."""
        return credentials(self.state.config, self.base_url, self.cert_path)


def credentials(config: SalesforceConfig, base_url: str, cert_path: Path | str | None = None) -> dict[str, str]:
    """Base URL, OAuth client, user, static session, admin token and certificate path."""
    out = {
        "base_url": base_url,
        "instance_url": base_url,
        "api_version": DEFAULT_API_VERSION,
        "consumer_key": config.consumer_key,
        "consumer_secret": config.consumer_secret,
        "username": config.username,
        "password": config.password,
        "security_token": config.security_token,
        "session_id": config.session_ids[0] if config.session_ids else "",
        "refresh_token": config.refresh_token,
        "authorization_code": config.authorization_code,
        "redirect_uri": config.redirect_uri,
        "organization_id": config.organization_id,
        "user_id": config.user_id,
        "admin_token": config.admin_token,
    }
    if cert_path is not None:
        out["cert_path"] = str(cert_path)
    return out
