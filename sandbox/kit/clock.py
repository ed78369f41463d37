"""Time helpers shared by the simulators: ISO-8601 formatting/parsing and a monotonic clock.

Generated worlds never read the wall clock; they are positioned relative to :data:`FIXED_EPOCH_MS`
(2026-01-01T00:00:00Z) so that the same seed always produces byte-identical data.  Live simulators
use :class:`Clock`, which follows the wall clock but never goes backwards and never falls behind the
newest timestamp already present in a loaded world.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

FIXED_EPOCH_MS = 1_767_225_600_000
"""2026-01-01T00:00:00.000Z in epoch milliseconds."""

DAY_MS = 86_400_000


def iso_from_ms(ms: int) -> str:
    """Format epoch milliseconds as HubSpot does: ``2019-10-30T03:30:17.883Z``."""
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def ms_from_iso(value: str) -> int:
    """Parse an ISO-8601 date or date-time (``Z`` or offset; date-only = midnight UTC) to epoch ms.

    Raises ``ValueError`` when the text is not a date.
    """
    text = value.strip()
    if not text:
        raise ValueError("empty date")
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if len(text) == 10:
        day = date.fromisoformat(text)
        return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def parse_time_value(value: str) -> int | None:
    """Interpret a filter/property value as a point in time: epoch-ms digits or ISO-8601.

    Returns ``None`` when the value is neither.
    """
    text = value.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        return ms_from_iso(text)
    except ValueError:
        return None


def wall_ms() -> int:
    """Current wall-clock time in epoch milliseconds."""
    return time.time_ns() // 1_000_000


class Clock:
    """Monotonic millisecond clock for simulated write timestamps.

    ``now_ms()`` follows the wall clock shifted by a fixed offset chosen so that it starts strictly
    after ``floor_ms`` (e.g. the newest ``updatedAt`` in the loaded world), and it never returns a
    value smaller than a previous one (values may repeat, as real systems' do).
    """

    def __init__(self, floor_ms: int = 0) -> None:
        self._offset = 0
        self._last = 0
        self.advance_past(floor_ms)

    def advance_past(self, floor_ms: int) -> None:
        """Ensure every later ``now_ms()`` is strictly greater than ``floor_ms``."""
        current = wall_ms() + self._offset
        if current <= floor_ms:
            self._offset += floor_ms - current + 1
        self._last = max(self._last, floor_ms)

    def now_ms(self) -> int:
        """Return the current simulated time (non-decreasing)."""
        value = max(wall_ms() + self._offset, self._last)
        self._last = value
        return value
