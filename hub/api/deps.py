"""Dependencies shared by routes: the hub object graph and the admin bearer check."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hub.api.errors import ApiError
from hub.context import Hub
from hub.scheduler import HubScheduler

#: the largest list offset accepted (bounded so no database sees an out-of-range integer)
MAX_OFFSET = 1_000_000_000

_bearer = HTTPBearer(auto_error=False, description="The hub's admin token (HUB_ADMIN_TOKEN).")


def get_hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def get_scheduler(request: Request) -> HubScheduler | None:
    scheduler: HubScheduler | None = request.app.state.scheduler
    return scheduler


def require_admin(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    expected: str = request.app.state.admin_token
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "missing bearer token: send 'Authorization: Bearer <admin token>'", headers=challenge)
    if not hmac.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise ApiError(401, "invalid bearer token", headers=challenge)


HubDep = Annotated[Hub, Depends(get_hub)]
SchedulerDep = Annotated[HubScheduler | None, Depends(get_scheduler)]
Admin = Depends(require_admin)
