"""The Salesforce session as an ``httpx.Auth`` flow: token, instance host, and one refresh on expiry.

Why an auth flow rather than a client re-based after login: the token response decides the host of
every later call (``instance_url``), and a refresh may name another one. Keeping the rewrite next to
the token means the client is built before any network call (nothing happens until the first
request), requests are written as paths (``/services/data/...``, and the ``nextRecordsUrl`` paths
Salesforce returns), and an injected test client works unchanged.

Salesforce token responses carry no ``expires_in`` (the session timeout is an org setting), so the
token is refreshed only when a call answers ``401 [{"errorCode": "INVALID_SESSION_ID"}]``: once,
then the call is retried once. https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm

Refresh token rotation (a connected-app / external-client-app setting): each refresh-token grant
answers with a new ``refresh_token`` and invalidates the one it was given. The session then uses the
new one and hands it to ``on_refresh_token`` at once, so the owner stores it before the next run:
a run that kept the old one would fail with ``invalid_grant``.
https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable, Generator

import httpx

from connectors.salesforce.errors import INVALID_SESSION, error_codes
from connectors.sdk import AuthError, TransientError

log = logging.getLogger(__name__)


class SalesforceSession(httpx.Auth):
    """OAuth 2.0 against ``token_url`` (``form`` holds the grant); sets the bearer token and moves
    every request to the token's ``instance_url``."""

    requires_response_body = True

    def __init__(
        self,
        token_url: str,
        form: dict[str, str],
        *,
        basic: tuple[str, str] | None = None,
        on_refresh_token: Callable[[str], None] | None = None,
        check_url: Callable[..., object] | None = None,
    ) -> None:
        self._token_url = token_url
        self._check_url = check_url
        self._form = dict(form)
        self._basic = basic
        self._on_refresh_token = on_refresh_token
        self._lock = threading.Lock()
        self.access_token: str | None = None
        self.instance_url: httpx.URL | None = None
        self.refreshes = 0
        self.rotations = 0

    def __repr__(self) -> str:
        return f"SalesforceSession(token_url={self._token_url!r}, instance_url={self.instance_url!s})"

    # https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_client_credentials_flow.htm
    # https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm
    def _token_request(self) -> httpx.Request:
        headers = {"Accept": "application/json"}
        if self._basic is not None:
            pair = f"{self._basic[0]}:{self._basic[1]}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        return httpx.Request("POST", self._token_url, data=self._form, headers=headers)

    def _accept(self, response: httpx.Response) -> None:
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientError(
                f"Salesforce token endpoint answered HTTP {response.status_code}",
                status=response.status_code,
                body=response.text[:500],
            )
        if response.status_code != 200 or not isinstance(payload, dict):
            detail = ""
            if isinstance(payload, dict) and payload.get("error"):
                detail = f": {payload['error']} ({payload.get('error_description', '')})"
            raise AuthError(
                f"Salesforce token request failed with HTTP {response.status_code}{detail}",
                status=response.status_code,
                body=response.text[:500],
            )
        token, instance = payload.get("access_token"), payload.get("instance_url")
        if not isinstance(token, str) or not token or not isinstance(instance, str):
            raise AuthError("token response lacks access_token or instance_url", status=200)
        url = httpx.URL(instance)
        if url.scheme not in ("http", "https") or not url.host:
            raise AuthError(f"token response has an unusable instance_url {instance!r}", status=200)
        if self._check_url is not None:  # the outbound policy: an upstream must not point us inside
            self._check_url(instance, field="instance_url")
        self.access_token, self.instance_url = token, url
        self.refreshes += 1
        rotated = payload.get("refresh_token")
        if "refresh_token" in self._form and isinstance(rotated, str) and rotated != self._form["refresh_token"]:
            self._form["refresh_token"] = rotated
            self.rotations += 1
            if self._on_refresh_token is not None:
                try:
                    self._on_refresh_token(rotated)
                except Exception:  # the session goes on with the new token; the owner failed to store it
                    log.exception("Salesforce rotated the refresh token but storing the new one failed")

    def _prepare(self, request: httpx.Request) -> str:
        assert self.access_token is not None and self.instance_url is not None
        base = self.instance_url
        request.url = request.url.copy_with(scheme=base.scheme, host=base.host, port=base.port)
        request.headers["Host"] = request.url.netloc.decode("ascii")
        request.headers["Authorization"] = f"Bearer {self.access_token}"
        return self.access_token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.access_token is None:
            with self._lock:
                if self.access_token is None:
                    self._accept((yield self._token_request()))
        used = self._prepare(request)
        response = yield request
        if response.status_code != 401 or INVALID_SESSION not in error_codes(response.content):
            return
        with self._lock:
            if self.access_token == used:  # another thread may have refreshed already
                self._accept((yield self._token_request()))
        self._prepare(request)
        yield request
