"""Simulators are peers (docs/adr/0018-simulators-as-peers.md): no system imports another.

The import graph is read from the AST of every module under ``sandbox/``, imports inside functions
and under ``TYPE_CHECKING`` included.  A system is a package ``sandbox/<name>/`` registered in
:data:`sandbox.systems.SYSTEMS`::

    sandbox.server ──▶ sandbox.systems ──▶ sandbox.<system> ──▶ sandbox.simulator
                                                  │                    │
                                                  ▼                    ▼
                                           sandbox.ecosystem ──▶ sandbox.kit
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

from sandbox.systems import SYSTEMS

ROOT = Path(__file__).resolve().parents[2]
SANDBOX = ROOT / "sandbox"
#: the shared layers and what each may import from inside ``sandbox``
SHARED: dict[str, set[str]] = {"kit": {"kit"}, "ecosystem": {"kit", "ecosystem"}, "simulator": {"kit", "ecosystem"}}


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


@cache
def sandbox_imports() -> tuple[tuple[str, str], ...]:
    """(file relative to the repository, imported module) for every import under ``sandbox/``."""
    found: list[tuple[str, str]] = []
    for path in sorted(SANDBOX.rglob("*.py")):
        where = str(path.relative_to(ROOT))
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        module = ".".join(parts)
        for node in ast.walk(ast.parse(path.read_text(), filename=where)):
            if isinstance(node, ast.Import):
                found.extend((where, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                found.append((where, _absolute(node, module, path.name == "__init__.py")))
    return tuple(found)


def _part(target: str) -> str | None:
    """``sandbox.hubspot.routes_batch`` → ``hubspot``; None outside ``sandbox``."""
    parts = target.split(".")
    return parts[1] if parts[0] == "sandbox" and len(parts) > 1 else None


def _system_packages() -> list[str]:
    return sorted(p.name for p in SANDBOX.iterdir() if (p / "__init__.py").exists() and p.name not in SHARED)


def test_every_system_package_is_registered_once() -> None:
    names = [sim.name for sim in SYSTEMS]
    assert len(names) == len(set(names))
    assert sorted(names) == _system_packages()


@pytest.mark.parametrize("system", _system_packages())
def test_a_system_imports_no_other_system(system: str) -> None:
    others = set(_system_packages()) - {system}
    crossing = [
        f"{where} imports {target}"
        for where, target in sandbox_imports()
        if where.startswith(f"sandbox/{system}/") and _part(target) in others | {"server", "systems", "truth", "world"}
    ]
    assert crossing == []


@pytest.mark.parametrize("layer", sorted(SHARED))
def test_shared_layers_import_no_system(layer: str) -> None:
    prefix = f"sandbox/{layer}/" if layer != "simulator" else "sandbox/simulator.py"
    crossing = [
        f"{where} imports {target}"
        for where, target in sandbox_imports()
        if where.startswith(prefix) and _part(target) is not None and _part(target) not in SHARED[layer]
    ]
    assert crossing == []


def test_the_sandbox_imports_no_hub_code() -> None:
    crossing = [
        f"{where} imports {target}"
        for where, target in sandbox_imports()
        if target.split(".")[0] in ("hub", "connectors", "webhooks", "bench", "tests")
    ]
    assert crossing == []


def test_the_server_imports_no_system_but_the_table() -> None:
    imported = {_part(target) for where, target in sandbox_imports() if where == "sandbox/server.py"} - {None}
    assert imported <= {"ecosystem", "kit", "simulator", "systems"}
