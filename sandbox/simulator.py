"""The contract every simulated system implements: one :class:`Simulator` object per system package.

A system package ``sandbox/<system>/`` exposes ``SIMULATOR`` (in its ``simulator.py``), and
:data:`sandbox.systems.SYSTEMS` lists them; :class:`sandbox.server.SandboxServer` loops over that
table and names no system.  A simulator says

* ``name`` (the key in ``base_urls``, ``credentials`` and the fixture) and ``api_path`` (where its
  API lives below its root URL, e.g. ``/api/v2``);
* ``tls``: served over HTTPS with a self-signed certificate (``True``) or plain HTTP;
* :meth:`Simulator.build`: its state, from the shared ecosystem, its own fixture section and the
  server's options (:class:`BuildContext`);
* :meth:`Simulator.app`: the ASGI app serving that state;
* :meth:`Simulator.started` / :meth:`Simulator.stopping`: its background loops (webhook delivery,
  outbound messages), run between ``start()`` and ``stop()``;
* :meth:`Simulator.credentials`: what a client needs to call it;
* :meth:`Simulator.truth`: its share of the identity ground truth (:mod:`sandbox.ecosystem.truth`).

A system imports :mod:`sandbox.kit`, :mod:`sandbox.ecosystem`, this module and its own modules,
never another system (``tests/sandbox/test_sandbox_layering.py``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from sandbox.ecosystem import Ecosystem
from sandbox.ecosystem.truth import TruthPart

StateT = TypeVar("StateT")


class Endpoint(Protocol):
    """Where a running simulator listens (:class:`sandbox.kit.serving.Listener` or ``HTTPSServerThread``)."""

    @property
    def base_url(self) -> str:
        """The root URL, e.g. ``http://127.0.0.1:PORT``."""
        ...

    @property
    def cert_path(self) -> Path | None:
        """The certificate clients should trust (``None`` over plain HTTP)."""
        ...


@dataclass(frozen=True)
class BuildContext:
    """What a simulator builds its state from.

    ``fixture`` is the whole fixture document when one was given (a simulator reads its own section
    and falls back to projecting ``ecosystem``); ``options`` are the server's keyword options, of
    which each simulator reads those it knows (HubSpot: ``rate_limit``, ``token_ttl``, ...).
    """

    ecosystem: Ecosystem
    fixture: dict[str, Any] | None = None
    seed: int = 7
    size: int = 1000
    admin_token: str = "sandbox-admin"
    options: Mapping[str, Any] = field(default_factory=dict)


class Simulator(ABC, Generic[StateT]):
    """One simulated system (see the module docstring); subclasses set the class attributes."""

    name: str
    api_path: str = ""
    tls: bool = False

    @abstractmethod
    def build(self, context: BuildContext) -> StateT:
        """The system's state (its world loaded or projected, its configuration applied)."""

    @abstractmethod
    def app(self, state: StateT) -> Any:
        """The ASGI app serving ``state``."""

    @abstractmethod
    def credentials(self, state: StateT, endpoint: Endpoint) -> dict[str, str]:
        """Tokens, keys and the admin token a client uses against the running system."""

    def started(self, state: StateT, endpoint: Endpoint) -> None:
        """Called once the system listens: start background loops, learn its own URL."""

    def stopping(self, state: StateT) -> None:
        """Called at ``stop()`` (also after a failed start): stop background loops; idempotent."""

    def truth(self, doc: Mapping[str, Any]) -> TruthPart:
        """This system's records and ground-truth links in a fixture document (none by default)."""
        return TruthPart()
