"""Sessions (access tokens) of the simulated org: static ones from the config and issued ones.

Issued sessions expire after ``session_ttl`` seconds without a request (each use extends them) or
when expired by the ``expire_tokens`` fault / revoked.  Every failure is the same
``401 [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sandbox.kit.clock import Clock
from sandbox.salesforce.config import SalesforceConfig
from sandbox.salesforce.errors import invalid_session


@dataclass(slots=True)
class Session:
    """One access token."""

    token: str
    user_id: str
    client_id: str | None
    issued_ms: int
    last_used_ms: int
    expired: bool = False


class SessionRegistry:
    """Issued sessions and refresh tokens; see the module docstring."""

    def __init__(self, config: SalesforceConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self._sessions: dict[str, Session] = {}
        self._refresh: dict[str, str] = {config.refresh_token: config.consumer_key}

    def authenticate(self, authorization: str | None) -> Session:
        """Check ``Authorization: Bearer <token>`` (``OAuth <token>`` also works); raise 401 otherwise."""
        token = ""
        if authorization:
            scheme, _, rest = authorization.strip().partition(" ")
            if scheme.lower() in ("bearer", "oauth"):
                token = rest.strip()
        now = self.clock.now_ms()
        if token and token in self.config.session_ids:
            return Session(token, self.config.user_id, None, 0, now)
        session = self._sessions.get(token) if token else None
        if session is None or session.expired:
            raise invalid_session()
        if now - session.last_used_ms > self.config.session_ttl * 1000:
            session.expired = True
            raise invalid_session()
        session.last_used_ms = now
        return session

    def issue(self, client_id: str | None) -> Session:
        """A new session for the integration user."""
        now = self.clock.now_ms()
        token = f"{self.config.organization_id[:15]}!AQ{secrets.token_urlsafe(48)}"
        session = Session(token, self.config.user_id, client_id, now, now)
        self._sessions[token] = session
        return session

    def new_refresh_token(self, client_id: str) -> str:
        """A refresh token (authorization-code grant)."""
        token = "5Aep861" + secrets.token_urlsafe(40)
        self._refresh[token] = client_id
        return token

    def rotate_refresh_token(self, refresh_token: str, client_id: str) -> str:
        """Invalidate ``refresh_token`` and issue its successor (refresh token rotation)."""
        self._refresh.pop(refresh_token, None)
        return self.new_refresh_token(client_id)

    def refresh_client(self, refresh_token: str) -> str | None:
        """The client a refresh token belongs to, or ``None``."""
        return self._refresh.get(refresh_token)

    def revoke(self, token: str) -> bool:
        """Revoke an access or refresh token; whether it existed."""
        session = self._sessions.get(token)
        if session is not None:
            session.expired = True
            return True
        return self._refresh.pop(token, None) is not None

    def expire_all(self) -> int:
        """Expire every issued session now (static ones stay valid); returns how many were live."""
        live = 0
        for session in self._sessions.values():
            if not session.expired:
                live += 1
                session.expired = True
        return live

    def active(self) -> int:
        """Issued sessions not (yet) known to be expired."""
        return sum(1 for s in self._sessions.values() if not s.expired)
