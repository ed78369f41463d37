"""Delivery chaos for tests (``POST /_sandbox/webhooks/chaos``).

* ``duplicate``: probability (0 to 1) that a delivery is sent twice; ``{"next": n}`` (or top-level
  ``"next": n``) sends exactly the next ``n`` deliveries twice.
* ``reorder``: shuffle events before batching, within each batch, and pick among due batches at
  random — so later changes can arrive first.
* ``delay_s``: hold every new batch this long before its first attempt.
* ``drop``: silently lose the next ``n`` events (never sent, logged as ``dropped``).
* ``seed``: seed of the random generator (deterministic shuffles/duplicates).

Settings persist until changed or reset (``DELETE``); counters (``next``, ``drop``) count down.
"""

from __future__ import annotations

import random
import threading
from typing import Any, TypeVar

T = TypeVar("T")


class ChaosSpecError(ValueError):
    """Invalid chaos body."""


class Chaos:
    """Thread-safe chaos switches, read by the delivery worker."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Back to well-behaved delivery."""
        with self._lock:
            self.duplicate = 0.0
            self.duplicate_next = 0
            self.reorder = False
            self.delay_s = 0.0
            self.drop = 0
            self.rng = random.Random(0)

    def update(self, body: dict[str, Any]) -> None:
        """Apply a ``POST`` body (unknown keys are errors)."""
        with self._lock:
            for key, value in body.items():
                if key == "duplicate" and isinstance(value, dict):
                    self.duplicate_next = _count("duplicate.next", value.get("next", 0))
                elif key == "duplicate":
                    self.duplicate = _fraction(value)
                elif key == "next":
                    self.duplicate_next = _count(key, value)
                elif key == "reorder":
                    if not isinstance(value, bool):
                        raise ChaosSpecError("'reorder' must be true or false")
                    self.reorder = value
                elif key == "delay_s":
                    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 3600:
                        raise ChaosSpecError("'delay_s' must be between 0 and 3600")
                    self.delay_s = float(value)
                elif key == "drop":
                    self.drop = _count(key, value)
                elif key == "seed":
                    self.rng = random.Random(value)
                else:
                    raise ChaosSpecError(f"unknown chaos setting '{key}'")

    def view(self) -> dict[str, Any]:
        """Current switches."""
        with self._lock:
            return {
                "duplicate": self.duplicate,
                "next": self.duplicate_next,
                "reorder": self.reorder,
                "delay_s": self.delay_s,
                "drop": self.drop,
            }

    def take_drops(self, available: int) -> int:
        """How many of ``available`` events to lose now."""
        with self._lock:
            n = min(self.drop, available)
            self.drop -= n
            return n

    def take_duplicate(self) -> bool:
        """Whether the next delivery is sent twice."""
        with self._lock:
            if self.duplicate_next > 0:
                self.duplicate_next -= 1
                return True
            return self.duplicate > 0 and self.rng.random() < self.duplicate

    def shuffled(self, items: list[T]) -> list[T]:
        """``items`` shuffled when reordering is on (a new list either way)."""
        out = list(items)
        with self._lock:
            if self.reorder:
                self.rng.shuffle(out)
        return out

    def pick(self, items: list[T]) -> T:
        """A random item when reordering, else the first."""
        with self._lock:
            return self.rng.choice(items) if self.reorder else items[0]


def _count(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ChaosSpecError(f"'{key}' must be a non-negative integer")
    return value


def _fraction(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ChaosSpecError("'duplicate' must be a probability between 0 and 1 or {\"next\": n}")
    return float(value)
