"""Read ahead: the next page is fetched while the current one is written.

``prefetched(pages, depth)`` runs the connector's page iterator in a worker thread and hands its
pages over through a queue of ``depth`` slots, in order. The consumer (the sync runner) commits a
page while the thread waits on the upstream for the next one: network and upstream time overlap the
database's. Nothing about durability changes: a page is only acknowledged (the stream's position
moves on) once its transaction has committed, so a page read ahead and never committed is read again
by the next run. An exception in the reader is raised to the consumer in its place in the sequence
(after the pages before it); a consumer that stops early (a failed commit, a lost lease) stops the
thread, which closes the iterator in its own thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterable
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prefetched(pages: Iterable[T], depth: int = 1, *, name: str = "hub-prefetch") -> Generator[T, None, None]:
    """``pages`` in order, read ``depth`` pages ahead in a thread (``depth`` 0: read inline)."""
    if depth <= 0:
        yield from pages
        return
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        iterator = iter(pages)
        try:
            for page in iterator:
                if not put(page):
                    break
            else:
                put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            put(_Failed(exc))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name=name, daemon=True)
    worker.start()
    try:
        while True:
            item = slots.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join(timeout=30)
