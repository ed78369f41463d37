"""The PartnerStack envelope and key paging.

Responses are ``{"data": ..., "message": ..., "status": <http status>}``; errors carry no ``data``
and arrive with their HTTP status, which the SDK requester classifies (429/5xx retried, 401/403
``AuthError``, other 4xx ``RequestRejected``). A 2xx whose body states an error status is raised the
same way, so a proxy that rewrites statuses cannot make an error look like an empty page.

Paging: ``starting_after`` is the ``key`` of the last item of the previous page; ``data.has_more``
false ends the list. Each page's ``resume`` is ``{"starting_after": <that key>}``, the position of
the *next* page, so the hub can commit it and a crashed run continues there.
https://docs.partnerstack.com/docs/partner-api (pagination)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from connectors.sdk import (
    Page,
    PaginationLoopError,
    Requester,
    StreamSpec,
    UpstreamError,
    classify,
    dig,
    select_records,
)


def call(
    requester: Requester,
    method: str,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
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


def read_key_pages(
    requester: Requester,
    spec: StreamSpec,
    *,
    params: Mapping[str, Any],
    page_size: int,
    resume: Mapping[str, Any] | None = None,
) -> Iterator[Page]:
    """Yield the raw pages of ``spec`` from ``resume`` to the end of the list.

    A key handed out twice raises ``PaginationLoopError``; ``has_more`` with an empty page raises
    ``UpstreamError`` (there is no last key to continue from).
    """
    position = (resume or {}).get("starting_after")
    seen: set[str] = set()
    while True:
        query: dict[str, Any] = {**spec.params, **params, "limit": page_size}
        if position:
            query["starting_after"] = position
        # https://docs.partnerstack.com/reference (GET list endpoints: limit, starting_after, order_by)
        document = call(requester, "GET", spec.path, params=query)
        records = select_records(document, spec.record_selector)
        if dig(document, ("data", "has_more")) is not True:
            yield Page(records=records, resume=None)
            return
        last = records[-1].get("key") if records and isinstance(records[-1], dict) else None
        if not last:
            raise UpstreamError(f"{spec.name}: has_more is true but the page has no last item key to continue from")
        position = str(last)
        if position in seen:
            raise PaginationLoopError(f"{spec.name}: upstream repeated the page after {position}")
        seen.add(position)
        yield Page(records=records, resume={"starting_after": position})
