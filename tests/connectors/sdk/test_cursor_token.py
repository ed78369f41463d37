"""``CursorTokenPaginator``: HubSpot ``paging.next.after`` in the query, AWS ``NextToken`` in the body."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from connectors.sdk import CursorTokenPaginator, PaginationLoopError, StreamSpec, read_pages

from .listing import BASE, Listing, requester


def _query_api(listing: Listing, per_page: int) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        listing.requests.append(request)
        start = int(request.url.params.get("after", 0))
        chunk = listing.items[start : start + per_page]
        more = start + per_page < len(listing.items)
        paging = {"next": {"after": str(start + per_page)}} if more else {}
        return httpx.Response(200, json={"results": chunk, "paging": paging})

    respx.get(f"{BASE}/objects").mock(side_effect=answer)


def _spec(paginator: CursorTokenPaginator) -> StreamSpec:
    return StreamSpec(name="objects", object="objects", path="/objects", paginator=paginator)


HUBSPOT = CursorTokenPaginator(token_path=("paging", "next", "after"), param="after", page_size=2)


@respx.mock
def test_follows_the_token_to_the_end_with_resume_positions() -> None:
    listing = Listing(5)
    _query_api(listing, 2)
    pages = [p for p, _ in read_pages(requester(), _spec(HUBSPOT))]
    assert [len(p.records) for p in pages] == [2, 2, 1]
    assert [p.resume for p in pages] == [{"token": "2"}, {"token": "4"}, None]
    assert listing.params() == [{"limit": "2"}, {"limit": "2", "after": "2"}, {"limit": "2", "after": "4"}]


@respx.mock
def test_resumes_at_a_committed_token() -> None:
    listing = Listing(5)
    _query_api(listing, 2)
    pages = [p for p, _ in read_pages(requester(), _spec(HUBSPOT), {"token": "4"})]
    assert [r["id"] for p in pages for r in p.records] == ["r4"]


@pytest.mark.parametrize("token", [None, ""], ids=["null", "empty"])
@respx.mock
def test_a_null_or_empty_token_ends_the_read(token: str | None) -> None:
    respx.get(f"{BASE}/objects").mock(
        return_value=httpx.Response(200, json={"results": [{"id": 1}], "paging": {"next": {"after": token}}})
    )
    [(page, _)] = list(read_pages(requester(), _spec(HUBSPOT)))
    assert page.resume is None


@respx.mock
def test_a_repeated_token_is_a_loop() -> None:
    respx.get(f"{BASE}/objects").mock(
        return_value=httpx.Response(200, json={"results": [{"id": 1}], "paging": {"next": {"after": "again"}}})
    )
    with pytest.raises(PaginationLoopError):
        list(read_pages(requester(), _spec(HUBSPOT)))


@respx.mock
def test_next_token_in_the_json_body_of_a_post() -> None:
    """AWS Partner Central ``ListOpportunities``: ``NextToken``/``MaxResults`` travel in the body."""
    listing = Listing(3)

    def answer(request: httpx.Request) -> httpx.Response:
        listing.requests.append(request)
        body = json.loads(request.content)
        start = int(body.get("NextToken") or 0)
        chunk = listing.items[start : start + body["MaxResults"]]
        following = str(start + len(chunk)) if start + len(chunk) < len(listing.items) else None
        return httpx.Response(200, json={"OpportunitySummaries": chunk, "NextToken": following})

    respx.post(f"{BASE}/ListOpportunities").mock(side_effect=answer)
    paginator = CursorTokenPaginator(
        token_path=("NextToken",), param="NextToken", page_size_param="MaxResults", page_size=2, send_in="body"
    )
    spec = StreamSpec(
        name="opportunities", object="opportunities", path="/ListOpportunities",
        record_selector=("OpportunitySummaries",), paginator=paginator,
    )  # fmt: skip
    pages = [p for p, _ in read_pages(requester(), spec, params={"Catalog": "AWS"})]
    assert [p.resume for p in pages] == [{"token": "2"}, None]
    assert listing.bodies() == [
        {"Catalog": "AWS", "MaxResults": 2},
        {"Catalog": "AWS", "MaxResults": 2, "NextToken": "2"},
    ]
