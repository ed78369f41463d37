"""Next-URL paging: each response names the URL of the page after it.

Salesforce ``nextRecordsUrl`` (a path: ``/services/data/v62.0/query/01g...-2000``), OData
``@odata.nextLink`` and Azure ``nextLink`` (absolute URLs). The link's JSON path is data
(``url_path``, a tuple because OData's key contains a dot); a relative link is resolved against the
URL of the request that returned it (or ``base_url`` when set), as a browser resolves a link.

* The first request is the stream's path with its parameters; every later one is the link alone
  (it carries its own query string).
* Resumable state is the next page's resolved URL, ``{"url": ...}``: the hub commits it with the
  page, and a resumed read requests it directly.
* A link that comes back a second time (or names the page just read) is a loop:
  ``PaginationLoopError`` instead of paging forever.
* A link to another origin than the one being paged is refused (``same_origin``): the client would
  send its credentials there.

https://developer.salesforce.com/docs/platform/api-rest/guide/resources-query.md
https://learn.microsoft.com/en-us/odata/webapi/server-driven-paging
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict

from connectors.sdk.connector import Page
from connectors.sdk.errors import PaginationLoopError, UpstreamError
from connectors.sdk.http import Requester
from connectors.sdk.selector import dig, select_records
from connectors.sdk.spec import NextUrlPaginator, StreamSpec

Params = list[tuple[str, Any]]
RESUME_KEY = "url"


def _origin(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url)
    return (parts.scheme.lower(), parts.netloc.lower()) if parts.scheme and parts.netloc else None


def _pairs(params: Mapping[str, Any] | None) -> Params:
    pairs: Params = []
    for key, value in (params or {}).items():
        if isinstance(value, list | tuple):
            pairs.extend((key, item) for item in value)
        elif value is not None:
            pairs.append((key, value))
    return pairs


@dataclass(frozen=True)
class NextRequest:
    """One request of a read (the shape of the SDK driver's ``PageRequest``)."""

    url: str
    params: Params | None = None
    method: Literal["GET"] = "GET"
    body: None = None


class NextUrl(BaseModel):
    """Follow the link at ``url_path`` until a page has none (absent, null or empty).

    ``base_url``: resolve relative links against this instead of the requesting URL.
    ``same_origin``: refuse absolute links to another scheme/host/port than the request's.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["next_url"] = "next_url"
    url_path: tuple[str, ...]
    base_url: str | None = None
    same_origin: bool = True

    @classmethod
    def of(cls, paginator: NextUrlPaginator | NextUrl) -> NextUrl:
        """The strategy for a stream spec's declared ``NextUrlPaginator``."""
        return paginator if isinstance(paginator, NextUrl) else cls(url_path=paginator.url_path)

    # -- the steps of a read (the SDK driver's ``request``/``advance`` contract) --------------------

    def request(self, path: str, params: Mapping[str, Any] | None, state: Mapping[str, Any] | None) -> NextRequest:
        """What to send for the page at ``state``: the stream's path and params first (``state``
        None), then the stored URL alone (it carries its own query string)."""
        url = self.resume_request(state)
        return NextRequest(url, None) if url is not None else NextRequest(path, _pairs(params))

    def advance(
        self, state: Mapping[str, Any] | None, document: Any, records: list[Any], *, requested: str | None = None
    ) -> dict[str, str] | None:
        """The state of the page after ``document`` (``{"url": ...}``), or None at the end.
        ``requested``: the URL that answered (default: the state's; the first page's path otherwise)."""
        url = self.next_url(document, requested or self.resume_request(state) or "")
        return {RESUME_KEY: url} if url is not None else None

    def resume_request(self, resume: Mapping[str, Any] | None) -> str | None:
        """The URL a resumed read starts from, or None to start at the beginning."""
        url = (resume or {}).get(RESUME_KEY)
        return url if isinstance(url, str) and url else None

    def next_url(self, document: Any, requested: str, fallback_base: str | None = None) -> str | None:
        """The resolved URL of the page after ``document`` (fetched from ``requested``), or None."""
        link = dig(document, self.url_path)
        if link is None or link == "":
            return None
        if not isinstance(link, str):
            raise UpstreamError(f"next-page link at {'.'.join(self.url_path)!r} is not a string: {link!r}")
        url = urljoin(self.base_url or requested, link.strip())
        if self.same_origin and (target := _origin(url)) is not None:
            source = _origin(self.base_url or requested) or (_origin(fallback_base) if fallback_base else None)
            if source is not None and target != source:
                raise UpstreamError(f"refusing to follow a next-page link to another origin: {url}")
        return url

    # -- the loop --------------------------------------------------------------------------------

    def pages(
        self,
        requester: Requester,
        spec: StreamSpec,
        resume: Mapping[str, Any] | None = None,
        *,
        params: Mapping[str, Any] | None = None,
    ) -> Iterator[tuple[Page, Any]]:
        """Yield ``(page, response document)`` from ``resume`` (a committed ``Page.resume``) to the end."""
        client_base = requester.client.base_url
        first = self.request(spec.path, {**spec.params, **(params or {})}, resume)
        url, query = first.url, first.params
        seen = {_absolute(client_base, url, query)}
        while True:
            document = requester.get_json(url, params=query)
            following = self.next_url(document, url, str(client_base) or None)
            if following is not None:
                key = _absolute(client_base, following, None)
                if key in seen:
                    raise PaginationLoopError(f"{spec.name}: upstream repeated the next-page link {following}")
                seen.add(key)
            records = select_records(document, spec.record_selector)
            yield Page(records=records, resume={RESUME_KEY: following} if following else None), document
            if following is None:
                return
            url, query = following, None


def _absolute(base: httpx.URL, url: str, params: Params | None) -> str:
    """``url`` (with ``params``) as the client would send it: the loop detector's key."""
    target = base.join(url) if str(base) else httpx.URL(url)
    return str(target.copy_merge_params(params) if params else target)
