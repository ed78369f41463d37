"""Unit tests of the SDK's requester, auth and paginator edge cases (respx: no network)."""

from __future__ import annotations

import httpx
import pytest
import respx

from connectors.sdk import (
    AuthError,
    CursorTokenPaginator,
    OAuth2RefreshToken,
    PaginationLoopError,
    RateLimited,
    Requester,
    RequestRejected,
    RetryPolicy,
    StreamSpec,
    TransientError,
    parse_retry_after,
    read_pages,
)

BASE = "https://upstream.test"


def _requester(sleeps: list[float], attempts: int = 4) -> Requester:
    client = httpx.Client(base_url=BASE)
    return Requester(client, RetryPolicy(attempts=attempts, initial_wait=0.01, max_wait=0.05, max_retry_after=5),
                     sleep=sleeps.append)  # fmt: skip


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param("3", 3.0, id="delta_seconds"),
        pytest.param("0.5", 0.5, id="fractional"),
        pytest.param("Wed, 21 Oct 2015 07:28:00 GMT", 0.0, id="http_date_in_past"),
        pytest.param("soon", None, id="garbage"),
        pytest.param(None, None, id="absent"),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


@respx.mock
def test_429_honours_retry_after_then_succeeds() -> None:
    route = respx.get(f"{BASE}/items").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "2"}, json={"message": "slow down"}),
            httpx.Response(429, headers={"Retry-After": "1"}),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    sleeps: list[float] = []
    assert _requester(sleeps).get_json("/items") == {"ok": True}
    assert route.call_count == 3
    assert sleeps == [2.0, 1.0]


@respx.mock
def test_retry_after_is_capped() -> None:
    respx.get(f"{BASE}/items").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "3600"}), httpx.Response(200, json={})]
    )
    sleeps: list[float] = []
    _requester(sleeps).get_json("/items")
    assert sleeps == [5.0]


@respx.mock
def test_5xx_backs_off_with_jitter_and_gives_up() -> None:
    route = respx.get(f"{BASE}/items").mock(return_value=httpx.Response(503, text="down"))
    sleeps: list[float] = []
    with pytest.raises(TransientError) as info:
        _requester(sleeps, attempts=4).get_json("/items")
    assert info.value.status == 503
    assert route.call_count == 4
    assert len(sleeps) == 3 and all(0 <= s <= 0.05 for s in sleeps)


@respx.mock
def test_dropped_connection_is_retried() -> None:
    respx.get(f"{BASE}/items").mock(
        side_effect=[httpx.RemoteProtocolError("server hung up"), httpx.Response(200, json={"n": 1})]
    )
    assert _requester([]).get_json("/items") == {"n": 1}


@respx.mock
@pytest.mark.parametrize(
    ("status", "error"),
    [pytest.param(400, RequestRejected, id="400"), pytest.param(404, RequestRejected, id="404"),
     pytest.param(401, AuthError, id="401"), pytest.param(403, AuthError, id="403")],
)  # fmt: skip
def test_client_errors_are_final(status: int, error: type[Exception]) -> None:
    route = respx.get(f"{BASE}/items").mock(return_value=httpx.Response(status, json={"message": "no"}))
    with pytest.raises(error):
        _requester([]).get_json("/items")
    assert route.call_count == 1


@respx.mock
def test_rate_limited_error_after_exhaustion_carries_retry_after() -> None:
    respx.get(f"{BASE}/items").mock(return_value=httpx.Response(429, headers={"Retry-After": "1"}))
    with pytest.raises(RateLimited) as info:
        _requester([], attempts=2).get_json("/items")
    assert info.value.retry_after == 1.0


@respx.mock
def test_oauth_refreshes_once_on_401_and_retries() -> None:
    token = respx.post(f"{BASE}/oauth/v1/token").mock(
        side_effect=[
            httpx.Response(200, json={"access_token": "a1", "refresh_token": "r", "expires_in": 1800}),
            httpx.Response(200, json={"access_token": "a2", "refresh_token": "r2", "expires_in": 1800}),
        ]
    )
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(401 if len(seen) == 1 else 200, json={})

    respx.get(f"{BASE}/items").mock(side_effect=answer)
    auth = OAuth2RefreshToken(f"{BASE}/oauth/v1/token", "cid", "csecret", "r0")
    client = httpx.Client(base_url=BASE, auth=auth)
    assert client.get("/items").status_code == 200
    assert seen == ["Bearer a1", "Bearer a2"]
    assert token.call_count == 2
    assert b"refresh_token=r0" in token.calls[0].request.content
    assert b"refresh_token=r" in token.calls[1].request.content
    assert "csecret" not in repr(auth)


@respx.mock
def test_oauth_refresh_failure_is_auth_error() -> None:
    respx.post(f"{BASE}/oauth/v1/token").mock(return_value=httpx.Response(400, json={"error": "invalid_grant"}))
    client = httpx.Client(base_url=BASE, auth=OAuth2RefreshToken(f"{BASE}/oauth/v1/token", "c", "s", "r"))
    with pytest.raises(AuthError):
        client.get("/items")


def _spec() -> StreamSpec:
    return StreamSpec(
        name="items", object="items", path="/items",
        paginator=CursorTokenPaginator(token_path=("paging", "next", "after"), param="after"),
    )  # fmt: skip


@respx.mock
def test_paginator_follows_tokens_and_reports_resume_positions() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        after = request.url.params.get("after")
        if after is None:
            return httpx.Response(200, json={"results": [{"id": 1}], "paging": {"next": {"after": "t2"}}})
        return httpx.Response(200, json={"results": [{"id": 2}]})

    respx.get(f"{BASE}/items").mock(side_effect=answer)
    pages = [page for page, _ in read_pages(_requester([]), _spec())]
    assert [p.records for p in pages] == [[{"id": 1}], [{"id": 2}]]
    assert [p.resume for p in pages] == [{"token": "t2"}, None]
    resumed = [page for page, _ in read_pages(_requester([]), _spec(), {"token": "t2"})]
    assert [p.records for p in resumed] == [[{"id": 2}]]


@respx.mock
def test_paginator_detects_a_token_loop() -> None:
    respx.get(f"{BASE}/items").mock(
        return_value=httpx.Response(200, json={"results": [{"id": 1}], "paging": {"next": {"after": "same"}}})
    )
    with pytest.raises(PaginationLoopError):
        list(read_pages(_requester([]), _spec()))
