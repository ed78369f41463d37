"""Reading a fixture document: one JSON object with a section per system (and the ecosystem's records)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def load_fixture(source: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    """A fixture document as a dict, from a path, JSON text or a mapping (copied shallowly)."""
    if isinstance(source, Mapping):
        return dict(source)
    if isinstance(source, str) and source.lstrip().startswith("{"):
        doc = json.loads(source)
    else:
        doc = json.loads(Path(source).read_text(encoding="utf-8"))
    if not isinstance(doc, dict):
        raise ValueError(f"{source}: a fixture must be a JSON object")
    return doc
