"""``create_salesforce_app(state)``: the FastAPI application simulating Salesforce's REST API."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from sandbox.salesforce.errors import NOT_FOUND_MESSAGE, SalesforceError, status_error
from sandbox.salesforce.gateway import Gateway
from sandbox.salesforce.httpio import json_response
from sandbox.salesforce.routes_admin import add_admin_routes
from sandbox.salesforce.routes_auth import add_auth_routes
from sandbox.salesforce.routes_bulk import add_bulk_routes
from sandbox.salesforce.routes_composite import add_composite_routes
from sandbox.salesforce.routes_data import add_data_routes
from sandbox.salesforce.routes_outbound import add_outbound_routes
from sandbox.salesforce.routes_sobjects import add_sobject_routes
from sandbox.salesforce.state import SalesforceState


class SalesforceApp(FastAPI):
    """FastAPI app whose outermost layer is the :class:`Gateway` (paths, faults, auth, quota, stats)."""

    gateway: Gateway | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.gateway is None:
            await super().__call__(scope, receive, send)
        else:
            await self.gateway(scope, receive, send, super().__call__)


def create_salesforce_app(state: SalesforceState) -> FastAPI:
    """Build the simulated Salesforce org around ``state`` (see the package docstring)."""
    app = SalesforceApp(title="Salesforce sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    app.router.redirect_slashes = False
    app.state.salesforce = state
    for add_routes in (
        add_data_routes,
        add_bulk_routes,
        add_composite_routes,
        add_sobject_routes,
        add_auth_routes,
        add_admin_routes,
        add_outbound_routes,
    ):
        add_routes(app.router, state)

    @app.exception_handler(SalesforceError)
    async def salesforce_error(request: Request, exc: SalesforceError) -> Response:
        return json_response(exc.body(), exc.status_code, exc.headers or None)

    @app.exception_handler(RequestValidationError)
    async def request_validation(request: Request, exc: RequestValidationError) -> Response:
        return json_response(status_error(400, f"Invalid request: {exc.errors()}").body(), 400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return json_response(SalesforceError(404, "NOT_FOUND", NOT_FOUND_MESSAGE).body(), 404)
        if exc.status_code == 405:
            allowed = (exc.headers or {}).get("Allow", "")
            message = f"HTTP Method '{request.method}' not allowed. Allowed are {allowed.replace(', ', ',')}"
            return json_response(SalesforceError(405, "METHOD_NOT_ALLOWED", message).body(), 405)
        return json_response(status_error(exc.status_code, str(exc.detail)).body(), exc.status_code)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        error = SalesforceError(500, "UNKNOWN_EXCEPTION", f"An unexpected error occurred: {type(exc).__name__}")
        return json_response(error.body(), 500)

    app.gateway = Gateway(state, app.router.routes)
    return app
