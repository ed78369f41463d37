"""The FastAPI app factory. Nothing is created at import time: ``create_app(hub)`` builds it all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI

from hub.api import errors
from hub.api.routes import connectors, health, records, status, sync
from hub.context import Hub
from hub.scheduler import HubScheduler


def create_app(hub: Hub, *, admin_token: str, scheduler: HubScheduler | None = None) -> FastAPI:
    """The hub's HTTP API. ``scheduler`` is started and stopped with the app when given."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if scheduler is not None:
            scheduler.start()
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown()
            app.state.executor.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        title="Partner hub",
        version="0.1.0",
        description="Connectors, a reconciliation ledger, and golden partner records with provenance.",
        lifespan=lifespan,
    )
    app.state.hub = hub
    app.state.scheduler = scheduler
    app.state.admin_token = admin_token
    app.state.executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="manual-sync")
    errors.install(app)
    for module in (health, connectors, sync, status, records):
        app.include_router(module.router)
    app.add_middleware(errors.BodyLimit, max_bytes=hub.settings.max_request_bytes)
    return app
