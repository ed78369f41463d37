"""Group commit: concurrent deliveries share one transaction, and each waits for that commit.

A request hands its delivery to ``GroupCommit.submit`` and awaits the outcome. When fewer than
``concurrency`` flushes are running the delivery is flushed at once (no added latency when idle);
deliveries that arrive while the flushes are committing wait for one to end and go together in the
next, up to ``max_batch``.
So under load one commit (one fsync) covers many deliveries, and batches grow with the load instead
of with a timer. ``max_wait`` > 0 lingers that long before a flush that is not full, trading latency
for larger batches (off by default).

``flush`` runs in a worker thread and returns one outcome per item, in order: every item's future
is resolved only from what ``flush`` returned after its transaction ended, so nothing is answered
before it is committed, and a flush that raises fails every item in its batch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from anyio import to_thread

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    """``await commits.submit(item)`` → ``flush``'s outcome for ``item`` (an exception outcome is raised)."""

    def __init__(
        self,
        flush: Callable[[list[T]], Sequence[R | BaseException]],
        *,
        max_batch: int = 256,
        max_wait: float = 0.0,
        concurrency: int = 1,
    ) -> None:
        if max_batch < 1 or max_wait < 0 or concurrency < 1:
            raise ValueError("max_batch >= 1, max_wait >= 0, concurrency >= 1")
        self.flush = flush
        self.max_batch = max_batch
        self.max_wait = max_wait
        #: flushes in flight at once (each in its own thread and transaction): 1 for a single-writer
        #: database (SQLite), more where commits proceed in parallel (PostgreSQL)
        self.concurrency = concurrency
        self._queue: list[tuple[T, asyncio.Future[R]]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        #: (batches, items) flushed so far: the mean batch size is items / batches
        self.batches = 0
        self.items = 0

    async def submit(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._queue.append((item, future))
        if len(self._tasks) < self.concurrency:
            task = loop.create_task(self._drain())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        # shield: a request cancelled (client gone) must not cancel the flush others wait for
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        while self._queue:
            if self.max_wait > 0 and len(self._queue) < self.max_batch:
                await asyncio.sleep(self.max_wait)
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            items = [item for item, _ in batch]
            self.batches += 1
            self.items += len(items)
            try:
                outcomes = await to_thread.run_sync(self.flush, items)
                if len(outcomes) != len(items):
                    raise RuntimeError(f"flush returned {len(outcomes)} outcomes for {len(items)} items")
            except BaseException as exc:  # every waiter gets it; nothing counts as committed
                log.warning("group commit of %d items failed: %s", len(items), type(exc).__name__)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise  # cancelled (shutdown): the waiters have their answer
                continue
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():
                    continue
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)
