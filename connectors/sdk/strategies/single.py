"""No paging: the endpoint answers the whole list at once (Moodle web-service functions such as
``core_enrol_get_enrolled_users``, Partner Center's small lists). One request, ``resume=None``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from connectors.sdk.strategies.base import PageRequest, Paginator, State


class SinglePage(Paginator):
    """One request; its response is the whole stream."""

    kind: Literal["single"] = "single"

    def request(self, path: str, params: Mapping[str, Any], state: State | None) -> PageRequest:
        return self.build(path, params)

    def advance(self, state: State | None, document: Any, records: list[Any]) -> State | None:
        return None
