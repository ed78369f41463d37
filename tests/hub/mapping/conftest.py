"""Shared fixtures of the mapping tests: the real HubSpot mapping and a resolver over the fixtures."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from hub.mapping import Mapper, SourceRef

REPO = Path(__file__).resolve().parents[3]
HUBSPOT_MAPPING = REPO / "mappings" / "hubspot.yaml"
HUBSPOT_FIXTURES = REPO / "tests" / "fixtures" / "hubspot"

_PREFIX = {"companies": "org", "contacts": "person"}
UNKNOWN_ID = "404"  # a record the hub has never seen


def resolve_fixture_ref(ref: SourceRef) -> str:
    """Canonical id of a fixture record ("org:77", "person:5"); ``KeyError`` for UNKNOWN_ID."""
    if ref.id == UNKNOWN_ID:
        raise KeyError(ref)
    return f"{_PREFIX[ref.object]}:{ref.id}"


@pytest.fixture(scope="session")
def hubspot_mapper() -> Mapper:
    return Mapper.from_file(HUBSPOT_MAPPING)


@pytest.fixture
def resolve() -> Callable[[SourceRef], str]:
    return resolve_fixture_ref


def write_mapping(directory: Path, text: str, name: str = "demo.yaml") -> Path:
    """Write a dedented mapping file into ``directory``."""
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def marked_line(path: Path) -> int:
    """The 1-based number of the line marked ``# <-``."""
    lines = path.read_text().splitlines()
    return next(number for number, line in enumerate(lines, start=1) if "# <-" in line)
