"""Running SOQL: ``query``/``queryAll`` pages followed through ``nextRecordsUrl`` (SDK ``read_pages``).

A page's resume position is ``{"url": nextRecordsUrl}``. Query locators expire (after about 15
minutes unused), so a run resumed late gets ``INVALID_QUERY_LOCATOR``; the query then starts over,
which is safe: the hub drops re-read records by content hash and only commits the cursor at the end.

https://developer.salesforce.com/docs/platform/api-rest/guide/resources-query.md
https://developer.salesforce.com/docs/platform/api-rest/guide/resources-queryall.md
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from typing import Any

from connectors.salesforce.errors import INVALID_QUERY_LOCATOR, error_codes
from connectors.sdk import NextUrlPaginator, Requester, RequestRejected, StreamSpec, read_pages

log = logging.getLogger(__name__)

Record = dict[str, Any]

_QUERY_SPEC = StreamSpec(
    name="soql",
    object="soql",
    path="/services/data/v{version}/queryAll",
    primary_key="Id",
    record_selector=("records",),
    paginator=NextUrlPaginator(url_path=("nextRecordsUrl",)),
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
        resume = {"url": resume_url} if resume_url else None
        pages = read_pages(self.requester, query_spec, resume)
        try:
            first = next(pages)
        except RequestRejected as exc:
            if resume is None or INVALID_QUERY_LOCATOR not in error_codes(exc.body):
                raise
            log.warning("%s: query locator expired; restarting the query", query_spec.name)
            pages = read_pages(self.requester, query_spec, None)
            first = next(pages)
        for page, _document in itertools.chain([first], pages):
            yield page.records, (page.resume or {}).get("url")

    def rows(self, soql: str, *, all_rows: bool = True) -> list[Record]:
        """Every record of a (small) query."""
        return [record for records, _ in self.pages(soql, all_rows=all_rows) for record in records]
