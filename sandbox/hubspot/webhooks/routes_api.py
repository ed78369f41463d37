"""HubSpot's webhook management API (v3), as used by ``client.webhooks`` in the SDK.

Authenticated with the developer key query parameter ``hapikey`` (``HubSpotConfig.developer_api_key``);
``appId`` must be the portal's app id.

* ``GET /webhooks/v3/{appId}/settings`` → ``{targetUrl, throttling: {maxConcurrentRequests}, createdAt,
  updatedAt}`` (404 when no target URL is set); ``PUT`` sets them (and enables delivery); ``DELETE`` → 204.
* ``GET /webhooks/v3/{appId}/subscriptions`` → ``{results: [SubscriptionResponse]}``; ``POST``
  ``{eventType, propertyName?, active?}`` → 201; ``GET|PATCH|DELETE .../subscriptions/{id}``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.hubspot.errors import HubSpotError, validation_error
from sandbox.hubspot.params import json_body
from sandbox.hubspot.responses import json_response
from sandbox.hubspot.webhooks.service import WebhookService
from sandbox.hubspot.webhooks.settings import SettingsError, Subscription
from sandbox.kit.clock import iso_from_ms

PREFIX = "/webhooks/v3/{appId}"


def add_webhook_api_routes(router: APIRouter, service: WebhookService) -> None:
    """Register the management endpoints."""

    def check(request: Request, app_id: str) -> None:
        if request.query_params.get("hapikey") != service.config.developer_api_key:
            raise HubSpotError(401, "INVALID_AUTHENTICATION", "The developer API key (hapikey) is missing or wrong")
        if app_id != str(service.config.app_id):
            raise HubSpotError(404, "OBJECT_NOT_FOUND", f"App {app_id} not found")

    def subscription(raw_id: str) -> Subscription:
        sub = service.subscriptions.get(int(raw_id)) if raw_id.isdigit() else None
        if sub is None:
            raise HubSpotError(404, "OBJECT_NOT_FOUND", f"Subscription {raw_id} not found")
        return sub

    def settings_body() -> dict[str, Any]:
        settings = service.settings
        return {
            "targetUrl": settings.target_url,
            "throttling": {"maxConcurrentRequests": settings.max_concurrent_requests},
            "createdAt": iso_from_ms(service.settings_created_ms),
            "updatedAt": iso_from_ms(service.settings_updated_ms),
        }

    @router.get(PREFIX + "/settings")
    async def get_settings(request: Request, appId: str) -> Response:
        check(request, appId)
        if not service.settings.target_url:
            raise HubSpotError(404, "OBJECT_NOT_FOUND", "No webhook settings for this app")
        return json_response(settings_body())

    @router.put(PREFIX + "/settings")
    async def put_settings(request: Request, appId: str) -> Response:
        check(request, appId)
        body = await json_body(request)
        throttling = body.get("throttling") or {}
        target = body.get("targetUrl")
        if not isinstance(target, str) or not target or not isinstance(throttling, dict):
            raise validation_error("'targetUrl' (string) and 'throttling' (object) are required")
        try:
            service.set_target(target, throttling.get("maxConcurrentRequests"))
        except SettingsError as exc:
            raise validation_error(str(exc)) from None
        return json_response(settings_body())

    @router.delete(PREFIX + "/settings")
    async def delete_settings(request: Request, appId: str) -> Response:
        check(request, appId)
        service.set_target("", None)
        service.queue.clear()
        return Response(status_code=204)

    @router.get(PREFIX + "/subscriptions")
    async def list_subscriptions(request: Request, appId: str) -> Response:
        check(request, appId)
        return json_response({"results": [s.as_api() for s in service.subscriptions.items]})

    @router.post(PREFIX + "/subscriptions")
    async def create_subscription(request: Request, appId: str) -> Response:
        check(request, appId)
        body = await json_body(request)
        prop = body.get("propertyName")
        active = body.get("active", True)
        if not isinstance(active, bool) or (prop is not None and not isinstance(prop, str)):
            raise validation_error("'active' must be a boolean and 'propertyName' a string")
        try:
            sub = service.subscriptions.add(
                str(body.get("eventType", "")), prop or None, active, service.clock.now_ms()
            )
        except SettingsError as exc:
            raise validation_error(str(exc)) from None
        return json_response(sub.as_api(), 201)

    @router.get(PREFIX + "/subscriptions/{subscriptionId}")
    async def read_subscription(request: Request, appId: str, subscriptionId: str) -> Response:
        check(request, appId)
        return json_response(subscription(subscriptionId).as_api())

    @router.patch(PREFIX + "/subscriptions/{subscriptionId}")
    async def patch_subscription(request: Request, appId: str, subscriptionId: str) -> Response:
        check(request, appId)
        sub = subscription(subscriptionId)
        active = (await json_body(request)).get("active")
        if not isinstance(active, bool):
            raise validation_error("'active' must be true or false")
        sub.active = active
        sub.updated_ms = service.clock.now_ms()
        return json_response(sub.as_api())

    @router.delete(PREFIX + "/subscriptions/{subscriptionId}")
    async def delete_subscription(request: Request, appId: str, subscriptionId: str) -> Response:
        check(request, appId)
        service.subscriptions.remove(subscription(subscriptionId).id)
        return Response(status_code=204)
