"""Declarative specs: what a connector's streams and write operations are, as frozen data.

A stream is a handful of attributes (name, path, primary key, cursor field, paginator, record
selector), in the manner of the Singer SDK and Airbyte's declarative manifests; its behaviour comes
from small named components (the paging strategies in ``strategies/``, driven by ``paginator.py``;
``selector.py``), not from overriding hooks. A paginator is any ``strategies.base.Paginator``
subclass: adding a strategy is adding a module, not editing a union here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny

from connectors.sdk.selector import dig
from connectors.sdk.strategies.base import PageRequest, Paginator, State
from connectors.sdk.strategies.cursor_token import CursorTokenPaginator
from connectors.sdk.strategies.last_record_key import LastRecordKeyPaginator
from connectors.sdk.strategies.offset import OffsetPaginator, PageNumberPaginator
from connectors.sdk.strategies.single import SinglePage


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NextUrlPaginator(Paginator):
    """The response carries the next page's URL (absolute or path) at ``url_path``; state ``{"url": ...}``.

    The minimal form the SDK always had; the full next-URL strategy (relative links, same-origin
    check, ``@odata.nextLink``) is ``strategies/next_url.py`` and follows the contract in
    ``strategies/base.py``.
    """

    kind: Literal["next_url"] = "next_url"
    url_path: tuple[str, ...]
    detects_loops: ClassVar[bool] = True

    def request(self, path: str, params: Mapping[str, Any], state: State | None) -> PageRequest:
        if state and state.get("url"):
            return PageRequest(state["url"])
        return self.build(path, params)

    def advance(self, state: State | None, document: Any, records: list[Any]) -> State | None:
        url = dig(document, self.url_path)
        return {"url": str(url)} if url else None


class ParentStream(_Spec):
    """A child stream's parent: ``stream`` (a stream of the same connector) and the parent record's
    id at ``key``, sent as the query parameter ``param`` or, when ``param`` is None, put in the child
    path's ``{parent_id}``. See ``strategies/parent_child.py``."""

    stream: str
    key: str = "id"
    param: str | None = None


class StreamSpec(_Spec):
    """One stream of records from an upstream object.

    ``cursor_field`` is a dotted path into a raw record whose value orders changes (an ISO-8601
    time or a monotonic version); the hub keeps the committed cursor, never the connector.
    """

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    object: str
    path: str
    primary_key: str = "id"
    cursor_field: str | None = None
    record_selector: tuple[str, ...] = ("results",)
    paginator: SerializeAsAny[Paginator]
    parent: ParentStream | None = None
    params: dict[str, str | list[str]] = Field(default_factory=dict)
    supports_incremental: bool = False
    #: a full read lists every record: one a complete full read did not list is gone (ADR 22)
    deletes_by_absence: bool = False
    doc_url: str | None = None


class WriteSpec(_Spec):
    """A write operation the connector offers (e.g. batch upsert by a unique property)."""

    object: str
    operation: Literal["upsert", "update", "create"] = "upsert"
    id_property: str
    batch_size: int = Field(default=100, ge=1)
    doc_url: str | None = None


class ConnectorSpec(_Spec):
    """Everything the hub needs to know about a connector before running it."""

    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    streams: tuple[StreamSpec, ...]
    writes: tuple[WriteSpec, ...] = ()
    doc_url: str | None = None

    def stream(self, name: str) -> StreamSpec:
        for spec in self.streams:
            if spec.name == name:
                return spec
        known = ", ".join(s.name for s in self.streams)
        raise KeyError(f"{self.kind} has no stream {name!r}; known: {known}")


__all__ = [
    "ConnectorSpec",
    "CursorTokenPaginator",
    "LastRecordKeyPaginator",
    "NextUrlPaginator",
    "OffsetPaginator",
    "PageNumberPaginator",
    "Paginator",
    "ParentStream",
    "SinglePage",
    "StreamSpec",
    "WriteSpec",
]
