"""Declarative specs: what a connector's streams and write operations are, as frozen data.

A stream is a handful of attributes (name, path, primary key, cursor field, paginator, record
selector), in the manner of the Singer SDK and Airbyte's declarative manifests; its behaviour comes
from small named components (``paginator.py``, ``selector.py``), not from overriding hooks.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CursorTokenPaginator(_Spec):
    """The response carries an opaque next-page token at ``token_path``; it goes back as ``param``."""

    kind: Literal["cursor_token"] = "cursor_token"
    token_path: tuple[str, ...]
    param: str
    page_size_param: str | None = "limit"
    page_size: int = Field(default=100, ge=1)


class NextUrlPaginator(_Spec):
    """The response carries the next page's URL (absolute or path) at ``url_path``."""

    kind: Literal["next_url"] = "next_url"
    url_path: tuple[str, ...]


class OffsetPaginator(_Spec):
    """``offset``/``limit`` style paging; stops on a short page."""

    kind: Literal["offset"] = "offset"
    offset_param: str = "offset"
    page_size_param: str = "limit"
    page_size: int = Field(default=100, ge=1)


Paginator = Annotated[CursorTokenPaginator | NextUrlPaginator | OffsetPaginator, Field(discriminator="kind")]


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
    paginator: Paginator
    params: dict[str, str | list[str]] = Field(default_factory=dict)
    supports_incremental: bool = False
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
