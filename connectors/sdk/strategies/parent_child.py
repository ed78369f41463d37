"""Parent → child streams: a child list read once per record of a parent stream.

Moodle enrolments per course (``core_enrol_get_enrolled_users?courseid=<id>``: the id as a query
parameter, ``ParentStream(param="courseid")``), Docebo enrolments per course
(``/course/v1/courses/{parent_id}/enrollments``: the id in the path). The child ``StreamSpec``
declares ``parent=ParentStream(stream=..., key=...)`` and its own paginator, which pages each
parent's children; the parent stream pages the parents with its own.

Resumable state (the ``Page.resume`` of every page but the last)::

    {"parent_page": <state of the parent page being worked through, None for the first>,
     "parent_id": "<the parent whose children come next>",
     "child": <the child paginator's state within that parent, None to start it>}

A resumed read requests the parent page again, skips to ``parent_id`` (or takes the whole page when
that parent is gone) and continues its children at ``child``. Loop detection is the two
paginators' own. Every child record carries ``_hub.parent`` (``connectors.sdk.records``) naming
the parent it was read under; a parent without children yields one empty page, so a crash between
parents loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from connectors.sdk.connector import Page
from connectors.sdk.errors import ConfigError
from connectors.sdk.http import Requester
from connectors.sdk.paginator import read_pages
from connectors.sdk.records import ParentRef, with_parent
from connectors.sdk.selector import dotted
from connectors.sdk.spec import StreamSpec

PLACEHOLDER = "{parent_id}"


def child_spec(child: StreamSpec, parent_id: str) -> tuple[StreamSpec, dict[str, Any]]:
    """The child stream addressed for one parent: its path (placeholder filled) and extra params."""
    assert child.parent is not None
    if child.parent.param:
        return child, {child.parent.param: parent_id}
    if PLACEHOLDER not in child.path:
        raise ConfigError(f"{child.name}: a parent id goes in the path ({PLACEHOLDER}) or in parent.param")
    return child.model_copy(update={"path": child.path.replace(PLACEHOLDER, quote(parent_id, safe=""))}), {}


def read_child_pages(
    requester: Requester,
    parent: StreamSpec,
    child: StreamSpec,
    resume: Mapping[str, Any] | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    parent_params: Mapping[str, Any] | None = None,
) -> Iterator[tuple[Page, Any]]:
    """Yield ``(page, response document)`` of ``child`` for every record of ``parent``, from ``resume``."""
    if child.parent is None or child.parent.stream != parent.name:
        raise ConfigError(f"{child.name} is not declared a child of {parent.name}")
    position = dict(resume or {})
    current: dict[str, Any] | None = position.get("parent_page")
    skip_to: str | None = position.get("parent_id")
    child_state: dict[str, Any] | None = position.get("child")
    for parent_page, _ in read_pages(requester, parent, current, params=dict(parent_params or {})):
        ids = [str(v) for r in parent_page.records if isinstance(r, dict) and (v := dotted(r, child.parent.key))]
        start = ids.index(skip_to) if skip_to in ids else 0
        for index in range(start, len(ids)):
            parent_id = ids[index]
            state = child_state if parent_id == skip_to else None
            spec, extra = child_spec(child, parent_id)
            ref: ParentRef = {"stream": parent.name, "object": parent.object, "id": parent_id}
            following: dict[str, Any] | None
            for page, document in read_pages(requester, spec, state, params={**(params or {}), **extra}):
                if page.resume is not None:
                    following = {"parent_page": current, "parent_id": parent_id, "child": page.resume}
                elif index + 1 < len(ids):
                    following = {"parent_page": current, "parent_id": ids[index + 1], "child": None}
                elif parent_page.resume is not None:
                    following = {"parent_page": parent_page.resume, "parent_id": None, "child": None}
                else:
                    following = None
                yield Page(records=with_parent(page.records, ref), resume=following), document
        if not ids and parent_page.resume is None:
            yield Page(records=[], resume=None), None
        skip_to, child_state = None, None
        current = parent_page.resume
