"""PartnerStack's streams and write operations as data.

Vendor API v2 reference: https://docs.partnerstack.com/reference. Every list answers
``{"data": {"has_more": bool, "items": [...]}, "message": ..., "status": 200}`` and pages by item
key: ``limit`` (1-250) and ``starting_after`` = the ``key`` of the previous page's last item, until
``data.has_more`` is false — the SDK's ``LastRecordKeyPaginator``. Lists default to newest first by
creation date.

What each list documents, and therefore what the connector sends (nothing else):

=============  ===================================  ========================  ==================
stream         static params                        incremental filter        ``order_by``
=============  ===================================  ========================  ==================
partnerships   ``include_archived=true``            none (read in full)       ``created_at``
customers      —                                    ``min_updated``           not documented
deals          ``include_archived=true`` (ADR 16)   ``min_updated``           not documented
transactions   —                                    ``min_created``           ``created_at``
rewards        —                                    ``min_created`` + window  ``created_at``
=============  ===================================  ========================  ==================

Sources: the list operations of PartnerStack's API definition (the Fern-generated
``partnerstack-node`` client: ``ListAllDealsRequest`` has no ``order_by``), the api-evangelist
OpenAPI derivation (``order_by`` on partnerships, transactions and rewards only) and the
partnerships reference (``order_by`` ∈ ±created_at, ±updated_at; ``include_archived``).
"""

from __future__ import annotations

from connectors.sdk import ConnectorSpec, LastRecordKeyPaginator, StreamSpec, WriteSpec

DOC_URL = "https://docs.partnerstack.com/reference"

# https://docs.partnerstack.com/docs/partner-api (Pagination)
PAGINATOR = LastRecordKeyPaginator(
    param="starting_after", key_field="key", has_more_path=("data", "has_more"), page_size_param="limit", page_size=250
)

# Incremental filter of each stream (epoch ms, inclusive). Partnerships have no documented
# modification filter: they are read in full every time.
INCREMENTAL_FILTER: dict[str, str] = {
    "customers": "min_updated",
    "deals": "min_updated",
    "transactions": "min_created",
    "rewards": "min_created",
}

# Streams whose full read lists every record (archived ones flagged), so a record a complete full
# read did not list is gone (ADR 22). Transactions and rewards are append-only facts: never inferred.
LISTED_IN_FULL = frozenset({"partnerships", "customers", "deals"})

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
        deletes_by_absence=name in LISTED_IN_FULL,
        doc_url=DOC_URL,
    )


SPEC = ConnectorSpec(
    kind="partnerstack",
    title="PartnerStack",
    streams=(
        _stream("partnerships", "updated_at", {"include_archived": "true", "order_by": "created_at"}),
        _stream("customers", "updated_at"),
        _stream("deals", "updated_at", {"include_archived": "true"}),
        _stream("transactions", "created_at", {"order_by": "created_at"}),
        _stream("rewards", "created_at", {"order_by": "created_at"}),
    ),
    writes=(
        WriteSpec(object="partnerships", operation="update", id_property="key", batch_size=1, doc_url=DOC_URL),
        WriteSpec(object="deals", operation="update", id_property="key", batch_size=1, doc_url=DOC_URL),
    ),
    doc_url=DOC_URL,
)
