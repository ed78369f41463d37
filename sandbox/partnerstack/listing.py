"""List parameters and cursor pagination shared by every list endpoint.

* ``limit``: 1 to 250, default 10 (400 outside, or when not an integer);
* ``starting_after`` = key of the last item of the previous page → the next page;
  ``ending_before`` = key of the first item → the previous page; both at once → 400; a key that
  does not exist in the resource → 400.  The cursor object need not match the filters: pages
  continue from its position in the ordering;
* ``order_by``: a field name, ``-`` prefix = descending; default ``-created_at`` (newest first);
  ties are broken by ``key`` in the same direction. Only the lists that document it take it
  (partnerships, transactions, rewards, groups, webhooks); customers and deals answer 400, so a
  client that sends it anyway finds out here rather than in production;
* ``min_created`` / ``max_created`` / ``min_updated`` / ``max_updated``: epoch milliseconds,
  inclusive bounds on ``created_at`` / ``updated_at``.

``has_more`` says whether more items exist beyond the page in the direction of travel (towards
the end for ``starting_after`` or no cursor, towards the start for ``ending_before``).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sandbox.partnerstack.errors import bad_request
from sandbox.partnerstack.objects import JsonDict

DEFAULT_LIMIT = 10
MAX_LIMIT = 250
TIME_BOUNDS = (
    ("min_created", "created_at", 1),
    ("max_created", "created_at", -1),
    ("min_updated", "updated_at", 1),
    ("max_updated", "updated_at", -1),
)


@dataclass
class ListQuery:
    """Parsed paging, ordering and time-window parameters."""

    limit: int = DEFAULT_LIMIT
    starting_after: str | None = None
    ending_before: str | None = None
    order_field: str = "created_at"
    descending: bool = True
    bounds: tuple[tuple[str, int, int], ...] = ()  # (field, value, +1 for min / -1 for max)

    def in_window(self, record: JsonDict) -> bool:
        """Whether ``record`` satisfies every time bound."""
        for field, value, sign in self.bounds:
            stamp = record.get(field)
            if not isinstance(stamp, int) or (stamp - value) * sign < 0:
                return False
        return True


def int_param(params: Mapping[str, str], name: str) -> int | None:
    """An integer query parameter (``None`` when absent or empty; 400 when not an integer)."""
    raw = params.get(name)
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip()
    if not text.lstrip("-").isdigit():
        raise bad_request(f"'{name}' must be an integer, got '{raw}'")
    return int(text)


def bool_param(params: Mapping[str, str], name: str, default: bool = False) -> bool:
    """A boolean query parameter (``true``/``false``/``1``/``0``, any case; 400 otherwise)."""
    raw = params.get(name)
    if raw is None or raw.strip() == "":
        return default
    text = raw.strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise bad_request(f"'{name}' must be true or false, got '{raw}'")


def parse_list(params: Mapping[str, str], order_fields: Collection[str], time_filters: bool = True) -> ListQuery:
    """Validate the common list parameters (see the module docstring)."""
    query = ListQuery()
    limit = int_param(params, "limit")
    if limit is not None:
        if not 1 <= limit <= MAX_LIMIT:
            raise bad_request(f"'limit' must be between 1 and {MAX_LIMIT}, got {limit}")
        query.limit = limit
    query.starting_after = params.get("starting_after") or None
    query.ending_before = params.get("ending_before") or None
    if query.starting_after and query.ending_before:
        raise bad_request("'starting_after' and 'ending_before' are mutually exclusive")
    order = (params.get("order_by") or "").strip()
    if "order_by" in params and not order_fields:
        raise bad_request("'order_by' is not a parameter of this list (it is ordered by creation date, newest first)")
    if order:
        field = order.lstrip("-")
        if field not in order_fields:
            raise bad_request(f"Cannot order by '{field}'; allowed: {', '.join(sorted(order_fields))}")
        query.order_field, query.descending = field, order.startswith("-")
    if time_filters:
        query.bounds = tuple(
            (field, value, sign) for name, field, sign in TIME_BOUNDS if (value := int_param(params, name)) is not None
        )
    return query


def _sort_key(record: JsonDict, field: str) -> tuple[Any, ...]:
    value = record.get(field)
    if value is None:
        rank: tuple[Any, ...] = (0, 0)
    elif isinstance(value, bool | int | float):
        rank = (1, float(value))
    else:
        rank = (2, str(value))
    return (*rank, str(record.get("key", "")))


def paginate(
    records: list[JsonDict], query: ListQuery, cursor_lookup: Callable[[str], JsonDict | None]
) -> tuple[list[JsonDict], bool]:
    """One page of ``records`` (already filtered) and ``has_more``."""
    field, limit = query.order_field, query.limit
    rows = sorted(records, key=lambda r: _sort_key(r, field))
    keys = [_sort_key(r, field) for r in rows]
    cursor_ref = query.starting_after or query.ending_before
    cursor: tuple[Any, ...] | None = None
    if cursor_ref:
        found = cursor_lookup(cursor_ref)
        if found is None:
            name = "starting_after" if query.starting_after else "ending_before"
            raise bad_request(f"'{name}' refers to an object that does not exist: '{cursor_ref}'")
        cursor = _sort_key(found, field)
    forward = query.ending_before is None
    if not query.descending:
        if cursor is None:
            seq = rows
        elif forward:
            seq = rows[bisect.bisect_right(keys, cursor) :]
        else:
            seq = rows[: bisect.bisect_left(keys, cursor)]
        page = seq[:limit] if forward else seq[-limit:]
        return page, len(seq) > limit
    if cursor is None:
        seq = rows
    elif forward:
        seq = rows[: bisect.bisect_left(keys, cursor)]
    else:
        seq = rows[bisect.bisect_right(keys, cursor) :]
    page = seq[-limit:][::-1] if forward else seq[:limit][::-1]
    return page, len(seq) > limit
