"""The strategy driver (``paginator.read_pages``): params, resume, loop guard, body mode, fetch hook."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import httpx
import pytest
import respx

from connectors.sdk import NextUrlPaginator, PageRequest, PaginationLoopError, Paginator, StreamSpec, read_pages
from connectors.sdk.strategies.base import State, as_pairs

from .listing import BASE, requester


class EchoToken(Paginator):
    """A test strategy: the next state is whatever the response's ``next`` says."""

    kind: Literal["echo"] = "echo"
    detects_loops: ClassVar[bool] = True

    def request(self, path: str, params: Mapping[str, Any], state: State | None) -> PageRequest:
        return self.build(path, {**params, **({"at": state["at"]} if state else {})})

    def advance(self, state: State | None, document: Any, records: list[Any]) -> State | None:
        return {"at": document["next"]} if document.get("next") else None


def _spec(**extra: Any) -> StreamSpec:
    return StreamSpec(name="things", object="things", path="/things", paginator=EchoToken(), **extra)


@respx.mock
def test_stream_params_and_caller_params_merge_and_lists_repeat() -> None:
    route = respx.get(f"{BASE}/things").mock(return_value=httpx.Response(200, json={"results": [{"id": 1}]}))
    spec = _spec(params={"archived": "false", "properties": ["a", "b"]})
    [(page, _)] = list(read_pages(requester(), spec, params={"archived": "true", "q": "x"}))
    assert page.records == [{"id": 1}] and page.resume is None
    assert route.calls.last.request.url.query == b"archived=true&properties=a&properties=b&q=x"


@respx.mock
def test_resume_state_goes_back_as_given_and_positions_chain() -> None:
    answers = {None: "p2", "p2": "p3", "p3": None}
    respx.get(f"{BASE}/things").mock(
        side_effect=lambda r: httpx.Response(
            200, json={"results": [r.url.params.get("at")], "next": answers[r.url.params.get("at")]}
        )
    )
    pages = [p for p, _ in read_pages(requester(), _spec())]
    assert [p.resume for p in pages] == [{"at": "p2"}, {"at": "p3"}, None]
    resumed = [p for p, _ in read_pages(requester(), _spec(), pages[0].resume)]
    assert [p.records for p in resumed] == [p.records for p in pages[1:]]


@respx.mock
def test_a_repeated_state_is_a_loop_for_strategies_that_detect_loops() -> None:
    nexts = iter(["a", "b", "a"])
    respx.get(f"{BASE}/things").mock(
        side_effect=lambda r: httpx.Response(200, json={"results": [], "next": next(nexts)})
    )
    with pytest.raises(PaginationLoopError, match="repeated page position"):
        list(read_pages(requester(), _spec()))


@respx.mock
def test_body_mode_posts_params_as_json() -> None:
    class BodyEcho(EchoToken):
        kind: Literal["body_echo"] = "body_echo"  # type: ignore[assignment]

    route = respx.post(f"{BASE}/things").mock(return_value=httpx.Response(200, json={"results": []}))
    spec = StreamSpec(name="things", object="things", path="/things", paginator=BodyEcho(send_in="body"))
    list(read_pages(requester(), spec, params={"Catalog": "AWS"}))
    assert route.calls.last.request.content == b'{"Catalog":"AWS"}'


@respx.mock
def test_a_fetch_hook_replaces_the_plain_request() -> None:
    respx.get(f"{BASE}/things").mock(return_value=httpx.Response(200, json={"results": [{"id": 1}]}))
    seen: list[PageRequest] = []

    def fetch(req: Any, request: PageRequest) -> Any:
        seen.append(request)
        return req.request(request.method, request.url, params=request.params).json() | {"checked": True}

    [(_, document)] = list(read_pages(requester(), _spec(), fetch=fetch))
    assert document["checked"] is True and seen[0].url == "/things"


def test_as_pairs_skips_none_and_repeats_lists() -> None:
    assert as_pairs({"a": None, "b": [1, 2], "c": "x"}) == [("b", 1), ("b", 2), ("c", "x")]


def test_any_paginator_subclass_is_a_stream_paginator_and_page_size_copies() -> None:
    spec = _spec()
    assert isinstance(spec.paginator, EchoToken)
    assert spec.paginator.with_page_size(5) is spec.paginator  # no page size: unchanged
    assert spec.model_dump()["paginator"]["kind"] == "echo"  # serialised as the subclass


@respx.mock
def test_the_next_url_data_class_runs_under_the_driver() -> None:
    """``spec.NextUrlPaginator`` keeps its persisted ``{"url"}`` state; params go on the first page only."""
    first = respx.get(f"{BASE}/query", params={"q": "SELECT Id FROM Account"}).mock(
        return_value=httpx.Response(200, json={"records": [{"Id": "1"}], "nextRecordsUrl": "/query/01g-2"})
    )
    second = respx.get(f"{BASE}/query/01g-2").mock(return_value=httpx.Response(200, json={"records": [{"Id": "2"}]}))
    spec = StreamSpec(
        name="accounts", object="accounts", path="/query", record_selector=("records",),
        paginator=NextUrlPaginator(url_path=("nextRecordsUrl",)), params={"q": "SELECT Id FROM Account"},
    )  # fmt: skip
    pages = [p for p, _ in read_pages(requester(), spec)]
    assert [p.resume for p in pages] == [{"url": "/query/01g-2"}, None]
    assert first.call_count == 1 and second.calls.last.request.url.query == b""
    assert [p.records for p, _ in read_pages(requester(), spec, {"url": "/query/01g-2"})] == [[{"Id": "2"}]]
