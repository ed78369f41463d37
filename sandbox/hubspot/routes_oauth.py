"""OAuth: ``POST /oauth/v1/token`` and its token-info endpoints; the 2026-03 successors.

v1 errors use HubSpot's OAuth error shape ``{"status": "BAD_REFRESH_TOKEN", "message": ...,
"correlationId": ...}`` with HTTP 400.  Authorization codes: the configured code is accepted
(repeatedly) and yields a new refresh token.

The v1 endpoints are deprecated on 2027-02-16 in favour of ``POST /oauth/2026-03/token``,
``/token/introspect`` and ``/token/revoke``, which take every parameter in the form body
(https://developers.hubspot.com/changelog/v1-oauth-api-deprecation).  Their errors follow RFC 6749
(``error``, ``error_description``) and keep ``status``/``message`` for compatibility
(https://developers.hubspot.com/changelog/new-oauth-v3-api-endpoints-and-standardized-error-responses).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.hubspot.errors import HubSpotError
from sandbox.hubspot.responses import json_response
from sandbox.hubspot.state import HubSpotState
from sandbox.hubspot.versions import DATE_VERSIONS
from sandbox.hubspot.world import JsonDict


def oauth_error(status: str, message: str, code: int = 400) -> HubSpotError:
    """An OAuth endpoint error (no ``category``; ``status`` carries the reason)."""
    return HubSpotError(code, "", message, extra={"status": status})


RFC6749_ERRORS = {
    "BAD_GRANT_TYPE": "unsupported_grant_type",
    "BAD_CLIENT_ID": "invalid_client",
    "BAD_CLIENT_SECRET": "invalid_client",
    "BAD_REFRESH_TOKEN": "invalid_grant",
    "BAD_AUTH_CODE": "invalid_grant",
    "BAD_REDIRECT_URI": "invalid_grant",
}


def dated_error(exc: HubSpotError) -> HubSpotError:
    """The 2026-03 form of an OAuth error: RFC 6749 members beside ``status``/``message``."""
    status = str(exc.extra.get("status", ""))
    extra = {"error": RFC6749_ERRORS.get(status, "invalid_request"), "error_description": exc.message, **exc.extra}
    return HubSpotError(exc.status_code, "", exc.message, extra=extra)


async def read_form(request: Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}


def add_oauth_routes(router: APIRouter, state: HubSpotState) -> None:
    """Token endpoint and token-info endpoints."""

    def token_payload(access_token: str, refresh_token: str) -> JsonDict:
        cfg = state.config
        return {
            "token_type": "bearer",
            "access_token": access_token,
            "refresh_token": refresh_token,
            "expires_in": int(cfg.token_ttl),
            "token_use": "access_token",
            "hub_id": cfg.hub_id,
            "user_id": cfg.user_id,
            "scopes": list(cfg.scopes),
        }

    def grant(form: dict[str, str]) -> JsonDict:
        cfg = state.config
        grant_type = form.get("grant_type", "")
        if grant_type not in ("refresh_token", "authorization_code"):
            raise oauth_error(
                "BAD_GRANT_TYPE", f"grant_type must be refresh_token or authorization_code: {grant_type!r}"
            )
        if form.get("client_id") != cfg.client_id:
            raise oauth_error("BAD_CLIENT_ID", "missing or unknown client id")
        if form.get("client_secret") != cfg.client_secret:
            raise oauth_error("BAD_CLIENT_SECRET", "missing or invalid client secret")
        if grant_type == "refresh_token":
            refresh = form.get("refresh_token", "")
            if state.auth.refresh_client(refresh) != cfg.client_id:
                raise oauth_error("BAD_REFRESH_TOKEN", "missing or unknown refresh token")
        else:
            if form.get("code") != cfg.authorization_code:
                raise oauth_error("BAD_AUTH_CODE", "missing or unknown auth code")
            if form.get("redirect_uri") and form.get("redirect_uri") != cfg.redirect_uri:
                raise oauth_error("BAD_REDIRECT_URI", "redirect_uri does not match the authorization request")
            refresh = state.auth.new_refresh_token(cfg.client_id)
        issued = state.auth.issue(cfg.client_id, refresh)
        return token_payload(issued.token, refresh)

    @router.post("/oauth/v1/token")
    async def token(request: Request) -> Response:
        return json_response(grant(await read_form(request)))

    for version in DATE_VERSIONS:

        @router.post(f"/oauth/{version}/token")
        async def dated_token(request: Request) -> Response:
            try:
                return json_response(grant(await read_form(request)))
            except HubSpotError as exc:
                raise dated_error(exc) from None

        @router.post(f"/oauth/{version}/token/introspect")
        async def introspect(request: Request) -> Response:
            form = await read_form(request)
            cfg = state.config
            if form.get("client_id") != cfg.client_id or form.get("client_secret") != cfg.client_secret:
                raise dated_error(oauth_error("BAD_CLIENT_ID", "missing or unknown client id or secret"))
            token = form.get("token", "")
            issued = state.auth.lookup(token)
            if issued is not None:
                body: JsonDict = {"active": state.auth.seconds_left(issued) > 0, "token_use": "access_token",
                                  "client_id": cfg.client_id, "hub_id": cfg.hub_id, "user_id": cfg.user_id,
                                  "scopes": list(cfg.scopes), "exp_in": state.auth.seconds_left(issued)}  # fmt: skip
            elif state.auth.refresh_client(token) is not None:
                body = {"active": True, "token_use": "refresh_token", "client_id": cfg.client_id,
                        "hub_id": cfg.hub_id, "user_id": cfg.user_id, "scopes": list(cfg.scopes)}  # fmt: skip
            else:
                body = {"active": False}
            return json_response(body)

        @router.post(f"/oauth/{version}/token/revoke")
        async def revoke(request: Request) -> Response:
            form = await read_form(request)
            cfg = state.config
            if form.get("client_id") != cfg.client_id or form.get("client_secret") != cfg.client_secret:
                raise dated_error(oauth_error("BAD_CLIENT_ID", "missing or unknown client id or secret"))
            state.auth.revoke_refresh(form.get("token", ""))  # RFC 7009: unknown tokens are not an error
            return Response(status_code=200)

    @router.get("/oauth/v1/access-tokens/{token}")
    async def access_token_info(token: str) -> Response:
        issued = state.auth.lookup(token)
        if issued is None:
            raise HubSpotError(404, "OBJECT_NOT_FOUND", "access token not found")
        cfg = state.config
        return json_response(
            {
                "token": token,
                "user": "sandbox-user@example.com",
                "hub_domain": cfg.hub_domain,
                "scopes": list(cfg.scopes),
                "hub_id": cfg.hub_id,
                "app_id": cfg.app_id,
                "expires_in": state.auth.seconds_left(issued),
                "user_id": cfg.user_id,
                "token_type": "access",
            }
        )

    @router.get("/oauth/v1/refresh-tokens/{token}")
    async def refresh_token_info(token: str) -> Response:
        cfg = state.config
        if state.auth.refresh_client(token) is None:
            raise HubSpotError(404, "OBJECT_NOT_FOUND", "refresh token not found")
        return json_response(
            {
                "token": token,
                "user": "sandbox-user@example.com",
                "hub_domain": cfg.hub_domain,
                "scopes": list(cfg.scopes),
                "hub_id": cfg.hub_id,
                "client_id": cfg.client_id,
                "user_id": cfg.user_id,
                "token_type": "refresh",
            }
        )

    @router.delete("/oauth/v1/refresh-tokens/{token}")
    async def revoke_refresh_token(token: str) -> Response:
        if not state.auth.revoke_refresh(token):
            raise HubSpotError(404, "OBJECT_NOT_FOUND", "refresh token not found")
        return Response(status_code=204)
