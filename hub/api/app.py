"""The FastAPI app factory. Nothing is created at import time: ``create_app(hub)`` builds it all."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from hub.api import errors
from hub.api.openapi import document_errors
from hub.api.routes import (
    connectors,
    deletes,
    health,
    ledger,
    matches,
    reconciliation,
    records,
    status,
    sync,
    webhook_events,
)
from hub.context import Hub
from hub.inbound import connector_cache, inbox_worker, receiver
from hub.scheduler import HubScheduler
from webhooks.receiver import Receiver, ReceiverRouter

#: the receiver's route, as Starlette matches ``/webhooks/{connector_id}`` (one non-empty segment)
_WEBHOOK_PATH = re.compile(r"/webhooks/[^/]+")


class WebhookFastPath:
    """``POST /webhooks/{connector_id}`` straight to the receiver; every other request to the app."""

    def __init__(self, app: ASGIApp, receiver: Receiver) -> None:
        self.app = app
        self.receiver = receiver

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and _WEBHOOK_PATH.fullmatch(scope["path"]):
            await self.receiver.asgi(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def create_app(hub: Hub, *, admin_token: str, scheduler: HubScheduler | None = None, workers: int = 0) -> FastAPI:
    """The hub's HTTP API and webhook receiver. ``scheduler`` and ``workers`` inbox workers are
    started and stopped with the app."""
    cache = connector_cache(hub)
    inbox_workers = [inbox_worker(hub, cache) for _ in range(workers)]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if scheduler is not None:
            scheduler.start()
        for worker in inbox_workers:
            worker.start()
        try:
            yield
        finally:
            for worker in inbox_workers:
                worker.stop()
            if scheduler is not None:
                scheduler.shutdown()
            app.state.executor.shutdown(wait=False, cancel_futures=True)
            cache.close()

    app = FastAPI(
        title="Partner hub",
        version="0.1.0",
        description="Connectors, a reconciliation ledger, and golden partner records with provenance.",
        lifespan=lifespan,
        # A redirect to the slash-less path would build its Location from the request's Host header.
        redirect_slashes=False,
    )
    app.state.hub = hub
    app.state.scheduler = scheduler
    app.state.admin_token = admin_token
    app.state.executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="manual-sync")
    errors.install(app)
    for module in (health, connectors, sync, deletes, status, records, reconciliation, matches, webhook_events, ledger):
        app.include_router(module.router)

    def wake_workers() -> None:
        for worker in inbox_workers:
            worker.wake()

    webhooks = receiver(hub, cache, errors.error_body, wake_workers)
    app.include_router(webhooks)
    document_errors(app)
    app.state.inbox_workers = inbox_workers
    app.state.connector_cache = cache
    # Inside the body limit: a webhook POST skips the framework's routing and dependency solving
    # (a fifth of the hub's CPU per delivery, docs/benchmarks.md); the route above documents it.
    if isinstance(webhooks, ReceiverRouter):
        app.add_middleware(WebhookFastPath, receiver=webhooks.receiver)
    app.add_middleware(
        errors.BodyLimit,
        max_bytes=hub.settings.max_request_bytes,
        limits={"/webhooks/": hub.settings.webhook_max_bytes},
        body_timeout=hub.settings.request_body_timeout_seconds,
    )
    return app
