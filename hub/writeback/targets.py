"""Which source objects the hub writes back to, and by which rule: the mappings' ``write`` rules.

The ledger's write path runs without a ``Hub`` at hand, so the process's mapper set is registered
once (``Hub.from_settings`` calls ``configure``), like the active survivorship policy. Until then no
object is writable and no outbox row is inserted (a bare ledger, as in unit tests).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from hub.mappers import MapperSet
from hub.mapping import WriteRule


@dataclass(frozen=True)
class Target:
    """One writable source object of one system (connector kind)."""

    system: str
    object: str
    rule: WriteRule


_lock = threading.Lock()
_targets: dict[tuple[str, str], Target] = {}


def configure(mappers: MapperSet) -> None:
    """Register the write rules of every mapping in ``mappers``."""
    found: dict[tuple[str, str], Target] = {}
    for path in sorted(Path(mappers.directory).glob("*.yaml")):
        try:
            mapper = mappers.get(path.stem)
        except Exception:  # a file that is not a mapping (or a broken one) is reported where it is used
            continue
        for name, mapping in mapper.spec.objects.items():
            if mapping.write is not None:
                found[(mapper.system, name)] = Target(mapper.system, name, mapping.write)
    with _lock:
        _targets.clear()
        _targets.update(found)


def target(system: str, object_name: str) -> Target | None:
    return _targets.get((system, object_name))


def all_targets() -> list[Target]:
    return sorted(_targets.values(), key=lambda t: (t.system, t.object))
