"""Request counters per (method, route template, status), served at ``GET /_sandbox/stats``."""

from __future__ import annotations

from collections import Counter
from typing import Any


class RequestStats:
    """Counts requests; templates look like ``/crm/v3/objects/{objectType}/{objectId}``."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str, int]] = Counter()

    def record(self, method: str, template: str, status: int) -> None:
        """Count one answered (or dropped: status 0) request."""
        self._counts[(method, template, status)] += 1

    def reset(self) -> None:
        """Forget all counts."""
        self._counts.clear()

    def snapshot(self) -> dict[str, Any]:
        """``{"total": n, "requests": [{method, path, status, count}], "by_status": {"200": n}}``."""
        rows = [
            {"method": m, "path": p, "status": s, "count": c}
            for (m, p, s), c in sorted(self._counts.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2]))
        ]
        by_status: Counter[str] = Counter()
        for (_, _, status), count in self._counts.items():
            by_status[str(status)] += count
        return {
            "total": sum(self._counts.values()),
            "requests": rows,
            "by_status": dict(sorted(by_status.items())),
        }

    def count(self, method: str | None = None, template: str | None = None, status: int | None = None) -> int:
        """Sum of counts matching the given fields."""
        return sum(
            c
            for (m, p, s), c in self._counts.items()
            if (method is None or m == method)
            and (template is None or p == template)
            and (status is None or s == status)
        )
