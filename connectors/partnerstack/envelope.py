"""The PartnerStack envelope: ``{"data": ..., "message": ..., "status": <http status>}``.

Errors carry no ``data`` and arrive with their HTTP status, which the SDK requester classifies
(429/5xx retried, 401/403 ``AuthError``, other 4xx ``RequestRejected``). A 2xx whose body states an
error status is raised the same way, so a proxy that rewrites statuses cannot make an error look
like an empty page. Paging is the SDK's ``LastRecordKeyPaginator`` (``streams.py``); ``fetch`` is
how the SDK driver sends each page request through this check.
https://docs.partnerstack.com/docs/partner-api (Responses)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from connectors.sdk import PageRequest, Requester, UpstreamError, classify

Params = Mapping[str, Any] | list[tuple[str, Any]]


def call(
    requester: Requester,
    method: str,
    path: str,
    *,
    params: Params | None = None,
    json: Any = None,
) -> dict[str, Any]:
    """Send one request and return the envelope; raise the SDK error for an error status."""
    response = requester.request(method, path, params=params, json=json)
    try:
        document = response.json()
    except ValueError as exc:
        raise UpstreamError(f"{method} {path}: response is not JSON", status=response.status_code) from exc
    if not isinstance(document, dict):
        raise UpstreamError(f"{method} {path}: response is not a JSON object", status=response.status_code)
    stated = document.get("status")
    if isinstance(stated, int) and not isinstance(stated, bool) and stated >= 400:
        classify(httpx.Response(stated, json=document, request=response.request))
    return document


def fetch(requester: Requester, request: PageRequest) -> dict[str, Any]:
    """One page request of the SDK driver (``read_pages(..., fetch=fetch)``), envelope checked."""
    # https://docs.partnerstack.com/reference (GET list endpoints: limit, starting_after)
    return call(requester, request.method, request.url, params=request.params, json=request.body)
