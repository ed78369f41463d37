"""Counting strategies: an offset into the list, or a page number.

* ``OffsetPaginator`` — ``offset``/``limit`` (Moodle web services: ``limitfrom``/``limitnum``).
  State ``{"offset": "<n>"}``.
* ``PageNumberPaginator`` — ``page``/``page_size`` (Docebo ``/learn/v1/...``: ``page`` from 1,
  ``data.has_more_data``, ``data.total_page_count``). State ``{"page": "<n>"}``.

Both stop on a short or empty page, or earlier where the response says so (``has_more_path`` false,
or ``total_path`` reached). They advance by construction, so a loop cannot repeat a state; an
upstream that ignores the position would page forever, which ``max_pages`` bounds (an
``UpstreamError`` when reached).
https://docs.moodle.org/dev/Web_service_API_functions
https://help.docebo.com/hc/en-us/articles/360020124459-API-Browser (pagination)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from connectors.sdk.errors import UpstreamError
from connectors.sdk.selector import dig
from connectors.sdk.strategies.base import PageRequest, Paginator, State


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


class _Counting(Paginator):
    page_size_param: str = "limit"
    page_size: int = Field(default=100, ge=1)
    #: a boolean member saying whether another page follows (e.g. ``("data", "has_more_data")``)
    has_more_path: tuple[str, ...] | None = None
    max_pages: int = Field(default=100_000, ge=1)

    def _more(self, document: Any, count: int) -> bool:
        if self.has_more_path is not None:
            flag = dig(document, self.has_more_path)
            if isinstance(flag, bool):
                return flag and count > 0
        return count >= self.page_size


class OffsetPaginator(_Counting):
    """``offset``/``limit`` paging; ``total_path`` (the list's total size) stops at the end exactly."""

    kind: Literal["offset"] = "offset"
    offset_param: str = "offset"
    total_path: tuple[str, ...] | None = None

    def request(self, path: str, params: Mapping[str, Any], state: State | None) -> PageRequest:
        offset = int((state or {}).get("offset", 0))
        return self.build(path, {**params, self.offset_param: offset, self.page_size_param: self.page_size})

    def advance(self, state: State | None, document: Any, records: list[Any]) -> State | None:
        following = int((state or {}).get("offset", 0)) + len(records)
        total = _int(dig(document, self.total_path)) if self.total_path else None
        more = following < total and len(records) > 0 if total is not None else self._more(document, len(records))
        if not more:
            return None
        if following >= self.max_pages * self.page_size:
            raise UpstreamError(f"offset paging passed {self.max_pages} pages: the upstream ignores the offset?")
        return {"offset": str(following)}


class PageNumberPaginator(_Counting):
    """``page``/``page_size`` paging from ``first_page``; ``total_pages_path`` stops at the last page."""

    kind: Literal["page_number"] = "page_number"
    page_param: str = "page"
    page_size_param: str = "page_size"
    first_page: int = Field(default=1, ge=0)
    total_pages_path: tuple[str, ...] | None = None

    def _page(self, state: State | None) -> int:
        return int((state or {}).get("page", self.first_page))

    def request(self, path: str, params: Mapping[str, Any], state: State | None) -> PageRequest:
        return self.build(path, {**params, self.page_param: self._page(state), self.page_size_param: self.page_size})

    def advance(self, state: State | None, document: Any, records: list[Any]) -> State | None:
        page = self._page(state)
        total = _int(dig(document, self.total_pages_path)) if self.total_pages_path else None
        # total counts pages from 1 whatever the first page's number is
        more = page - self.first_page + 1 < total if total is not None else self._more(document, len(records))
        if not more or not records:
            return None
        if page - self.first_page + 1 >= self.max_pages:
            raise UpstreamError(f"page-number paging passed {self.max_pages} pages: the upstream ignores the page?")
        return {"page": str(page + 1)}
