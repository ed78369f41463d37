"""``SinglePage``: one request, the whole list (a top-level JSON array with the empty selector)."""

from __future__ import annotations

import httpx
import respx

from connectors.sdk import SinglePage, StreamSpec, read_pages

from .listing import BASE, requester


@respx.mock
def test_one_request_and_no_resume() -> None:
    route = respx.get(f"{BASE}/server.php").mock(return_value=httpx.Response(200, json=[{"id": 1}, {"id": 2}]))
    spec = StreamSpec(
        name="courses", object="courses", path="/server.php", record_selector=(), paginator=SinglePage(),
        params={"wsfunction": "core_course_get_courses", "moodlewsrestformat": "json"},
    )  # fmt: skip
    [(page, _)] = list(read_pages(requester(), spec))
    assert page.records == [{"id": 1}, {"id": 2}] and page.resume is None
    assert dict(route.calls.last.request.url.params) == {
        "wsfunction": "core_course_get_courses",
        "moodlewsrestformat": "json",
    }
