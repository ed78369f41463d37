"""The read-ahead of the sync runner: order, errors in place, and a consumer that stops early."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from hub.sync.prefetch import prefetched


def test_pages_come_in_order_and_the_reader_runs_ahead() -> None:
    fetched: list[int] = []

    def pages() -> Iterator[int]:
        for n in range(5):
            fetched.append(n)
            yield n

    out = []
    for page in prefetched(pages(), depth=1):
        time.sleep(0.02)  # the consumer is slow: the reader has the next page ready meanwhile
        assert len(fetched) >= min(page + 2, 5)
        out.append(page)
    assert out == [0, 1, 2, 3, 4]


def test_an_error_in_the_reader_arrives_after_the_pages_before_it() -> None:
    def pages() -> Iterator[int]:
        yield 1
        yield 2
        raise RuntimeError("upstream went away")

    out = []
    with pytest.raises(RuntimeError, match="upstream went away"):
        for page in prefetched(pages(), depth=2):
            out.append(page)
    assert out == [1, 2]


def test_a_consumer_that_stops_early_stops_and_closes_the_reader() -> None:
    closed = threading.Event()
    produced: list[int] = []

    def pages() -> Iterator[int]:
        try:
            for n in range(1000):
                produced.append(n)
                yield n
        finally:
            closed.set()

    reader = prefetched(pages(), depth=1)
    assert next(reader) == 0
    reader.close()
    assert closed.wait(5)
    assert len(produced) <= 3  # one page ahead, at most one more in hand: not the whole stream


def test_depth_zero_reads_inline() -> None:
    threads: set[str] = set()

    def pages() -> Iterator[int]:
        threads.add(threading.current_thread().name)
        yield 1

    assert list(prefetched(pages(), depth=0)) == [1]
    assert threads == {threading.current_thread().name}
