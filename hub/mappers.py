"""The mappers of every system, loaded from ``mappings/<system>.yaml`` on first use and cached."""

from __future__ import annotations

import threading
from pathlib import Path

from hub.mapping import Mapper


class MapperSet:
    """``get("hubspot")`` → the HubSpot mapper. A bad file fails loudly, naming file, line and field."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._cache: dict[str, Mapper] = {}
        self._lock = threading.Lock()

    def get(self, system: str) -> Mapper:
        with self._lock:
            if system not in self._cache:
                path = self.directory / f"{system}.yaml"
                if not path.exists():
                    raise FileNotFoundError(f"no mapping for {system!r}: expected {path}")
                self._cache[system] = Mapper.from_file(path)
            return self._cache[system]
