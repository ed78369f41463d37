"""Dependencies point one way: connectors know only the SDK; the sandbox knows neither hub nor connectors."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imports(package: str) -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.extend((str(path.relative_to(ROOT)), alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((str(path.relative_to(ROOT)), node.module))
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        pytest.param("sandbox", ("hub", "connectors", "webhooks"), id="sandbox_is_independent"),
        pytest.param("connectors", ("hub", "sandbox", "webhooks"), id="connectors_know_only_the_sdk"),
    ],
)
def test_no_forbidden_imports(package: str, forbidden: tuple[str, ...]) -> None:
    bad = [(where, name) for where, name in _imports(package) if name.split(".")[0] in forbidden]
    assert bad == []


def test_hub_reaches_connectors_only_through_the_sdk() -> None:
    bad = [
        (where, name)
        for where, name in _imports("hub")
        if name.startswith("connectors.") and not name.startswith("connectors.sdk")
    ]
    assert bad == []
