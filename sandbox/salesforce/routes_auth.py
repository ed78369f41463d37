"""``/services/oauth2/token`` and ``/revoke``, the identity URL and SOAP ``login``."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.salesforce.errors import not_found
from sandbox.salesforce.gateway import request_base
from sandbox.salesforce.httpio import json_response, xml_response
from sandbox.salesforce.oauth import OAuthError, grant, soap_credentials, soap_fault, soap_login_ok, token_body
from sandbox.salesforce.state import SalesforceState

INVALID_LOGIN = "Invalid username, password, security token; or user locked out."


async def _form(request: Request) -> dict[str, str]:
    raw = (await request.body()).decode("utf-8", "replace")
    form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
    for key, value in request.query_params.items():  # Salesforce also reads the query string
        form.setdefault(key, value)
    return form


def add_auth_routes(router: APIRouter, state: SalesforceState) -> None:
    """Register the routes."""

    @router.post("/services/oauth2/token")
    async def token(request: Request) -> Response:
        try:
            session, refresh = grant(
                state.config, state.auth, await _form(request), request.headers.get("authorization")
            )
        except OAuthError as exc:
            return json_response(exc.body(), exc.status)
        instance = state.instance_url(request_base(request.scope))
        return json_response(token_body(state.config, session, instance, refresh))

    @router.post("/services/oauth2/revoke")
    async def revoke(request: Request) -> Response:
        if not state.auth.revoke((await _form(request)).get("token", "")):
            return json_response(
                {"error": "unsupported_token_type", "error_description": "this token type is not supported"}, 400
            )
        return Response(status_code=200)

    @router.get("/id/{org_id}/{user_id}")
    async def identity(request: Request, org_id: str, user_id: str) -> Response:
        user = state.store.tables["User"].get(user_id)
        if org_id != state.config.organization_id or user is None:
            raise not_found("Bad_Id")
        base = state.instance_url(request_base(request.scope))
        return json_response(
            {
                "id": f"{base}/id/{org_id}/{user_id}",
                "asserted_user": True,
                "user_id": user_id,
                "organization_id": org_id,
                "username": state.config.username if user_id == state.config.user_id else user["Username"],
                "nick_name": user["FirstName"],
                "display_name": user["Name"],
                "email": user["Email"],
                "active": user["IsActive"],
                "user_type": "STANDARD",
                "urls": {
                    "rest": f"{base}/services/data/v{{version}}/",
                    "sobjects": f"{base}/services/data/v{{version}}/sobjects/",
                    "query": f"{base}/services/data/v{{version}}/query/",
                },
            }
        )

    @router.post("/services/Soap/u/{version}")
    async def soap_login(request: Request, version: str) -> Response:
        try:
            username, password = soap_credentials(await request.body())
        except ValueError as exc:
            return xml_response(soap_fault("INVALID_SOAP_HEADER", str(exc)), 500)
        cfg = state.config
        if username != cfg.username or password not in (cfg.password, cfg.password + cfg.security_token):
            return xml_response(soap_fault("INVALID_LOGIN", INVALID_LOGIN), 500)
        session = state.auth.issue(None)
        return xml_response(soap_login_ok(cfg, session, state.instance_url(request_base(request.scope)), version))
