"""The paging-strategy contract every strategy implements, and the loop guard they share.

A strategy is frozen data (a pydantic model, so a ``StreamSpec`` declares it) with two small methods:

* ``request(path, params, state) -> PageRequest`` — what to send for the page at ``state``
  (``None``: the first page). ``params`` are the stream's own plus the caller's, already merged.
* ``advance(state, document, records) -> state | None`` — the position of the *next* page, read from
  the response ``document`` (and/or its selected ``records``); ``None`` when this page was the last.

A state is a small JSON object of strings (``{"token": "…"}``, ``{"offset": "200"}``,
``{"starting_after": "part_…"}``): the driver (``paginator.read_pages``) hands it out as the page's
``Page.resume``, the sync engine stores it with the page in one transaction, and a resumed read
passes it back as ``state``. Its form is persisted, so a strategy must keep accepting the states it
wrote before (the four below keep the forms of the paginators they replace).

Loop detection: a strategy whose next position comes from the upstream (a token, a URL, a record
key) sets ``detects_loops``; the driver then raises ``PaginationLoopError`` when a state repeats
within one read, instead of paging forever. Counting strategies (offset, page number) advance by
construction and bound the read with ``max_pages`` instead.

Contract for the next-URL strategy. The data is ``spec.NextUrlPaginator`` (``kind = "next_url"``,
``url_path: tuple[str, ...]``: the member holding the next page's URL — ``("nextRecordsUrl",)``,
``("@odata.nextLink",)``, ``("@nextLink",)``), state ``{"url": "<next URL>"}`` (the form it always
persisted), ``detects_loops = True``; the first request carries the stream's params, later ones the
URL as given (it carries its own query). ``read_pages`` drives it as it drives the others.
``strategies/next_url.py`` (written with the Salesforce work) is the full strategy over the same
data and state: relative links resolved against the requesting URL, and an absolute link to another
origin refused (``UpstreamError``), since the client's credentials would follow it.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from connectors.sdk.errors import PaginationLoopError

State = dict[str, str]
Params = list[tuple[str, Any]]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class PageRequest:
    """One request of a read: ``params`` go in the query string, ``body`` (if any) as JSON."""

    url: str
    params: Params | None = None
    method: Literal["GET", "POST"] = "GET"
    body: dict[str, Any] | None = None


def as_pairs(params: Mapping[str, Any]) -> Params:
    """Query pairs from a mapping; a list value repeats its key (``properties=a&properties=b``)."""
    pairs: Params = []
    for key, value in params.items():
        if isinstance(value, list | tuple):
            pairs.extend((key, item) for item in value)
        elif value is not None:
            pairs.append((key, value))
    return pairs


class Paginator(_Spec):
    """Base class of every paging strategy (see the module docstring for the contract)."""

    kind: str
    #: where the strategy's position and the stream's params travel: query string or JSON body
    send_in: Literal["query", "body"] = "query"
    #: whether ``advance`` returns positions chosen by the upstream (then a repeat is a loop)
    detects_loops: ClassVar[bool] = False

    def build(self, path: str, params: Mapping[str, Any]) -> PageRequest:
        """A request for ``path`` carrying ``params`` where ``send_in`` says."""
        if self.send_in == "body":
            return PageRequest(path, None, "POST", dict(params))
        return PageRequest(path, as_pairs(params))

    @abstractmethod
    def request(self, path: str, params: Mapping[str, Any], state: State | None) -> PageRequest:
        """The request for the page at ``state`` (``None``: the first page)."""

    @abstractmethod
    def advance(self, state: State | None, document: Any, records: list[Any]) -> State | None:
        """The state of the next page after the page at ``state`` answered ``document``; ``None`` at the end."""

    def with_page_size(self, size: int) -> Paginator:
        """A copy asking for ``size`` records a page (strategies without a page size return themselves)."""
        if "page_size" in type(self).model_fields:
            return self.model_copy(update={"page_size": size})
        return self


class LoopGuard:
    """Remembers the states of one read; a state handed out twice is a loop."""

    def __init__(self, stream: str) -> None:
        self.stream = stream
        self._seen: set[str] = set()

    def check(self, state: State) -> None:
        marker = repr(sorted(state.items()))
        if marker in self._seen:
            raise PaginationLoopError(f"{self.stream}: upstream repeated page position {state}")
        self._seen.add(marker)
