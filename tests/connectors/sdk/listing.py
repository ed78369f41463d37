"""A fake list endpoint for the strategy tests: ``count`` records, paged the way a test asks."""

from __future__ import annotations

import json
from typing import Any

import httpx

from connectors.sdk import Requester, RetryPolicy

BASE = "https://upstream.test"


def requester() -> Requester:
    return Requester(httpx.Client(base_url=BASE), RetryPolicy(attempts=1))


def records(count: int) -> list[dict[str, Any]]:
    return [{"id": f"r{n}", "key": f"k{n}"} for n in range(count)]


class Listing:
    """Serves ``items`` and records every request it answered."""

    def __init__(self, count: int) -> None:
        self.items = records(count)
        self.requests: list[httpx.Request] = []

    def params(self) -> list[dict[str, str]]:
        return [dict(r.url.params) for r in self.requests]

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]
