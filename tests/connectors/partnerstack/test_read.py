"""Reading: key paging to the end, resume positions, incremental filters, auth and error handling."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
import respx

from connectors.sdk import (
    AuthError,
    PaginationLoopError,
    ReadRequest,
    RequestRejected,
    TransientError,
    UpstreamError,
)

from .conftest import BASE, envelope, error, make_connector


def _partnership(n: int) -> dict[str, Any]:
    stamp = 1_700_000_000_000 + n
    return {"key": f"part_{n}", "partner_key": f"p{n}", "email": f"p{n}@firm{n}.com", "created_at": stamp,
            "updated_at": stamp, "joined_at": 1_700_000_000_000}  # fmt: skip


def _paged_world(count: int, per_page: int) -> tuple[list[dict[str, Any]], list[httpx.Request], Any]:
    """A list endpoint honouring limit/starting_after over ``count`` partnerships."""
    world = [_partnership(n) for n in range(count)]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        after = request.url.params.get("starting_after")
        start = next(i + 1 for i, r in enumerate(world) if r["key"] == after) if after else 0
        limit = min(int(request.url.params["limit"]), per_page)
        chunk = world[start : start + limit]
        return httpx.Response(200, json=envelope(chunk, has_more=start + limit < len(world)))

    return world, seen, handler


@respx.mock
def test_pages_to_the_end_with_resume_positions() -> None:
    world, seen, handler = _paged_world(5, per_page=2)
    respx.get(f"{BASE}/partnerships").mock(side_effect=handler)
    pages = list(make_connector(page_size=2).read("partnerships", ReadRequest(mode="full")))
    assert [[r["key"] for r in p.records] for p in pages] == [["part_0", "part_1"], ["part_2", "part_3"], ["part_4"]]
    assert [p.resume for p in pages] == [{"starting_after": "part_1"}, {"starting_after": "part_3"}, None]
    assert [r.url.params.get("starting_after") for r in seen] == [None, "part_1", "part_3"]
    assert all(r.url.params["limit"] == "2" and r.url.params["order_by"] == "created_at" for r in seen)
    assert all(r.url.params["include_archived"] == "true" for r in seen)  # archived ones are polled too
    assert {"associations", "deleted", "email_domain", "partnership_status"} <= pages[0].records[0].keys()
    assert len(world) == sum(len(p.records) for p in pages)


@respx.mock
def test_a_resumed_read_continues_after_the_committed_page() -> None:
    _, seen, handler = _paged_world(5, per_page=2)
    respx.get(f"{BASE}/partnerships").mock(side_effect=handler)
    request = ReadRequest(mode="full", resume={"starting_after": "part_1"})
    pages = list(make_connector(page_size=2).read("partnerships", request))
    assert [r["key"] for p in pages for r in p.records] == ["part_2", "part_3", "part_4"]
    assert seen[0].url.params["starting_after"] == "part_1"


@respx.mock
def test_an_upstream_that_ignores_starting_after_is_a_loop() -> None:
    respx.get(f"{BASE}/partnerships").mock(
        return_value=httpx.Response(200, json=envelope([_partnership(0), _partnership(1)], has_more=True))
    )
    with pytest.raises(PaginationLoopError):
        list(make_connector().read("partnerships", ReadRequest(mode="full")))


@respx.mock
def test_has_more_on_an_empty_page_fails_loudly() -> None:
    respx.get(f"{BASE}/partnerships").mock(return_value=httpx.Response(200, json=envelope([], has_more=True)))
    with pytest.raises(UpstreamError, match="no last item key"):
        list(make_connector().read("partnerships", ReadRequest(mode="full")))


CURSOR_MS = "1767225600000"  # 2026-01-01T00:00:00Z


@pytest.mark.parametrize(
    ("stream", "lookback", "expected"),
    [
        # customers and deals document no order_by: it is not sent
        pytest.param("customers", 0, {"min_updated": CURSOR_MS}, id="customers"),
        pytest.param("deals", 0, {"min_updated": CURSOR_MS, "include_archived": "true"}, id="deals"),
        pytest.param("transactions", 0, {"min_created": CURSOR_MS, "order_by": "created_at"}, id="transactions"),
        pytest.param("rewards", 0, {"min_created": CURSOR_MS, "order_by": "created_at"}, id="rewards"),
        pytest.param("customers", 60, {"min_updated": "1767225540000"}, id="lookback"),
        pytest.param(
            "partnerships", 0, {"order_by": "created_at", "include_archived": "true"}, id="partnerships_always_full"
        ),
    ],
)
@respx.mock
def test_incremental_reads_send_the_documented_filter_in_epoch_ms(
    stream: str, lookback: int, expected: dict[str, str]
) -> None:
    route = respx.get(f"{BASE}/{stream}").mock(return_value=httpx.Response(200, json=envelope([])))
    # without the reward re-check window (tested below) every stream starts at the cursor
    connector = make_connector(incremental_lookback_seconds=lookback, reward_recheck_days=0)
    list(connector.read(stream, ReadRequest(mode="incremental", cursor="2026-01-01T00:00:00.000Z")))
    params = dict(route.calls.last.request.url.params)
    assert params == {**expected, "limit": "250"}


@pytest.mark.parametrize(
    ("days", "cursor", "expected_ms"),
    [
        pytest.param(90, "2026-06-01T00:00:00Z", 1_767_225_600_000 + 86 * 86_400_000, id="cursor_in_window"),
        pytest.param(90, "2025-01-01T00:00:00Z", 1_735_689_600_000, id="cursor_older_than_window"),
        pytest.param(0, "2026-06-01T00:00:00Z", 1_780_272_000_000, id="window_off"),
    ],
)
@respx.mock
def test_incremental_rewards_reread_the_recent_window(days: int, cursor: str, expected_ms: int) -> None:
    """Reward status changes have no filter: rewards created in the last ``reward_recheck_days`` are read again."""
    route = respx.get(f"{BASE}/rewards").mock(return_value=httpx.Response(200, json=envelope([])))
    now = (1_767_225_600_000 + 176 * 86_400_000) / 1000  # 2026-06-26
    connector = make_connector(reward_recheck_days=days, incremental_lookback_seconds=0)
    connector.clock = lambda: now
    list(connector.read("rewards", ReadRequest(mode="incremental", cursor=cursor)))
    assert route.calls.last.request.url.params["min_created"] == str(expected_ms)


@respx.mock
def test_a_full_read_sends_no_filter_and_order_by_only_where_documented() -> None:
    routes = {s: respx.get(f"{BASE}/{s}").mock(return_value=httpx.Response(200, json=envelope([])))
              for s in ("customers", "deals", "transactions")}  # fmt: skip
    connector = make_connector()
    for stream in routes:
        list(connector.read(stream, ReadRequest(mode="full", cursor="2026-01-01T00:00:00.000Z")))
    assert dict(routes["customers"].calls.last.request.url.params) == {"limit": "250"}
    assert dict(routes["deals"].calls.last.request.url.params) == {"include_archived": "true", "limit": "250"}
    assert dict(routes["transactions"].calls.last.request.url.params) == {"order_by": "created_at", "limit": "250"}


@respx.mock
def test_requests_use_basic_auth_with_public_and_secret_key() -> None:
    route = respx.get(f"{BASE}/partnerships").mock(return_value=httpx.Response(200, json=envelope([])))
    make_connector().check()
    expected = "Basic " + base64.b64encode(b"pk_test:sk_test_secret").decode()
    assert route.calls.last.request.headers["Authorization"] == expected


@pytest.mark.parametrize(
    ("responses", "raises", "calls"),
    [
        pytest.param([error(404, "Not found")], RequestRejected, 1, id="404_rejected"),
        pytest.param([error(400, "bad limit")], RequestRejected, 1, id="400_rejected"),
        pytest.param([error(401, "bad key")], AuthError, 1, id="401_auth"),
        pytest.param([error(403, "forbidden")], AuthError, 1, id="403_auth"),
        pytest.param([error(500)] * 3, TransientError, 3, id="5xx_exhausted"),
        pytest.param([error(502), httpx.Response(200, json=envelope([]))], None, 2, id="5xx_then_ok"),
        pytest.param(
            [
                httpx.Response(429, headers={"Retry-After": "2"}, json={"message": "slow", "status": 429}),
                httpx.Response(200, json=envelope([])),
            ],
            None,
            2,
            id="429_retry_after_then_ok",
        ),
        pytest.param(
            [httpx.Response(200, json={"message": "Not found", "status": 404})],
            RequestRejected,
            1,
            id="error_status_in_a_200_body",
        ),
    ],
)
@respx.mock
def test_errors_are_classified_and_transient_ones_retried(
    responses: list[httpx.Response], raises: type[Exception] | None, calls: int
) -> None:
    route = respx.get(f"{BASE}/deals").mock(side_effect=responses)
    sleeps: list[float] = []
    connector = make_connector(sleeps=sleeps, max_retries=2)
    if raises is None:
        assert next(iter(connector.read("deals", ReadRequest(mode="full")))).records == []
    else:
        with pytest.raises(raises):
            list(connector.read("deals", ReadRequest(mode="full")))
    assert route.call_count == calls
    assert len(sleeps) == calls - 1
    if "Retry-After" in responses[0].headers:
        assert sleeps == [2.0]
