"""The lifecycle of one restartable background daemon thread.

Subclasses implement :meth:`BackgroundLoop._run` (loop until ``self._stop`` is set) and may override
:meth:`BackgroundLoop._wake` (rouse a thread blocked on its queue) and
:meth:`BackgroundLoop._join_timeout` (how long :meth:`BackgroundLoop.stop` waits by default).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod


class BackgroundLoop(ABC):
    """Start with :meth:`start`, stop (and join) with :meth:`stop`; restartable."""

    def __init__(self, thread_name: str) -> None:
        self._thread_name = thread_name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (no-op when running)."""
        if self.running:
            return
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self._thread_name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Ask the thread to finish its current work and exit; wait for it (``timeout`` or the default)."""
        thread = self._thread
        if thread is None:
            return
        self._stop.set()
        self._wake()
        thread.join(timeout if timeout is not None else self._join_timeout())
        self._thread = None

    @abstractmethod
    def _run(self) -> None:
        """The thread body; return once ``self._stop`` is set."""

    def _wake(self) -> None:
        """Rouse the thread if it is blocked waiting for work (called after ``_stop`` is set)."""

    def _join_timeout(self) -> float | None:
        """How long :meth:`stop` waits for the thread when no ``timeout`` is given (None: forever)."""
        return None
