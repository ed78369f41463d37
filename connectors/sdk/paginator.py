"""Declarative full reads: request a path, select records, follow the paginator until the end.

Paging is resumable: each page's ``resume`` is the request position of the *next* page, so the hub
commits it with the page and a crashed run continues from there. A token seen twice is a loop and
raises ``PaginationLoopError`` instead of paging forever.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from connectors.sdk.connector import Page
from connectors.sdk.errors import PaginationLoopError
from connectors.sdk.http import Requester
from connectors.sdk.selector import dig, select_records
from connectors.sdk.spec import CursorTokenPaginator, NextUrlPaginator, OffsetPaginator, StreamSpec


def _params(spec: StreamSpec, extra: dict[str, Any]) -> list[tuple[str, Any]]:
    pairs: list[tuple[str, Any]] = []
    for key, value in {**spec.params, **extra}.items():
        if isinstance(value, list):
            pairs.extend((key, item) for item in value)
        else:
            pairs.append((key, value))
    return pairs


def read_pages(
    requester: Requester,
    spec: StreamSpec,
    resume: dict[str, Any] | None = None,
    *,
    params: dict[str, Any] | None = None,
) -> Iterator[tuple[Page, Any]]:
    """Yield ``(page, response_document)`` for a full read of ``spec`` from ``resume``."""
    paginator = spec.paginator
    extra = dict(params or {})
    position: dict[str, Any] = dict(resume or {})
    seen: set[str] = set()
    while True:
        if isinstance(paginator, CursorTokenPaginator):
            query = dict(extra)
            if paginator.page_size_param:
                query[paginator.page_size_param] = paginator.page_size
            if position.get("token"):
                query[paginator.param] = position["token"]
            document = requester.get_json(spec.path, params=_params(spec, query))
            token = dig(document, paginator.token_path)
            next_position = {"token": str(token)} if token else None
        elif isinstance(paginator, NextUrlPaginator):
            url = position.get("url") or spec.path
            document = requester.get_json(url, params=None if position.get("url") else _params(spec, extra))
            token = dig(document, paginator.url_path)
            next_position = {"url": str(token)} if token else None
        else:
            assert isinstance(paginator, OffsetPaginator)
            offset = int(position.get("offset", 0))
            query = {**extra, paginator.offset_param: offset, paginator.page_size_param: paginator.page_size}
            document = requester.get_json(spec.path, params=_params(spec, query))
            count = len(select_records(document, spec.record_selector))
            next_position = {"offset": str(offset + count)} if count >= paginator.page_size else None
        records = select_records(document, spec.record_selector)
        if next_position is not None:
            marker = repr(sorted(next_position.items()))
            if marker in seen:
                raise PaginationLoopError(f"{spec.name}: upstream repeated page position {next_position}")
            seen.add(marker)
        yield Page(records=records, resume=next_position), document
        if next_position is None:
            return
        position = next_position
