"""Declarative reads: request a path, select records, follow the stream's paging strategy to the end.

The strategy (``strategies/``, a ``Paginator``) says what to send for a position and which position
comes next; this driver does the rest the same way for all of them. Paging is resumable: each
page's ``resume`` is the state of the *next* page, so the hub commits it with the page and a crashed
run continues from there. For strategies whose positions come from the upstream, a state seen twice
is a loop and raises ``PaginationLoopError`` instead of paging forever.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from connectors.sdk.connector import Page
from connectors.sdk.http import Requester
from connectors.sdk.selector import select_records
from connectors.sdk.spec import StreamSpec
from connectors.sdk.strategies.base import LoopGuard, PageRequest


def send(requester: Requester, request: PageRequest) -> Any:
    """Send one page request and return its parsed JSON."""
    return requester.request(request.method, request.url, params=request.params, json=request.body).json()


def read_pages(
    requester: Requester,
    spec: StreamSpec,
    resume: Mapping[str, Any] | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    fetch: Callable[[Requester, PageRequest], Any] | None = None,
) -> Iterator[tuple[Page, Any]]:
    """Yield ``(page, response_document)`` for a read of ``spec`` from ``resume``.

    ``params`` are added to the stream's own (they win). ``fetch(requester, request) -> document``
    replaces the plain JSON GET/POST, for an upstream whose envelope needs checking (PartnerStack
    states errors inside 2xx bodies).
    """
    paginator = spec.paginator
    merged = {**spec.params, **(params or {})}
    kept = {str(k): str(v) for k, v in (resume or {}).items() if v is not None}
    state: dict[str, str] | None = kept or None
    guard = LoopGuard(spec.name)
    get = fetch or send
    while True:
        document = get(requester, paginator.request(spec.path, merged, state))
        records = select_records(document, spec.record_selector)
        following = paginator.advance(state, document, records)
        if following is not None and paginator.detects_loops:
            guard.check(following)
        yield Page(records=records, resume=following), document
        if following is None:
            return
        state = following
