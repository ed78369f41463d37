"""Cursor-token paging: the response carries an opaque next-page token that goes back as a parameter.

HubSpot ``paging.next.after`` → ``?after=``; AWS Marketplace / AWS Partner Central ``NextToken``
(sent back in the JSON body of the next ``POST``, ``send_in="body"``); Partner Center
``continuationToken``. State ``{"token": "<token>"}``; a token handed out twice is a loop.
https://developers.hubspot.com/docs/api-reference/crm-companies-v3/guide#paging
https://docs.aws.amazon.com/partner-central/latest/APIReference/API_ListOpportunities.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import Field

from connectors.sdk.selector import dig
from connectors.sdk.strategies.base import PageRequest, Paginator, State


class CursorTokenPaginator(Paginator):
    """The token at ``token_path`` goes back as ``param``; no token (absent, null, empty) ends the read."""

    kind: Literal["cursor_token"] = "cursor_token"
    token_path: tuple[str, ...]
    param: str
    page_size_param: str | None = "limit"
    page_size: int = Field(default=100, ge=1)
    detects_loops: ClassVar[bool] = True

    def request(self, path: str, params: Mapping[str, Any], state: State | None) -> PageRequest:
        query = dict(params)
        if self.page_size_param:
            query[self.page_size_param] = self.page_size
        if state and state.get("token"):
            query[self.param] = state["token"]
        return self.build(path, query)

    def advance(self, state: State | None, document: Any, records: list[Any]) -> State | None:
        token = dig(document, self.token_path)
        return {"token": str(token)} if token not in (None, "") else None
