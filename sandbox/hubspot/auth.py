"""Bearer-token checks and the OAuth token registry of the simulated portal."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass

from sandbox.hubspot.config import HubSpotConfig
from sandbox.hubspot.errors import AUTH_NOT_FOUND_MESSAGE, HubSpotError
from sandbox.kit.clock import Clock, iso_from_ms


@dataclass(slots=True)
class AccessToken:
    """An issued OAuth access token."""

    token: str
    client_id: str
    refresh_token: str
    expires_ms: int


@dataclass(frozen=True, slots=True)
class Caller:
    """Who made an authenticated request (``key`` identifies the rate-limit bucket)."""

    key: str
    private_app: bool


class TokenRegistry:
    """Private-app tokens (never expire) and OAuth access/refresh tokens (expire after a TTL)."""

    def __init__(self, config: HubSpotConfig, clock: Clock) -> None:
        self._config = config
        self._clock = clock
        self._access: dict[str, AccessToken] = {}
        self._refresh: dict[str, str] = {config.refresh_token: config.client_id}

    def authenticate(self, authorization: str | None) -> Caller:
        """Check an ``Authorization`` header; raise the HubSpot 401 on failure."""
        token = ""
        if authorization and authorization[:7].lower() == "bearer ":
            token = authorization[7:].strip()
        if token and token in self._config.private_app_tokens:
            return Caller(token, private_app=True)
        issued = self._access.get(token) if token else None
        if issued is None:
            raise HubSpotError(401, "INVALID_AUTHENTICATION", AUTH_NOT_FOUND_MESSAGE)
        now = self._clock.now_ms()
        if now >= issued.expires_ms:
            ago = (now - issued.expires_ms) // 1000
            raise HubSpotError(
                401,
                "EXPIRED_AUTHENTICATION",
                f"The OAuth token used to make this call expired {ago} second(s) ago.",
                context={"expire time": [iso_from_ms(issued.expires_ms)]},
            )
        return Caller(token, private_app=False)

    def issue(self, client_id: str, refresh_token: str) -> AccessToken:
        """Create a fresh access token for a refresh token."""
        ttl_ms = int(self._config.token_ttl * 1000)
        token = AccessToken(
            token="CJSB" + secrets.token_urlsafe(24),
            client_id=client_id,
            refresh_token=refresh_token,
            expires_ms=self._clock.now_ms() + ttl_ms,
        )
        self._access[token.token] = token
        return token

    def new_refresh_token(self, client_id: str) -> str:
        """Create a refresh token (authorization-code grant)."""
        token = secrets.token_hex(4) + "-" + secrets.token_hex(2) + "-sandbox-" + secrets.token_hex(6)
        self._refresh[token] = client_id
        return token

    def refresh_client(self, refresh_token: str) -> str | None:
        """The client id a refresh token belongs to, or ``None``."""
        return self._refresh.get(refresh_token)

    def revoke_refresh(self, refresh_token: str) -> bool:
        """Forget a refresh token; whether it existed."""
        return self._refresh.pop(refresh_token, None) is not None

    def lookup(self, token: str) -> AccessToken | None:
        """An issued access token (expired or not)."""
        return self._access.get(token)

    def seconds_left(self, token: AccessToken) -> int:
        """Whole seconds until expiry (0 if expired)."""
        return max(0, math.ceil((token.expires_ms - self._clock.now_ms()) / 1000))

    def expire_all(self) -> int:
        """Expire every access token now; returns how many were live."""
        now = self._clock.now_ms()
        live = 0
        for token in self._access.values():
            if token.expires_ms > now:
                live += 1
                token.expires_ms = now
        return live
