"""The 10,000-result search cap and the incremental restart it forces, on a world of 21,000 records."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.server import SandboxServer

SEARCH = "/crm/v3/objects/contacts/search"


@pytest.fixture(scope="module")
def big() -> Iterator[httpx.Client]:
    with SandboxServer(size=21_000, seed=5, rate_limit=0, search_rate_limit=0) as server:
        token = server.credentials["hubspot"]["private_app_token"]
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.base_urls["hubspot"], headers=headers, timeout=30) as client:
            yield client


def incremental(cursor: str, after: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": cursor}]}],
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
        "properties": ["email"],
        "limit": 200,
    }
    if after is not None:
        body["after"] = after
    return body


def test_paging_past_10000_is_a_400(big: httpx.Client) -> None:
    near_end = big.post(SEARCH, json=incremental("0", "9800")).json()
    assert near_end["total"] == 10_500 and len(near_end["results"]) == 200
    assert near_end["paging"]["next"]["after"] == "10000"
    capped = big.post(SEARCH, json=incremental("0", "10000"))
    assert capped.status_code == 400
    body = capped.json()
    assert body["category"] == "VALIDATION_ERROR" and body["status"] == "error" and body["correlationId"]


def test_incremental_sync_restarts_from_last_seen_timestamp(big: httpx.Client) -> None:
    seen: set[str] = set()
    cursor, after, last_stamp = "0", "0", "0"
    started = time.monotonic()
    calls = 0
    while True:
        response = big.post(SEARCH, json=incremental(cursor, after))
        calls += 1
        if response.status_code == 400:
            cursor, after = last_stamp, "0"
            continue
        page = response.json()
        seen.update(r["id"] for r in page["results"])
        if page["results"]:
            last_stamp = page["results"][-1]["properties"]["lastmodifieddate"]
        if "paging" not in page:
            break
        after = page["paging"]["next"]["after"]
    assert len(seen) == 10_500
    assert time.monotonic() - started < 5, f"{calls} searches took too long"


def test_list_paging_is_fast(big: httpx.Client) -> None:
    started = time.monotonic()
    count, after = 0, None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"after": after} if after else {})}
        page = big.get("/crm/v3/objects/contacts", params=params).json()
        count += len(page["results"])
        if "paging" not in page:
            break
        after = page["paging"]["next"]["after"]
    assert count == 10_500
    assert time.monotonic() - started < 5


@pytest.mark.slow
def test_hundred_thousand_records_page_fully_and_search_incrementally() -> None:
    with SandboxServer(size=100_000, rate_limit=0, search_rate_limit=0) as server:
        headers = {"Authorization": f"Bearer {server.credentials['hubspot']['private_app_token']}"}
        with httpx.Client(base_url=server.base_urls["hubspot"], headers=headers, timeout=30) as client:
            started = time.monotonic()
            pages = records = 0
            for object_type in ("companies", "contacts", "deals"):
                after = None
                while True:
                    params: dict[str, Any] = {"limit": 100, **({"after": after} if after else {})}
                    page = client.get(f"/crm/v3/objects/{object_type}", params=params).json()
                    pages += 1
                    records += len(page["results"])
                    if "paging" not in page:
                        break
                    after = page["paging"]["next"]["after"]
            paging_s = time.monotonic() - started
            assert (pages, records) == (1000, 100_000)
            assert paging_s < 20, f"1,000 pages took {paging_s:.1f}s"
            started = time.monotonic()
            for offset in range(0, 10_000, 200):
                response = client.post(SEARCH, json=incremental("1735689600000", str(offset)))
                assert response.status_code == 200
            assert time.monotonic() - started < 5
