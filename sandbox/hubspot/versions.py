"""HubSpot's API versions: the legacy numbered paths and the date-versioned paths that replace them.

Since March 2026 HubSpot's REST APIs carry a date version in the path instead of ``v1``…``v4``
(https://developers.hubspot.com/docs/api-reference/latest/overview)::

    /crm/v3/objects/{type}/...                  → /crm/objects/2026-03/{type}/...
    /crm/v4/objects/{type}/{id}/associations/…  → /crm/objects/2026-03/{type}/{id}/associations/…
    /crm/v4/associations/{from}/{to}/...        → /crm/associations/2026-03/{from}/{to}/...
    /crm/v3/properties/{type}/...               → /crm/properties/2026-03/{type}/...
    /oauth/v1/token                             → /oauth/2026-03/token (own module: other errors)

The simulator serves both with the same behaviour: every legacy CRM route is registered a second
time under each date version (``add_date_versioned_routes``).  v4 associations lose support on
2027-03-30 and v1-v3 in September 2027
(https://developers.hubspot.com/changelog/legacy-apis-and-legacy-apps-whats-going-unsupported-and-when);
the simulator keeps answering them, as HubSpot does until then.
"""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.routing import APIRoute

DATE_VERSIONS: tuple[str, ...] = ("2026-03",)
"""Date versions served (``2026-03`` is the first; HubSpot ships one each March and September)."""

_LEGACY: tuple[tuple[str, str], ...] = (
    ("/crm/v3/objects/", "/crm/objects/{version}/"),
    ("/crm/v4/objects/", "/crm/objects/{version}/"),
    ("/crm/v4/associations/", "/crm/associations/{version}/"),
    ("/crm/v3/properties/", "/crm/properties/{version}/"),
)
_DATED = re.compile(r"^/(crm/objects|crm/associations|crm/properties|oauth)/(\d{4}-\d{2})(/.*)?$")


def dated_path(legacy: str, version: str) -> str | None:
    """The date-versioned twin of a legacy CRM path, or None if it has none."""
    for prefix, replacement in _LEGACY:
        if legacy.startswith(prefix):
            return replacement.format(version=version) + legacy[len(prefix) :]
    return None


def legacy_path(path: str) -> str:
    """The legacy spelling of a date-versioned path (unchanged if it is not one).

    Used to match faults: a fault queued for ``/crm/v3/objects/companies`` also hits
    ``/crm/objects/2026-03/companies``, so tests stage failures without naming a version.
    """
    match = _DATED.match(path)
    if match is None:
        return path
    api, rest = match.group(1), match.group(3) or ""
    if api == "oauth":
        return "/oauth/v1" + rest
    if api == "crm/associations":
        return "/crm/v4/associations" + rest
    if api == "crm/properties":
        return "/crm/v3/properties" + rest
    return ("/crm/v4/objects" if "/associations/" in rest else "/crm/v3/objects") + rest


def add_date_versioned_routes(router: APIRouter) -> None:
    """Register every legacy CRM route again under each date version (same endpoint function)."""
    for route in list(router.routes):
        if not isinstance(route, APIRoute):
            continue
        if route.path.startswith("/crm/v3/objects/") and "/associations/" in route.path:
            continue  # the v3 association list: its dated twin is the v4 one (other shape)
        for version in DATE_VERSIONS:
            path = dated_path(route.path, version)
            if path is not None:
                router.add_api_route(path, route.endpoint, methods=sorted(route.methods or ()))
