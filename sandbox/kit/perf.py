"""Performance helpers for building large in-memory worlds."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while allocating many long-lived containers.

    Building 100,000 records creates millions of dicts/lists, and the collector would otherwise
    rescan them over and over; nothing built there is cyclic garbage.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
