"""Authenticators as ``httpx.Auth`` flows: a static bearer token and OAuth2 refresh-token grant."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator

import httpx

from connectors.sdk.errors import AuthError, TransientError
from connectors.sdk.http import parse_retry_after

#: Called by a connector with the credential fields the upstream replaced (a rotated refresh token:
#: ``{"refresh_token": "..."}``); the hub sets ``Connector.credentials_changed`` to re-seal them.
CredentialsChanged = Callable[[dict[str, str]], None]


class BearerToken(httpx.Auth):
    """``Authorization: Bearer <token>`` on every request (private-app and API tokens)."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def __repr__(self) -> str:
        return "BearerToken(***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


class OAuth2RefreshToken(httpx.Auth):
    """OAuth2 refresh-token grant: fetches an access token, refreshes it before it expires, and once
    more when the upstream answers 401 (an expired or revoked token), then retries that request.

    ``on_refresh`` is called with the new refresh token when the provider rotates it, so the owner
    can persist it.
    """

    requires_response_body = True

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        *,
        skew_seconds: float = 60.0,
        extra_form: dict[str, str] | None = None,
        on_refresh: Callable[[str], None] | None = None,
    ) -> None:
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self._skew = skew_seconds
        self._extra = extra_form or {}
        self._on_refresh = on_refresh
        self._access_token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()
        self.refreshes = 0

    def __repr__(self) -> str:
        return f"OAuth2RefreshToken(token_url={self._token_url!r}, client_id={self._client_id!r})"

    def _token_request(self) -> httpx.Request:
        form = {
            "grant_type": "refresh_token",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "refresh_token": self._refresh_token,
            **self._extra,
        }
        return httpx.Request("POST", self._token_url, data=form, headers={"Accept": "application/json"})

    def _accept(self, response: httpx.Response) -> None:
        if response.status_code == 429 or response.status_code >= 500:
            # The token endpoint is busy or down, not refusing us: the requester's retry loop retries it.
            raise TransientError(
                f"token endpoint answered HTTP {response.status_code}",
                status=response.status_code,
                body=response.text[:500],
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        if response.status_code != 200:
            raise AuthError(
                f"token refresh failed with HTTP {response.status_code}",
                status=response.status_code,
                body=response.text[:500],
            )
        payload = response.json()
        token = payload.get("access_token")
        if not isinstance(token, str) or not token:
            raise AuthError("token response has no access_token", status=200)
        self._access_token = token
        self._expires_at = time.monotonic() + float(payload.get("expires_in", 1800))
        rotated = payload.get("refresh_token")
        if isinstance(rotated, str) and rotated and rotated != self._refresh_token:
            self._refresh_token = rotated
            if self._on_refresh is not None:
                self._on_refresh(rotated)
        self.refreshes += 1

    def _fresh(self) -> bool:
        return self._access_token is not None and time.monotonic() < self._expires_at - self._skew

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if not self._fresh():
            with self._lock:
                if not self._fresh():
                    self._accept((yield self._token_request()))
        request.headers["Authorization"] = f"Bearer {self._access_token}"
        response = yield request
        if response.status_code == 401:
            # The token died early (revoked, clock skew, provider-side expiry): refresh once, retry once.
            with self._lock:
                self._accept((yield self._token_request()))
            request.headers["Authorization"] = f"Bearer {self._access_token}"
            yield request
