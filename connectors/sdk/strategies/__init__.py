"""Paging strategies: one small module per way an upstream hands out the next page.

The contract is ``base.Paginator`` (``request``/``advance``, a persisted state, loop detection);
``connectors.sdk.paginator.read_pages`` drives any of them, ``parent_child.read_child_pages`` reads a
child stream per parent record. ``parent_child`` is not imported here (it needs the driver, which
needs the specs): import it from ``connectors.sdk``.
"""

from connectors.sdk.strategies.base import LoopGuard, PageRequest, Paginator, State
from connectors.sdk.strategies.cursor_token import CursorTokenPaginator
from connectors.sdk.strategies.last_record_key import LastRecordKeyPaginator
from connectors.sdk.strategies.offset import OffsetPaginator, PageNumberPaginator
from connectors.sdk.strategies.query_token import QueryTokenAuth
from connectors.sdk.strategies.single import SinglePage

__all__ = [
    "CursorTokenPaginator",
    "LastRecordKeyPaginator",
    "LoopGuard",
    "OffsetPaginator",
    "PageNumberPaginator",
    "PageRequest",
    "Paginator",
    "QueryTokenAuth",
    "SinglePage",
    "State",
]
