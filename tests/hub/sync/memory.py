"""An in-memory connector for unit tests of the sync engine's control flow.

It implements the SDK's ``Connector`` over lists of raw HubSpot-shaped records (so the real HubSpot
mapping and ledger apply them): pages of ``page_size`` records with ``{"offset": n}`` as the resume
position, an incremental read yields the records at or after the cursor, and ``fail`` injects an
error in place of a page. The real-HTTP reads are tested against the sandbox in tests/e2e.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from connectors.sdk import (
    Connector,
    ConnectorSpec,
    CursorTokenPaginator,
    Page,
    ReadRequest,
    StreamSpec,
    dotted,
)
from hub.sync import cursor as cursors

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hubspot"


def fixture(name: str) -> list[dict[str, Any]]:
    """The recorded HubSpot page ``name`` (companies, deals: some deals do not map)."""
    return copy.deepcopy(json.loads((FIXTURES / f"{name}_page.json").read_text())["results"])


def _stream(name: str) -> StreamSpec:
    return StreamSpec(
        name=name,
        object=name,
        path=f"/memory/{name}",
        cursor_field="properties.hs_lastmodifieddate",
        paginator=CursorTokenPaginator(token_path=("offset",), param="offset"),
        supports_incremental=True,
    )


class _NoConfig(BaseModel):
    pass


class MemoryConnector(Connector):
    spec = ConnectorSpec(kind="hubspot", title="In memory", streams=(_stream("companies"), _stream("deals")))
    config_model = _NoConfig

    def __init__(self, records: dict[str, list[dict[str, Any]]], page_size: int = 3) -> None:
        super().__init__(_NoConfig())
        self.records = records
        self.page_size = page_size
        self.fail: dict[int, Exception] = {}  # page number of the next read (from 0) -> raised instead
        self.requests: list[ReadRequest] = []

    def read(self, stream: str, request: ReadRequest) -> Iterator[Page]:
        self.requests.append(request)
        field = self.spec.stream(stream).cursor_field or ""
        rows = self.records[stream]
        if request.mode == "incremental" and request.cursor:
            rows = [r for r in rows if (cursors.normalise(dotted(r, field)) or "") >= request.cursor]
        offset = int((request.resume or {}).get("offset", 0))
        number = 0
        while True:
            if number in self.fail:
                raise self.fail.pop(number)
            chunk = rows[offset : offset + self.page_size]
            offset += len(chunk)
            done = offset >= len(rows)
            yield Page(copy.deepcopy(chunk), None if done else {"offset": offset})
            if done:
                return
            number += 1


class Clock:
    """A settable clock for the runner (``SyncRunner(clock=...)``)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
