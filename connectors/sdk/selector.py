"""Record selection and dotted-path access into JSON documents."""

from __future__ import annotations

from typing import Any


def dig(document: Any, path: tuple[str, ...] | list[str]) -> Any:
    """The value at ``path`` in nested dicts, or ``None`` where any step is missing."""
    node = document
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def dotted(document: Any, path: str) -> Any:
    """``dig`` with a dotted string path: ``dotted(rec, "properties.hs_lastmodifieddate")``."""
    return dig(document, path.split("."))


def select_records(document: Any, selector: tuple[str, ...]) -> list[dict[str, Any]]:
    """The list of records at ``selector``; an absent list is an empty page, anything else an error."""
    records = dig(document, selector)
    if records is None:
        return []
    if not isinstance(records, list):
        raise ValueError(f"record selector {'.'.join(selector)!r} did not point at a list")
    return records
