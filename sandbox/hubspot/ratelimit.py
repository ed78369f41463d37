"""Per-token rate limiting with HubSpot's headers and 429 bodies.

* burst window: ``rate_limit`` requests per ``rate_limit_interval_ms`` (rolling), headers
  ``X-HubSpot-RateLimit-Max``, ``-Remaining``, ``-Interval-Milliseconds`` and, informational,
  ``-Secondly`` (= max/10) and ``-Secondly-Remaining``; exceeding it → policy ``TEN_SECONDLY_ROLLING``;
* daily: private-app tokens only, ``X-HubSpot-RateLimit-Daily`` / ``-Daily-Remaining``, policy
  ``DAILY`` (per UTC day);
* search: ``search_rate_limit`` requests per second (rolling), policy ``SECONDLY``.

Rejected requests do not consume quota.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from sandbox.hubspot.auth import Caller
from sandbox.hubspot.config import HubSpotConfig
from sandbox.kit.clock import DAY_MS

Headers = list[tuple[bytes, bytes]]


@dataclass(slots=True)
class Decision:
    """Outcome of a rate-limit check."""

    allowed: bool
    headers: Headers = field(default_factory=list)
    policy: str = ""
    message: str = ""
    retry_after: int = 1


class RollingWindow:
    """Timestamps of accepted hits per key within a rolling interval."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[int]] = {}

    def used(self, key: str, now_ms: int, interval_ms: int) -> deque[int]:
        """Hits still inside the window (older ones are discarded)."""
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now_ms - interval_ms:
            hits.popleft()
        return hits

    def reset(self) -> None:
        """Forget all hits."""
        self._hits.clear()


class RateLimiter:
    """Applies the configured limits to authenticated calls."""

    def __init__(self, config: HubSpotConfig) -> None:
        self._config = config
        self._burst = RollingWindow()
        self._second = RollingWindow()
        self._search = RollingWindow()
        self._daily: dict[str, tuple[int, int]] = {}

    def reset(self) -> None:
        """Clear all windows (after a config change)."""
        self._burst.reset()
        self._second.reset()
        self._search.reset()
        self._daily.clear()

    def check(self, caller: Caller, now_ms: int, search: bool) -> Decision:
        """Count one request if allowed, and return the headers to send."""
        cfg = self._config
        headers: Headers = []
        if cfg.search_rate_limit > 0 and search:
            used = self._search.used(caller.key, now_ms, 1000)
            if len(used) >= cfg.search_rate_limit:
                return Decision(
                    False, [], "SECONDLY", "You have reached your secondly limit.", _wait(used, now_ms, 1000)
                )
        day = now_ms // DAY_MS
        day_count = 0
        if caller.private_app and cfg.daily_limit > 0:
            stored_day, day_count = self._daily.get(caller.key, (day, 0))
            day_count = day_count if stored_day == day else 0
            if day_count >= cfg.daily_limit:
                retry = math.ceil(((day + 1) * DAY_MS - now_ms) / 1000)
                return Decision(False, [], "DAILY", "You have reached your daily limit.", retry)
        if cfg.rate_limit > 0:
            interval = cfg.rate_limit_interval_ms
            used = self._burst.used(caller.key, now_ms, interval)
            if len(used) >= cfg.rate_limit:
                message = "You have reached your ten_secondly_rolling limit."
                return Decision(False, [], "TEN_SECONDLY_ROLLING", message, _wait(used, now_ms, interval))
            used.append(now_ms)
            secondly_max = max(1, math.ceil(cfg.rate_limit * 1000 / interval))
            second = self._second.used(caller.key, now_ms, 1000)
            second.append(now_ms)
            headers += [
                (b"x-hubspot-ratelimit-max", str(cfg.rate_limit).encode()),
                (b"x-hubspot-ratelimit-remaining", str(cfg.rate_limit - len(used)).encode()),
                (b"x-hubspot-ratelimit-interval-milliseconds", str(interval).encode()),
                (b"x-hubspot-ratelimit-secondly", str(secondly_max).encode()),
                (b"x-hubspot-ratelimit-secondly-remaining", str(max(0, secondly_max - len(second))).encode()),
            ]
        if search and cfg.search_rate_limit > 0:
            self._search.used(caller.key, now_ms, 1000).append(now_ms)
        if caller.private_app and cfg.daily_limit > 0:
            self._daily[caller.key] = (day, day_count + 1)
            headers += [
                (b"x-hubspot-ratelimit-daily", str(cfg.daily_limit).encode()),
                (b"x-hubspot-ratelimit-daily-remaining", str(cfg.daily_limit - day_count - 1).encode()),
            ]
        return Decision(True, headers)


def _wait(used: deque[int], now_ms: int, interval_ms: int) -> int:
    return max(1, math.ceil((used[0] + interval_ms - now_ms) / 1000))
