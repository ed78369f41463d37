"""Parent → child streams: enrolments per course, the id in the query or in the path; resume anywhere."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest
import respx

from connectors.sdk import (
    ConfigError,
    OffsetPaginator,
    Page,
    PageNumberPaginator,
    ParentStream,
    SinglePage,
    StreamSpec,
    read_child_pages,
)

from .listing import BASE, requester

COURSES = {"1": ["u1", "u2", "u3"], "2": [], "3": ["u4"], "4": ["u5", "u6"]}

courses = StreamSpec(
    name="courses", object="courses", path="/courses", record_selector=("data", "items"),
    paginator=PageNumberPaginator(page_size=3, has_more_path=("data", "has_more_data")),
)  # fmt: skip
by_path = StreamSpec(
    name="enrolments", object="enrolments", path="/courses/{parent_id}/enrolments",
    record_selector=("data", "items"), parent=ParentStream(stream="courses", key="id_course"),
    paginator=PageNumberPaginator(page_size=2, has_more_path=("data", "has_more_data")),
)  # fmt: skip


def _api() -> None:
    ids = list(COURSES)

    def course_page(request: httpx.Request) -> httpx.Response:
        page, size = int(request.url.params["page"]), int(request.url.params["page_size"])
        chunk = [{"id_course": int(i)} for i in ids[(page - 1) * size : page * size]]
        return httpx.Response(200, json={"data": {"items": chunk, "has_more_data": page * size < len(ids)}})

    def enrolment_page(request: httpx.Request, course: str) -> httpx.Response:
        page, size = int(request.url.params["page"]), int(request.url.params["page_size"])
        users = COURSES[course]
        chunk = [{"user": u} for u in users[(page - 1) * size : page * size]]
        return httpx.Response(200, json={"data": {"items": chunk, "has_more_data": page * size < len(users)}})

    respx.get(f"{BASE}/courses").mock(side_effect=course_page)
    respx.get(url__regex=rf"{BASE}/courses/(?P<course>\w+)/enrolments").mock(side_effect=enrolment_page)


def _read(resume: dict[str, Any] | None = None) -> list[Page]:
    return [p for p, _ in read_child_pages(requester(), courses, by_path, resume)]


def _users(pages: list[Page]) -> list[tuple[str, str]]:
    return [(r["_hub"]["parent"]["id"], r["user"]) for p in pages for r in p.records]


@respx.mock
def test_every_parent_s_children_in_order_with_the_parent_named() -> None:
    _api()
    pages = _read()
    assert _users(pages) == [("1", "u1"), ("1", "u2"), ("1", "u3"), ("3", "u4"), ("4", "u5"), ("4", "u6")]
    assert pages[0].records[0]["_hub"]["parent"] == {"stream": "courses", "object": "courses", "id": "1"}
    assert [p.resume for p in pages] == [
        {"parent_page": None, "parent_id": "1", "child": {"page": "2"}},
        {"parent_page": None, "parent_id": "2", "child": None},
        {"parent_page": None, "parent_id": "3", "child": None},  # course 2 had none: an empty page
        {"parent_page": {"page": "2"}, "parent_id": None, "child": None},  # on to the next page of courses
        None,
    ]


@respx.mock
def test_resuming_from_any_page_gives_the_same_rest() -> None:
    _api()
    pages = _read()
    for n, page in enumerate(pages[:-1]):
        assert _users(_read(page.resume)) == _users(pages[n + 1 :]), page.resume


@respx.mock
def test_a_vanished_parent_restarts_its_parent_page() -> None:
    _api()
    rest = _read({"parent_page": None, "parent_id": "99", "child": {"page": "2"}})
    assert _users(rest)[0] == ("1", "u1")


@respx.mock
def test_the_parent_id_as_a_query_parameter() -> None:
    """Moodle: ``core_enrol_get_enrolled_users?courseid=<id>`` answers every enrolment at once."""
    respx.get(f"{BASE}/courses").mock(
        return_value=httpx.Response(200, json=[{"id": 7}, {"id": 8}]),
    )
    route = respx.get(f"{BASE}/server.php").mock(
        side_effect=lambda r: httpx.Response(200, json=[{"id": f"u{r.url.params['courseid']}"}])
    )
    moodle_courses = StreamSpec(
        name="courses", object="courses", path="/courses", record_selector=(), paginator=SinglePage()
    )
    enrolled = StreamSpec(
        name="enrolments", object="enrolments", path="/server.php", record_selector=(), paginator=SinglePage(),
        params={"wsfunction": "core_enrol_get_enrolled_users"}, parent=ParentStream(stream="courses", param="courseid"),
    )  # fmt: skip
    pages = [p for p, _ in read_child_pages(requester(), moodle_courses, enrolled)]
    assert [[r["id"] for r in p.records] for p in pages] == [["u7"], ["u8"]]
    assert [p.resume for p in pages] == [{"parent_page": None, "parent_id": "8", "child": None}, None]
    assert [dict(c.request.url.params) for c in route.calls] == [
        {"wsfunction": "core_enrol_get_enrolled_users", "courseid": "7"},
        {"wsfunction": "core_enrol_get_enrolled_users", "courseid": "8"},
    ]


@respx.mock
def test_no_parents_is_one_empty_last_page() -> None:
    respx.get(f"{BASE}/courses").mock(
        return_value=httpx.Response(200, json={"data": {"items": [], "has_more_data": False}})
    )
    assert [(p.records, p.resume) for p in _read()] == [([], None)]


def test_misdeclared_children_are_config_errors() -> None:
    orphan = by_path.model_copy(update={"parent": None})
    with pytest.raises(ConfigError):
        list(read_child_pages(requester(), courses, orphan))
    no_slot = by_path.model_copy(update={"path": "/enrolments"})
    respx_mock = respx.mock(assert_all_called=False)
    with respx_mock:
        respx_mock.get(f"{BASE}/courses").mock(
            return_value=httpx.Response(200, json={"data": {"items": [{"id_course": 1}], "has_more_data": False}})
        )
        with pytest.raises(ConfigError, match="parent_id"):
            list(itertools.islice(read_child_pages(requester(), courses, no_slot), 1))


def test_an_offset_child_reads_with_its_own_state() -> None:
    child = by_path.model_copy(update={"paginator": OffsetPaginator(page_size=1)})
    with respx.mock:
        respx.get(f"{BASE}/courses").mock(
            return_value=httpx.Response(200, json={"data": {"items": [{"id_course": 5}], "has_more_data": False}})
        )
        respx.get(f"{BASE}/courses/5/enrolments").mock(
            side_effect=lambda r: httpx.Response(
                200,
                json={
                    "data": {"items": [{"user": f"o{r.url.params['offset']}"}] if r.url.params["offset"] == "0" else []}
                },
            )
        )
        pages = [p for p, _ in read_child_pages(requester(), courses, child)]
    assert [p.resume for p in pages] == [{"parent_page": None, "parent_id": "5", "child": {"offset": "1"}}, None]
