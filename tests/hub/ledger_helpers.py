"""Helpers for ledger tests: load recorded pages, write them, snapshot projections."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from hub.db.schema import golden_records, ledger_entries, source_records
from hub.ledger import Origin, PageOutcome, write_page
from hub.mappers import MapperSet
from hub.settings import REPO_ROOT

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hubspot"
MAPPERS = MapperSet(REPO_ROOT / "mappings")
ORIGIN = Origin(system="hubspot", instance="hs-test", run_id="run-1")


def page(name: str) -> list[dict[str, Any]]:
    return copy.deepcopy(json.loads((FIXTURES / f"{name}_page.json").read_text())["results"])


def write(engine: Engine, object_name: str, raws: list[dict[str, Any]], origin: Origin = ORIGIN) -> PageOutcome:
    with engine.begin() as conn:
        return write_page(conn, origin, object_name, raws, MAPPERS.get("hubspot"), datetime.now(UTC))


def snapshot(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as conn:
        golden = [
            dict(r._mapping) for r in conn.execute(select(golden_records).order_by(golden_records.c.canonical_id))
        ]
        sources = [
            dict(r._mapping)
            for r in conn.execute(
                select(source_records).order_by(source_records.c.source_object, source_records.c.external_id)
            )
        ]
    return {"golden": golden, "sources": sources}


def entry_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return len(conn.execute(select(ledger_entries.c.id)).fetchall())
