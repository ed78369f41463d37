"""Exceptions of the mapping layer.

::

    MappingError                 base of everything raised here
    ├── MappingFileError         a mapping file is invalid (also a ValueError); raised at load time,
    │                            its str names file, line and field of every problem found
    └── MappingFailure           one source record cannot be mapped; dead-letter it with ``reason``

``RuleError`` is internal: spec validators raise it so the loader can point at the exact YAML key.
"""

from __future__ import annotations

from dataclasses import dataclass


class MappingError(Exception):
    """Base of the mapping layer's exceptions."""


@dataclass(frozen=True)
class MappingIssue:
    """One problem in a mapping file: where it is (``path``, 1-based ``line``, dotted ``field``)."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.path}:{self.line}: {where}{self.message}"


class MappingFileError(MappingError, ValueError):
    """A mapping file cannot be loaded. ``issues`` lists every problem, one per line of ``str()``."""

    def __init__(self, issues: list[MappingIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


class MappingFailure(MappingError):
    """A record that cannot be mapped: ``reason`` says why, ``field`` names the canonical field (or None).

    Raised by ``Mapper.map``; ``Mapper.map_page`` collects it instead so a page goes on.
    """

    def __init__(self, reason: str, field: str | None = None) -> None:
        self.reason = reason
        self.field = field
        super().__init__(f"{field}: {reason}" if field else reason)


class RuleError(ValueError):
    """A spec rule is wrong; ``loc`` is the path below the model that raised it (for line lookup).

    A validator finding several problems raises the first with the others in ``more``.
    """

    def __init__(self, loc: tuple[str | int, ...], message: str, more: tuple[RuleError, ...] = ()) -> None:
        self.loc = loc
        self.message = message
        self.more = more
        text = f"{'.'.join(str(part) for part in loc)}: {message}" if loc else message
        super().__init__("; ".join([text, *(str(error) for error in more)]))

    @classmethod
    def raise_all(cls, errors: list[RuleError]) -> None:
        """Raise the problems found (if any) as one exception."""
        if errors:
            raise cls(errors[0].loc, errors[0].message, tuple(errors[1:]))
