"""map_page on a 10k synthetic page: a floor far below the measured rate, to catch regressions."""

from __future__ import annotations

import time
from typing import Any

import pytest

from hub.mapping import Mapper, SourceRef

PAGE_SIZE = 10_000
FLOOR_PER_SECOND = 5_000


def _deal(index: int) -> dict[str, Any]:
    return {
        "id": str(index),
        "properties": {
            "dealname": f"Deal {index}",
            "amount": f"{index}.50",
            "deal_currency_code": "usd",
            "dealstage": ("closedwon", "closedlost", "qualifiedtobuy")[index % 3],
            "pipeline": "default",
            "closedate": "2026-06-30T00:00:00Z",
            "createdate": "2026-01-01T00:00:00.000Z",
            "hs_lastmodifieddate": "2026-03-01T10:00:00.123Z",
        },
        "createdAt": "2026-01-01T00:00:00.000Z",
        "updatedAt": "2026-03-01T10:00:00.123Z",
        "archived": False,
        "associations": {
            "companies": [
                {"id": str(index % 500), "types": ["deal_to_company"]},
                {"id": str(1000 + index % 50), "types": ["sourcing_partner"]},
            ],
            "contacts": [{"id": str(index), "types": ["deal_to_contact"]}],
        },
    }


def _resolve(ref: SourceRef) -> str:
    return f"{ref.object}:{ref.id}"


@pytest.mark.slow
def test_map_page_throughput(hubspot_mapper: Mapper) -> None:
    page = [_deal(index) for index in range(PAGE_SIZE)]
    started = time.perf_counter()
    records, failures = hubspot_mapper.map_page("deals", page, _resolve)
    rate = PAGE_SIZE / (time.perf_counter() - started)
    assert not failures and len(records) == PAGE_SIZE
    assert rate > FLOOR_PER_SECOND, f"map_page ran at {rate:,.0f} records/s"
