"""``OffsetPaginator`` (Moodle ``limitfrom``/``limitnum``) and ``PageNumberPaginator`` (Docebo ``page``)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from connectors.sdk import OffsetPaginator, PageNumberPaginator, StreamSpec, UpstreamError, read_pages

from .listing import BASE, Listing, requester


def _spec(paginator: Any, selector: tuple[str, ...] = ("results",)) -> StreamSpec:
    return StreamSpec(name="items", object="items", path="/items", record_selector=selector, paginator=paginator)


def _offset_api(listing: Listing, *, total: bool = False) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        listing.requests.append(request)
        start, size = int(request.url.params["limitfrom"]), int(request.url.params["limitnum"])
        body: dict[str, Any] = {"results": listing.items[start : start + size]}
        if total:
            body["total"] = len(listing.items)
        return httpx.Response(200, json=body)

    respx.get(f"{BASE}/items").mock(side_effect=answer)


MOODLE = OffsetPaginator(offset_param="limitfrom", page_size_param="limitnum", page_size=2)


@respx.mock
def test_offsets_advance_by_the_records_read_and_stop_on_a_short_page() -> None:
    listing = Listing(5)
    _offset_api(listing)
    pages = [p for p, _ in read_pages(requester(), _spec(MOODLE))]
    assert [p.resume for p in pages] == [{"offset": "2"}, {"offset": "4"}, None]
    assert [q["limitfrom"] for q in listing.params()] == ["0", "2", "4"]


@respx.mock
def test_an_exact_multiple_ends_on_an_empty_page_or_at_the_total() -> None:
    listing = Listing(4)
    _offset_api(listing)
    assert [len(p.records) for p, _ in read_pages(requester(), _spec(MOODLE))] == [2, 2, 0]
    counted = Listing(4)
    respx.reset()
    _offset_api(counted, total=True)
    paginator = MOODLE.model_copy(update={"total_path": ("total",)})
    assert [len(p.records) for p, _ in read_pages(requester(), _spec(paginator))] == [2, 2]


@respx.mock
def test_offset_resume_and_runaway_guard() -> None:
    listing = Listing(5)
    _offset_api(listing)
    assert [r["id"] for p, _ in read_pages(requester(), _spec(MOODLE), {"offset": "4"}) for r in p.records] == ["r4"]
    respx.get(f"{BASE}/ignored").mock(return_value=httpx.Response(200, json={"results": [{"id": 1}, {"id": 2}]}))
    stuck = StreamSpec(
        name="items", object="items", path="/ignored", paginator=MOODLE.model_copy(update={"max_pages": 3})
    )
    with pytest.raises(UpstreamError, match="3 pages"):
        list(read_pages(requester(), stuck))


def _docebo_api(listing: Listing, *, with_totals: bool) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        listing.requests.append(request)
        page, size = int(request.url.params["page"]), int(request.url.params["page_size"])
        chunk = listing.items[(page - 1) * size : page * size]
        pages = -(-len(listing.items) // size)
        data: dict[str, Any] = {"items": chunk, "current_page": page}
        if with_totals:
            data |= {"has_more_data": page < pages, "total_page_count": pages}
        return httpx.Response(200, json={"data": data})

    respx.get(f"{BASE}/items").mock(side_effect=answer)


@respx.mock
def test_page_numbers_from_one_with_has_more_data() -> None:
    listing = Listing(4)
    _docebo_api(listing, with_totals=True)
    paginator = PageNumberPaginator(page_size=2, has_more_path=("data", "has_more_data"))
    pages = [p for p, _ in read_pages(requester(), _spec(paginator, ("data", "items")))]
    assert [p.resume for p in pages] == [{"page": "2"}, None]  # no empty third page: has_more_data said so
    assert [q["page"] for q in listing.params()] == ["1", "2"]


@respx.mock
def test_page_numbers_by_total_page_count_or_short_page() -> None:
    listing = Listing(5)
    _docebo_api(listing, with_totals=True)
    by_total = PageNumberPaginator(page_size=2, total_pages_path=("data", "total_page_count"))
    assert [len(p.records) for p, _ in read_pages(requester(), _spec(by_total, ("data", "items")))] == [2, 2, 1]
    respx.reset()
    plain = Listing(5)
    _docebo_api(plain, with_totals=False)
    by_size = PageNumberPaginator(page_size=2)
    pages = [p for p, _ in read_pages(requester(), _spec(by_size, ("data", "items")), {"page": "2"})]
    assert [len(p.records) for p in pages] == [2, 1] and [p.resume for p in pages] == [{"page": "3"}, None]


@respx.mock
def test_zero_based_pages_and_runaway_guard() -> None:
    respx.get(f"{BASE}/items").mock(return_value=httpx.Response(200, json={"results": [{"id": 1}]}))
    paginator = PageNumberPaginator(page_size=1, first_page=0, max_pages=4)
    with pytest.raises(UpstreamError, match="4 pages"):
        list(read_pages(requester(), _spec(paginator)))
    assert [dict(c.request.url.params)["page"] for c in respx.calls] == ["0", "1", "2", "3"]
