"""``create_hubspot_app(state)``: the FastAPI application simulating HubSpot's API."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from sandbox.hubspot.errors import HubSpotError
from sandbox.hubspot.gateway import STATUS_CATEGORIES, Gateway
from sandbox.hubspot.merge import add_merge_routes
from sandbox.hubspot.responses import json_response
from sandbox.hubspot.routes_admin import add_admin_routes
from sandbox.hubspot.routes_assoc import add_assoc_routes
from sandbox.hubspot.routes_batch import add_batch_routes
from sandbox.hubspot.routes_oauth import add_oauth_routes
from sandbox.hubspot.routes_objects import add_object_routes
from sandbox.hubspot.routes_properties import add_property_routes
from sandbox.hubspot.routes_search import add_search_routes
from sandbox.hubspot.state import HubSpotState
from sandbox.hubspot.versions import add_date_versioned_routes
from sandbox.hubspot.webhooks.routes_admin import add_webhook_admin_routes
from sandbox.hubspot.webhooks.routes_api import add_webhook_api_routes


class HubSpotApp(FastAPI):
    """FastAPI app whose outermost layer is the :class:`Gateway` (faults, auth, limits, stats)."""

    gateway: Gateway | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.gateway is None:
            await super().__call__(scope, receive, send)
        else:
            await self.gateway(scope, receive, send, super().__call__)


def _correlation_id(request: Request) -> str:
    return str(request.scope.get("state", {}).get("correlation_id", ""))


def create_hubspot_app(state: HubSpotState) -> FastAPI:
    """Build the simulated HubSpot API around ``state`` (see the package docstring)."""
    app = HubSpotApp(title="HubSpot sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.hubspot = state
    # routes are registered directly on app.router (flat), so the gateway can match templates
    for add_routes in (
        add_batch_routes,
        add_search_routes,
        add_merge_routes,
        add_object_routes,
        add_property_routes,
        add_assoc_routes,
        add_oauth_routes,
        add_admin_routes,
    ):
        add_routes(app.router, state)
    add_date_versioned_routes(app.router)  # /crm/objects/2026-03/... beside /crm/v3/objects/...
    add_webhook_admin_routes(app.router, state.webhooks)
    add_webhook_api_routes(app.router, state.webhooks)

    @app.exception_handler(HubSpotError)
    async def hubspot_error(request: Request, exc: HubSpotError) -> Response:
        response = json_response(exc.body(_correlation_id(request)), exc.status_code)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def request_validation(request: Request, exc: RequestValidationError) -> Response:
        error = HubSpotError(400, "VALIDATION_ERROR", f"Invalid request: {exc.errors()}")
        return json_response(error.body(_correlation_id(request)), 400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        category = STATUS_CATEGORIES.get(exc.status_code, "INTERNAL_ERROR")
        error = HubSpotError(exc.status_code, category, str(exc.detail))
        return json_response(error.body(_correlation_id(request)), exc.status_code)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        error = HubSpotError(500, "INTERNAL_ERROR", f"Internal error: {type(exc).__name__}")
        return json_response(error.body(_correlation_id(request)), 500)

    app.gateway = Gateway(state, app.router.routes)
    return app
