"""Cursor values (hub/sync/cursor.py) and the engine's cursor rule (``SyncRunner._final_cursor``)."""

from __future__ import annotations

import pytest

from hub.sync import SyncRunner
from hub.sync import cursor as cursors


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-01T10:00:00.123Z", "2026-03-01T10:00:00.123+00:00"),
        ("2026-03-01T10:00:00Z", "2026-03-01T10:00:00.000+00:00"),
        ("2026-03-01T12:00:00+02:00", "2026-03-01T10:00:00.000+00:00"),
        ("2026-03-01T10:00:00", "2026-03-01T10:00:00.000+00:00"),  # naive: taken as UTC
        ("1772359200123", "2026-03-01T10:00:00.123+00:00"),  # epoch milliseconds
        (1772359200123, "2026-03-01T10:00:00.123+00:00"),
        ("42", "42"),  # a plain version passes through
        ("  42 ", "42"),
        ("not a time", "not a time"),
        ("", None),
        (None, None),
    ],
)
def test_normalise(value: object, expected: str | None) -> None:
    assert cursors.normalise(value) == expected


def test_later_and_earlier_ignore_a_missing_side() -> None:
    a, b = "2026-03-01T10:00:00.000+00:00", "2026-03-02T10:00:00.000+00:00"
    assert (cursors.later(a, b), cursors.earlier(a, b)) == (b, a)
    assert (cursors.later(None, a), cursors.later(a, None), cursors.later(None, None)) == (a, a, None)
    assert (cursors.earlier(None, a), cursors.earlier(a, None)) == (a, a)


def test_page_max_reads_the_cursor_field_of_every_record() -> None:
    records = [
        {"properties": {"modified": "2026-03-01T10:00:00Z"}},
        {"properties": {"modified": "1772445600000"}},  # 2026-03-02T10:00Z as epoch ms
        {"properties": {}},
    ]
    assert cursors.page_max(records, "properties.modified") == "2026-03-02T10:00:00.000+00:00"
    assert cursors.page_max(records, None) is None
    assert cursors.page_max([], "properties.modified") is None


def test_a_full_read_ends_at_the_newest_record_seen_or_its_start_whichever_is_earlier() -> None:
    start = "2026-03-02T00:00:00+00:00"
    final = SyncRunner._final_cursor
    assert final("full", None, "2026-03-01T10:00:00.000+00:00", start) == "2026-03-01T10:00:00.000+00:00"
    assert final("full", None, "2026-03-03T10:00:00.000+00:00", start) == "2026-03-02T00:00:00.000+00:00"
    assert final("full", None, None, start) == "2026-03-02T00:00:00.000+00:00"  # an empty read


def test_an_incremental_read_never_moves_the_cursor_back() -> None:
    before = "2026-03-02T00:00:00.000+00:00"
    final = SyncRunner._final_cursor
    assert final("incremental", before, "2026-03-03T00:00:00.000+00:00", "ignored") == "2026-03-03T00:00:00.000+00:00"
    assert final("incremental", before, "2026-03-01T00:00:00.000+00:00", "ignored") == before
    assert final("incremental", before, None, "ignored") == before
