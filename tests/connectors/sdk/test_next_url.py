"""The next-URL paging strategy: links at a configurable path, relative links, resume, loops, origins."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from connectors.sdk import NextUrlPaginator, PaginationLoopError, Requester, RetryPolicy, StreamSpec, UpstreamError
from connectors.sdk.strategies.next_url import NextUrl

BASE = "https://api.example.test"


def spec(path: str = "/v1/items", **extra: Any) -> StreamSpec:
    return StreamSpec(
        name="items", object="items", path=path, record_selector=("value",),
        paginator=NextUrlPaginator(url_path=("@odata.nextLink",)), **extra,
    )  # fmt: skip


def requester(base: str = BASE) -> Requester:
    return Requester(httpx.Client(base_url=base), RetryPolicy(attempts=1))


def read(strategy: NextUrl, stream: StreamSpec, resume: dict[str, Any] | None = None) -> list[tuple[list[Any], Any]]:
    return [(page.records, page.resume) for page, _ in strategy.pages(requester(), stream, resume)]


@respx.mock
def test_absolute_odata_links_are_followed_without_resending_params() -> None:
    first = respx.get(f"{BASE}/v1/items", params={"$top": "2"}).mock(
        return_value=httpx.Response(200, json={"value": [1, 2], "@odata.nextLink": f"{BASE}/v1/items?$skiptoken=abc"})
    )
    second = respx.get(f"{BASE}/v1/items", params={"$skiptoken": "abc"}).mock(
        return_value=httpx.Response(200, json={"value": [3]})
    )
    pages = read(NextUrl(url_path=("@odata.nextLink",)), spec(params={"$top": "2"}))
    assert pages == [([1, 2], {"url": f"{BASE}/v1/items?$skiptoken=abc"}), ([3], None)]
    assert first.call_count == second.call_count == 1
    assert "%24top" not in str(second.calls[0].request.url) and "$top" not in str(second.calls[0].request.url)


@respx.mock
def test_salesforce_paths_and_relative_links_resolve_against_the_request() -> None:
    respx.get(f"{BASE}/services/data/v62.0/queryAll", params={"q": "SELECT Id FROM Account"}).mock(
        return_value=httpx.Response(
            200, json={"done": False, "records": [{"Id": "a"}], "nextRecordsUrl": "/services/data/v62.0/query/01g-1"}
        )
    )
    respx.get(f"{BASE}/services/data/v62.0/query/01g-1").mock(
        return_value=httpx.Response(200, json={"done": False, "records": [{"Id": "b"}], "nextRecordsUrl": "01g-2"})
    )
    respx.get(f"{BASE}/services/data/v62.0/query/01g-2").mock(
        return_value=httpx.Response(200, json={"done": True, "records": [{"Id": "c"}]})
    )
    stream = StreamSpec(
        name="accounts", object="accounts", path="/services/data/v62.0/queryAll",
        params={"q": "SELECT Id FROM Account"}, record_selector=("records",),
        paginator=NextUrlPaginator(url_path=("nextRecordsUrl",)),
    )  # fmt: skip
    strategy = NextUrl.of(stream.paginator)  # type: ignore[arg-type]
    pages = read(strategy, stream)
    assert [records for records, _ in pages] == [[{"Id": "a"}], [{"Id": "b"}], [{"Id": "c"}]]
    assert [resume for _, resume in pages] == [
        {"url": "/services/data/v62.0/query/01g-1"},
        {"url": "/services/data/v62.0/query/01g-2"},
        None,
    ]


@respx.mock
def test_a_nested_link_path_and_a_configured_base() -> None:
    respx.get(f"{BASE}/v1/items").mock(
        return_value=httpx.Response(200, json={"value": [1], "links": {"next": "items?page=2"}})
    )
    later = respx.get("https://other.example.test/v2/items", params={"page": "2"}).mock(
        return_value=httpx.Response(200, json={"value": [2], "links": {"next": None}})
    )
    strategy = NextUrl(url_path=("links", "next"), base_url="https://other.example.test/v2/", same_origin=False)
    assert [r for r, _ in read(strategy, spec())] == [[1], [2]]
    assert later.called


@respx.mock
def test_resume_starts_at_the_committed_url() -> None:
    resumed = respx.get(f"{BASE}/v1/items", params={"$skiptoken": "xyz"}).mock(
        return_value=httpx.Response(200, json={"value": [9], "@odata.nextLink": ""})
    )
    first = respx.get(f"{BASE}/v1/items").mock(return_value=httpx.Response(200, json={"value": [1]}))
    pages = read(NextUrl(url_path=("@odata.nextLink",)), spec(), {"url": f"{BASE}/v1/items?$skiptoken=xyz"})
    assert pages == [([9], None)]
    assert resumed.called and not first.called


@respx.mock
def test_a_repeated_link_is_a_loop() -> None:
    respx.get(f"{BASE}/v1/items", params={"page": "1"}).mock(
        return_value=httpx.Response(200, json={"value": [1], "@odata.nextLink": "/v1/items?page=2"})
    )
    respx.get(f"{BASE}/v1/items", params={"page": "2"}).mock(
        return_value=httpx.Response(200, json={"value": [2], "@odata.nextLink": f"{BASE}/v1/items?page=1"})
    )
    pages = NextUrl(url_path=("@odata.nextLink",)).pages(requester(), spec(params={"page": "1"}))
    assert next(pages)[0].records == [1]
    with pytest.raises(PaginationLoopError, match="repeated"):
        list(pages)


@respx.mock
def test_a_link_naming_its_own_page_is_a_loop() -> None:
    respx.get(f"{BASE}/v1/items").mock(
        return_value=httpx.Response(200, json={"value": [1], "@odata.nextLink": "/v1/items"})
    )
    with pytest.raises(PaginationLoopError):
        read(NextUrl(url_path=("@odata.nextLink",)), spec())


@respx.mock
def test_links_to_another_origin_are_refused() -> None:
    respx.get(f"{BASE}/v1/items").mock(
        return_value=httpx.Response(200, json={"value": [1], "@odata.nextLink": "https://evil.example.test/steal"})
    )
    with pytest.raises(UpstreamError, match="another origin"):
        read(NextUrl(url_path=("@odata.nextLink",)), spec())


@respx.mock
def test_a_link_that_is_not_a_string_is_an_upstream_error() -> None:
    respx.get(f"{BASE}/v1/items").mock(return_value=httpx.Response(200, json={"value": [], "@odata.nextLink": 7}))
    with pytest.raises(UpstreamError, match="not a string"):
        read(NextUrl(url_path=("@odata.nextLink",)), spec())


def test_the_strategy_is_frozen_data() -> None:
    strategy = NextUrl(url_path=("nextLink",))
    assert NextUrl.model_validate(strategy.model_dump()) == strategy
    with pytest.raises(ValueError):
        NextUrl(url_path=("nextLink",), unknown=1)  # type: ignore[call-arg]
    assert strategy.resume_request({"url": ""}) is None and strategy.resume_request(None) is None


def test_request_and_advance_follow_the_driver_contract() -> None:
    strategy = NextUrl(url_path=("nextRecordsUrl",))
    first = strategy.request("/services/data/v62.0/queryAll", {"q": "SELECT Id FROM Account"}, None)
    assert (first.url, first.params, first.method) == (
        "/services/data/v62.0/queryAll",
        [("q", "SELECT Id FROM Account")],
        "GET",
    )
    state = strategy.advance(None, {"nextRecordsUrl": "/services/data/v62.0/query/01g-2000"}, [])
    assert state == {"url": "/services/data/v62.0/query/01g-2000"}
    later = strategy.request("/services/data/v62.0/queryAll", {"q": "ignored"}, state)
    assert (later.url, later.params) == ("/services/data/v62.0/query/01g-2000", None)
    assert strategy.advance(state, {"done": True, "records": []}, []) is None
    relative = strategy.advance(state, {"nextRecordsUrl": "01g-4000"}, [])
    assert relative == {"url": "/services/data/v62.0/query/01g-4000"}
