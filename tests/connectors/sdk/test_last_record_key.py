"""``LastRecordKeyPaginator``: PartnerStack ``starting_after`` + ``data.has_more``, Stripe style."""

from __future__ import annotations

import httpx
import pytest
import respx

from connectors.sdk import LastRecordKeyPaginator, PaginationLoopError, StreamSpec, UpstreamError, read_pages

from .listing import BASE, Listing, requester

PARTNERSTACK = LastRecordKeyPaginator(
    param="starting_after", key_field="key", has_more_path=("data", "has_more"), page_size=2
)


def _spec(paginator: LastRecordKeyPaginator = PARTNERSTACK) -> StreamSpec:
    return StreamSpec(
        name="items", object="items", path="/items", record_selector=("data", "items"), paginator=paginator
    )


def _api(listing: Listing) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        listing.requests.append(request)
        after = request.url.params.get("starting_after")
        start = next(i + 1 for i, r in enumerate(listing.items) if r["key"] == after) if after else 0
        size = int(request.url.params["limit"])
        chunk = listing.items[start : start + size]
        return httpx.Response(200, json={"data": {"items": chunk, "has_more": start + size < len(listing.items)}})

    respx.get(f"{BASE}/items").mock(side_effect=answer)


@respx.mock
def test_continues_after_the_last_key_while_has_more() -> None:
    listing = Listing(5)
    _api(listing)
    pages = [p for p, _ in read_pages(requester(), _spec())]
    assert [p.resume for p in pages] == [{"starting_after": "k1"}, {"starting_after": "k3"}, None]
    assert [q.get("starting_after") for q in listing.params()] == [None, "k1", "k3"]


@respx.mock
def test_resumes_after_a_committed_key_and_honours_a_page_size_copy() -> None:
    listing = Listing(5)
    _api(listing)
    spec = _spec(PARTNERSTACK.with_page_size(3))  # type: ignore[arg-type]
    pages = [p for p, _ in read_pages(requester(), spec, {"starting_after": "k0"})]
    assert [[r["key"] for r in p.records] for p in pages] == [["k1", "k2", "k3"], ["k4"]]


@respx.mock
def test_a_key_handed_out_twice_is_a_loop() -> None:
    respx.get(f"{BASE}/items").mock(
        return_value=httpx.Response(200, json={"data": {"items": [{"key": "k0"}], "has_more": True}})
    )
    with pytest.raises(PaginationLoopError):
        list(read_pages(requester(), _spec()))


@pytest.mark.parametrize(
    "items", [pytest.param([], id="empty_page"), pytest.param([{"name": "no key"}], id="last_without_key")]
)
@respx.mock
def test_has_more_without_a_last_key_fails_loudly(items: list[dict[str, str]]) -> None:
    respx.get(f"{BASE}/items").mock(return_value=httpx.Response(200, json={"data": {"items": items, "has_more": True}}))
    with pytest.raises(UpstreamError, match="no last item key"):
        list(read_pages(requester(), _spec()))


@respx.mock
def test_stripe_style_top_level_has_more_and_id() -> None:
    stripe = LastRecordKeyPaginator(key_field="id", page_size=1)
    respx.get(f"{BASE}/charges").mock(
        side_effect=[
            httpx.Response(200, json={"data": [{"id": "ch_1"}], "has_more": True}),
            httpx.Response(200, json={"data": [{"id": "ch_2"}], "has_more": False}),
        ]
    )
    spec = StreamSpec(name="charges", object="charges", path="/charges", record_selector=("data",), paginator=stripe)
    pages = [p for p, _ in read_pages(requester(), spec)]
    assert [p.resume for p in pages] == [{"starting_after": "ch_1"}, None]
