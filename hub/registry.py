"""The connector registry: built-ins and third-party packages, through one entry-point group.

Connectors register under the ``hub.connectors`` entry-point group (``name = "pkg.module:Class"``);
the hub's own connectors are registered the same way in its pyproject.toml, so a separately
installed package adds a connector without touching the hub. Loading is lazy and loud: an unknown
name lists the known ones, and a plugin that fails to import is reported and skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

from connectors.sdk import Connector

GROUP = "hub.connectors"
log = logging.getLogger(__name__)


class UnknownConnector(KeyError):
    """No connector of that kind is installed."""


@dataclass(frozen=True)
class BrokenPlugin:
    name: str
    target: str
    error: str


class ConnectorRegistry:
    """Connector classes by kind, discovered from entry points when first asked."""

    def __init__(self, group: str = GROUP) -> None:
        self._group = group
        self._entry_points: dict[str, EntryPoint] | None = None
        self._loaded: dict[str, type[Connector]] = {}
        self.broken: list[BrokenPlugin] = []

    def _discover(self) -> dict[str, EntryPoint]:
        if self._entry_points is None:
            self._entry_points = {ep.name: ep for ep in entry_points(group=self._group)}
        return self._entry_points

    def kinds(self) -> list[str]:
        """Names of every installed connector (loading them, so broken ones are reported)."""
        for name in list(self._discover()):
            try:
                self.get(name)
            except UnknownConnector:
                continue
        return sorted(self._loaded)

    def get(self, kind: str) -> type[Connector]:
        if kind in self._loaded:
            return self._loaded[kind]
        found = self._discover().get(kind)
        if found is None:
            known = ", ".join(sorted(self._discover())) or "none"
            raise UnknownConnector(f"no connector {kind!r} is installed (known: {known})")
        try:
            cls = found.load()
        except Exception as exc:  # a third-party plugin may fail in any way; report, skip, go on
            self.broken.append(BrokenPlugin(kind, found.value, f"{type(exc).__name__}: {exc}"))
            log.error("connector plugin %s (%s) failed to load: %s", kind, found.value, exc)
            self._discover().pop(kind, None)
            raise UnknownConnector(f"connector {kind!r} failed to load: {exc}") from exc
        if not (isinstance(cls, type) and issubclass(cls, Connector)):
            self.broken.append(BrokenPlugin(kind, found.value, "not a connectors.sdk.Connector subclass"))
            self._discover().pop(kind, None)
            raise UnknownConnector(f"entry point {kind!r} does not name a Connector subclass")
        self._loaded[kind] = cls
        return cls
