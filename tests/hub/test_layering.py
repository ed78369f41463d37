"""Dependencies point one way (docs/architecture.md, ADR 0005 and 0012).

The import graph is built from the AST of every module of every top-level package, imports inside
functions and under ``TYPE_CHECKING`` included: a lazy import is still an arrow.

    hub ──▶ webhooks ──▶ connectors.sdk ◀── connectors
     │                        ▲
     └────────────────────────┘        sandbox: imports none of them
    bench ──▶ hub                      hub ──▶ sandbox only in hub/demo.py and hub/cli.py
"""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("hub", "connectors", "webhooks", "sandbox", "bench")
#: the only hub modules that may start the simulators: the demo and the CLI's ``hub sandbox``
SANDBOX_ENTRY_POINTS = {"hub/demo.py", "hub/cli.py"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute name of a (possibly relative) ``from`` import."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


@cache
def imports(package: str) -> tuple[tuple[str, str], ...]:
    """(file, imported module) for every import in ``package``."""
    found: list[tuple[str, str]] = []
    for path in sorted((ROOT / package).rglob("*.py")):
        where = str(path.relative_to(ROOT))
        module = _module_name(path)
        tree = ast.parse(path.read_text(), filename=where)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.extend((where, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                found.append((where, _absolute(node, module, path.name == "__init__.py")))
    return tuple(found)


def graph() -> dict[str, dict[str, list[str]]]:
    """package → imported top-level package → the files that import it (self-imports left out)."""
    edges: dict[str, dict[str, list[str]]] = {package: defaultdict(list) for package in PACKAGES}
    for package in PACKAGES:
        for where, name in imports(package):
            target = name.split(".")[0]
            if target != package and target in (*PACKAGES, "tests", "mappings"):
                edges[package][target].append(where)
    return edges


def cycles(edges: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Every elementary cycle's node list, found by depth-first search from each node."""
    found: list[list[str]] = []

    def walk(start: str, node: str, path: list[str]) -> None:
        for target in sorted(edges.get(node, {})):
            if target == start:
                found.append([*path, start])
            elif target not in path and target > start:  # report each cycle once, from its least node
                walk(start, target, [*path, target])

    for start in sorted(edges):
        walk(start, start, [start])
    return found


def test_the_graph_sees_lazy_and_relative_imports() -> None:
    tree = ast.parse("from . import x\nfrom ..b import y\ndef f():\n    import sandbox.server\n")
    relative = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert _absolute(relative[0], "hub.api.app", False) == "hub.api"
    assert _absolute(relative[1], "hub.api.routes", True) == "hub.api.b"
    assert any(isinstance(n, ast.Import) and n.names[0].name == "sandbox.server" for n in ast.walk(tree))
    assert cycles({"a": {"b": []}, "b": {"c": []}, "c": {"a": []}, "d": {"a": []}}) == [["a", "b", "c", "a"]]


def test_no_cycle_between_top_level_packages() -> None:
    edges = graph()
    assert cycles(edges) == [], {p: dict(t) for p, t in edges.items()}


def test_no_package_imports_the_tests() -> None:
    edges = graph()
    assert {package: targets["tests"] for package, targets in edges.items() if "tests" in targets} == {}


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        pytest.param("sandbox", ("hub", "connectors", "webhooks", "bench"), id="sandbox_is_independent"),
        pytest.param("connectors", ("hub", "sandbox", "webhooks", "bench"), id="connectors_know_only_the_sdk"),
        pytest.param("webhooks", ("hub", "sandbox", "bench"), id="webhooks_know_only_the_sdk"),
    ],
)
def test_no_forbidden_imports(package: str, forbidden: tuple[str, ...]) -> None:
    bad = [(where, name) for where, name in imports(package) if name.split(".")[0] in forbidden]
    assert bad == []


@pytest.mark.parametrize("package", ["hub", "webhooks"])
def test_reaches_connectors_only_through_the_sdk(package: str) -> None:
    bad = [
        (where, name)
        for where, name in imports(package)
        if name.split(".")[0] == "connectors" and name != "connectors.sdk" and not name.startswith("connectors.sdk.")
    ]
    assert bad == []


def test_hub_starts_the_sandbox_only_from_its_entry_points() -> None:
    bad = [
        (where, name)
        for where, name in imports("hub")
        if name.split(".")[0] == "sandbox" and where not in SANDBOX_ENTRY_POINTS
    ]
    assert bad == []
