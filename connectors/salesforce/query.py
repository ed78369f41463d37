"""Running SOQL: ``query``/``queryAll`` pages followed through ``nextRecordsUrl`` with the SDK's
next-URL strategy (``connectors.sdk.strategies.next_url``).

A page's resume position is the strategy's ``{"url": nextRecordsUrl}``. Query locators expire (after
about 15 minutes unused), so a run resumed late gets ``INVALID_QUERY_LOCATOR``; the query then starts
over, which is safe: the hub drops re-read records by content hash and only commits the cursor at
the end. That restart is the one thing added to the strategy (see docs/adr/0014).

https://developer.salesforce.com/docs/platform/api-rest/guide/resources-query.md
https://developer.salesforce.com/docs/platform/api-rest/guide/resources-queryall.md
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from typing import Any

from connectors.salesforce.errors import INVALID_QUERY_LOCATOR, error_codes
from connectors.salesforce.streams import NEXT_RECORDS, QUERY_PATH
from connectors.sdk import NextUrlPaginator, Requester, RequestRejected, StreamSpec
from connectors.sdk.strategies.next_url import NextUrl

log = logging.getLogger(__name__)

Record = dict[str, Any]

_QUERY_SPEC = StreamSpec(
    name="soql",
    object="soql",
    path=QUERY_PATH,
    primary_key="Id",
    record_selector=("records",),
    paginator=NEXT_RECORDS,
)


class Soql:
    """Runs SOQL against one API version; ``all_rows`` selects queryAll (deleted rows included)."""

    def __init__(self, requester: Requester, api_version: str) -> None:
        self.requester = requester
        self.api_version = api_version

    def _spec(self, soql: str, spec: StreamSpec | None, all_rows: bool) -> StreamSpec:
        base = spec or _QUERY_SPEC
        path = base.path.format(version=self.api_version)
        if not all_rows:
            path = path.removesuffix("/queryAll") + "/query"
        return base.model_copy(update={"path": path, "params": {"q": soql}})

    def pages(
        self,
        soql: str,
        *,
        spec: StreamSpec | None = None,
        all_rows: bool = True,
        resume_url: str | None = None,
    ) -> Iterator[tuple[list[Record], str | None]]:
        """Yield ``(records, nextRecordsUrl or None)`` per page, from ``resume_url`` if given."""
        query_spec = self._spec(soql, spec, all_rows)
        if not isinstance(query_spec.paginator, NextUrlPaginator):
            raise TypeError(f"{query_spec.name}: SOQL pages by nextRecordsUrl, not {query_spec.paginator.kind}")
        paging = NextUrl.of(query_spec.paginator)
        resume = {"url": resume_url} if resume_url else None
        pages = paging.pages(self.requester, query_spec, resume)
        try:
            first = next(pages)
        except RequestRejected as exc:
            if resume is None or INVALID_QUERY_LOCATOR not in error_codes(exc.body):
                raise
            log.warning("%s: query locator expired; restarting the query", query_spec.name)
            pages = paging.pages(self.requester, query_spec, None)
            first = next(pages)
        for page, _document in itertools.chain([first], pages):
            yield page.records, (page.resume or {}).get("url")

    def rows(self, soql: str, *, all_rows: bool = True) -> list[Record]:
        """Every record of a (small) query."""
        return [record for records, _ in self.pages(soql, all_rows=all_rows) for record in records]
