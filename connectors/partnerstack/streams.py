"""PartnerStack's streams and write operations as data.

Vendor API v2 reference: https://docs.partnerstack.com/reference. Every list answers
``{"data": {"has_more": bool, "items": [...]}, "message": ..., "status": 200}`` and pages by item
key: ``limit`` (1-250) and ``starting_after`` = the ``key`` of the previous page's last item, until
``data.has_more`` is false. Lists default to newest first; the connector always asks for ascending
``order_by`` so that a resumed or incremental read moves forward in time.

The SDK has no paginator whose token is the last record's own key (``CursorTokenPaginator`` reads a
token from the response), so each ``StreamSpec`` declares the request side of PartnerStack paging
(``starting_after`` and ``limit``) and ``paging.read_key_pages`` supplies the token. Do not hand
these specs to the SDK's ``read_pages``.
"""

from __future__ import annotations

from connectors.sdk import ConnectorSpec, CursorTokenPaginator, StreamSpec, WriteSpec

DOC_URL = "https://docs.partnerstack.com/reference"

# Request side of key paging; the token is the last item's ``key`` (see the module docstring).
PAGINATOR = CursorTokenPaginator(token_path=("data", "items"), param="starting_after", page_size=250)

# Incremental filter of each stream (epoch ms, inclusive). Partnerships have no documented
# modification filter: they are read in full every time.
INCREMENTAL_FILTER: dict[str, str] = {
    "customers": "min_updated",
    "deals": "min_updated",
    "transactions": "min_created",
    "rewards": "min_created",
}

# Objects with ``GET /{object}/{key}`` (rewards have none: list and create only).
FETCHABLE = frozenset({"partnerships", "customers", "deals", "transactions"})

# Properties accepted by ``PATCH /{object}/{key}``.
WRITABLE: dict[str, frozenset[str]] = {
    "partnerships": frozenset({"group_key", "tier_key", "manager_email", "fields"}),
    "deals": frozenset({"stage", "lost_reason", "fields"}),
}


def _stream(name: str, cursor_field: str, params: dict[str, str | list[str]] | None = None) -> StreamSpec:
    return StreamSpec(
        name=name,
        object=name,
        path=f"/{name}",
        primary_key="key",
        cursor_field=cursor_field,
        record_selector=("data", "items"),
        paginator=PAGINATOR,
        params=params or {},
        supports_incremental=name in INCREMENTAL_FILTER,
        doc_url=DOC_URL,
    )


SPEC = ConnectorSpec(
    kind="partnerstack",
    title="PartnerStack",
    streams=(
        _stream("partnerships", "updated_at"),
        _stream("customers", "updated_at"),
        _stream("deals", "updated_at"),
        _stream("transactions", "created_at"),
        _stream("rewards", "created_at"),
    ),
    writes=(
        WriteSpec(object="partnerships", operation="update", id_property="key", batch_size=1, doc_url=DOC_URL),
        WriteSpec(object="deals", operation="update", id_property="key", batch_size=1, doc_url=DOC_URL),
    ),
    doc_url=DOC_URL,
)
