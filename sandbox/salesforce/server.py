"""Serving the simulator over HTTPS (simple-salesforce only speaks HTTPS) on its own.

The HTTPS server itself is the kit's (:class:`sandbox.kit.serving.HTTPSServerThread`,
:func:`sandbox.kit.serving.serve_https`, re-exported here).

* :class:`SalesforceSandbox` — state + app + HTTPS thread in one context manager, with the
  ``credentials`` a client needs.

Example::

    with SalesforceSandbox(seed=7, size=1000) as sf:
        session = requests.Session(); session.verify = str(sf.cert_path); session.trust_env = False
        client = Salesforce(instance_url=sf.base_url, session_id=sf.credentials["session_id"], session=session)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from sandbox.ecosystem import Ecosystem
from sandbox.ecosystem.vocabulary import SECTION as ECOSYSTEM_SECTION
from sandbox.kit.serving import HTTPSServerThread
from sandbox.kit.tls import TLSFiles
from sandbox.salesforce.app import create_salesforce_app
from sandbox.salesforce.config import SalesforceConfig
from sandbox.salesforce.generate import generate_world
from sandbox.salesforce.state import SalesforceState
from sandbox.salesforce.world import SECTION, SalesforceWorld

DEFAULT_API_VERSION = "59.0"


def load_salesforce_world(
    fixture: str | Path | dict[str, Any] | SalesforceWorld | None,
    seed: int = 7,
    size: int = 1000,
    ecosystem: Ecosystem | Mapping[str, Any] | None = None,
) -> SalesforceWorld:
    """The world from a fixture (path, dict or world) with a ``salesforce`` section, else a generated one.

    The generated world is projected from ``ecosystem`` (:class:`sandbox.ecosystem.Ecosystem`, or
    a fixture section holding its records) when given — the same organisations, people and partner deals, with
    discrepancies, ground truth keyed by HubSpot's ids — and is the stand-alone world when it is
    ``None``.  A fixture without a ``salesforce`` section (e.g. HubSpot only) also gives a generated
    world, projected from ``ecosystem`` or else from the fixture's own non-empty ecosystem section.
    """
    if isinstance(fixture, SalesforceWorld):
        return fixture
    if fixture is None:
        return generate_world(seed=seed, size=size, ecosystem=ecosystem)
    doc = fixture if isinstance(fixture, dict) else json.loads(Path(fixture).read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or (SECTION not in doc and "objects" not in doc):
        own = doc.get(ECOSYSTEM_SECTION) if isinstance(doc, dict) else None
        linked = ecosystem if ecosystem is not None else (own if isinstance(own, dict) and own else None)
        return generate_world(seed=seed, size=size, ecosystem=linked)
    return SalesforceWorld.from_json(doc)


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
        ecosystem: Ecosystem | Mapping[str, Any] | None = None,
    ) -> None:
        self.state = SalesforceState(load_salesforce_world(fixture, seed, size, ecosystem=ecosystem), config)
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
