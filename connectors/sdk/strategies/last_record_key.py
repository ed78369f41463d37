"""Last-record-key paging: the next page starts after the key of this page's last record.

PartnerStack (``starting_after`` = the last item's ``key``, ``data.has_more``), Stripe
(``starting_after`` = the last object's ``id``, ``has_more``). The response carries no token: the
position is a member of the last record. State ``{<param>: "<key>"}`` (``{"starting_after": …}``);
a key handed out twice is a loop; ``has_more`` with an empty page, or with a last record without a
key, is an ``UpstreamError`` (there is nothing to continue from).
https://docs.partnerstack.com/docs/partner-api (Pagination)
https://docs.stripe.com/api/pagination
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import Field

from connectors.sdk.errors import UpstreamError
from connectors.sdk.selector import dig, dotted
from connectors.sdk.strategies.base import PageRequest, Paginator, State


class LastRecordKeyPaginator(Paginator):
    """Continue after ``key_field`` of the last record while ``has_more_path`` is true."""

    kind: Literal["last_record_key"] = "last_record_key"
    param: str = "starting_after"
    key_field: str = "key"
    has_more_path: tuple[str, ...] = ("has_more",)
    page_size_param: str | None = "limit"
    page_size: int = Field(default=100, ge=1)
    detects_loops: ClassVar[bool] = True

    def request(self, path: str, params: Mapping[str, Any], state: State | None) -> PageRequest:
        query = dict(params)
        if self.page_size_param:
            query[self.page_size_param] = self.page_size
        if state and state.get(self.param):
            query[self.param] = state[self.param]
        return self.build(path, query)

    def advance(self, state: State | None, document: Any, records: list[Any]) -> State | None:
        if dig(document, self.has_more_path) is not True:
            return None
        last = dotted(records[-1], self.key_field) if records else None
        if last in (None, ""):
            flag = ".".join(self.has_more_path)
            raise UpstreamError(f"{flag} is true but the page has no last item key ({self.key_field!r}) to go on from")
        return {self.param: str(last)}
