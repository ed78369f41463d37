"""Golden files for mapping tests: a recorded page in, the expected canonical records and failures out.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest <tests>`` and review the diff of
the ``*_expected.json`` files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from hub.mapping import MappedRecord, Mapper, SourceRef


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def as_json(record: MappedRecord) -> dict[str, Any]:
    return {
        "external_id": record.external_id,
        "entity": record.entity.value,
        "source_updated_at": _iso(record.source_updated_at),
        "deleted": record.deleted,
        "fields": record.fields,
    }


def mapped(
    mapper: Mapper, object_name: str, raws: list[dict[str, Any]], resolve: Callable[[SourceRef], str], id_key: str
) -> dict[str, Any]:
    """What a page maps to: the records as JSON, and each failure with its record's id and reason."""
    records, failures = mapper.map_page(object_name, raws, resolve)
    return {
        "records": [as_json(record) for record in records],
        "failures": [{"external_id": raw[id_key], "field": f.field, "reason": f.reason} for raw, f in failures],
    }


def assert_golden(actual: dict[str, Any], expected_path: Path) -> None:
    """Compare with the golden file (rewritten first when ``UPDATE_GOLDEN`` is set)."""
    if os.environ.get("UPDATE_GOLDEN"):
        expected_path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n")
    assert actual == json.loads(expected_path.read_text())
