"""Load mapping files, failing loudly with ``file:line: field: problem`` for every mistake.

::

    spec = load_mapping("mappings/hubspot.yaml")       # -> MappingSpec
    specs = load_mappings("mappings")                   # -> {"hubspot": MappingSpec, ...}

A bad file raises ``MappingFileError`` (a ``ValueError``) such as::

    mappings/hubspot.yaml:23: objects.companies.fields.primary_domian: unknown canonical field ...

Lines come from the YAML node tree: each pydantic error ``loc`` is walked down the nodes to the
nearest one that exists, and that node's line is reported.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from hub.mapping.errors import MappingFileError, MappingIssue, RuleError
from hub.mapping.spec import MappingSpec

Loc = tuple[str | int, ...]

__all__ = ["load_mapping", "load_mappings"]


def load_mapping(path: str | os.PathLike[str]) -> MappingSpec:
    """Read and validate one mapping file. Raises ``MappingFileError``; ``OSError`` if unreadable."""
    name = str(path)
    root, data = _parse(Path(path).read_text(encoding="utf-8"), name)
    _reject_duplicate_keys(root, (), name)
    try:
        return MappingSpec.model_validate(data)
    except ValidationError as exc:
        raise MappingFileError([issue for error in exc.errors() for issue in _issues(name, root, error)]) from None


def load_mappings(directory: str | os.PathLike[str]) -> dict[str, MappingSpec]:
    """Load every ``*.yaml``/``*.yml`` file of a directory, keyed by ``system``.

    Problems of all files are gathered into one ``MappingFileError``; two files for one system is one.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise NotADirectoryError(f"mapping directory not found: {folder}")
    specs: dict[str, MappingSpec] = {}
    seen: dict[str, str] = {}
    issues: list[MappingIssue] = []
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        try:
            spec = load_mapping(path)
        except MappingFileError as exc:
            issues.extend(exc.issues)
            continue
        if spec.system in seen:
            message = f"system {spec.system!r} is already mapped by {seen[spec.system]}"
            issues.append(MappingIssue(str(path), _system_line(path), "system", message))
            continue
        seen[spec.system] = str(path)
        specs[spec.system] = spec
    if issues:
        raise MappingFileError(issues)
    return specs


def _parse(text: str, name: str) -> tuple[yaml.Node, Any]:
    """The YAML node tree (for line numbers) and the Python data built from it."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        raise MappingFileError([_syntax_issue(exc, text, name)]) from None
    finally:
        loader.dispose()
    if root is None:
        raise MappingFileError([MappingIssue(name, 1, "", "the file is empty")])
    return root, data


def _syntax_issue(exc: yaml.MarkedYAMLError, text: str, name: str) -> MappingIssue:
    """Point at the problem, or, when the problem is the end of the file (an unclosed bracket or
    quote), at where the unclosed construct began."""
    mark, message = exc.problem_mark, exc.problem or "invalid YAML"
    at_end = mark is None or mark.line >= len(text.splitlines())
    if at_end and exc.context_mark is not None:
        mark, message = exc.context_mark, f"{exc.context}: {message}"
    line = mark.line + 1 if mark is not None else 1
    return MappingIssue(name, line, "", f"YAML syntax error: {message}")


def _reject_duplicate_keys(node: yaml.Node, loc: Loc, name: str) -> None:
    """YAML silently keeps the last of two equal keys; in a mapping file that hides a mistake."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            key_text = str(key.value)
            if key_text in seen:
                field = ".".join(str(part) for part in (*loc, key_text))
                issue = MappingIssue(name, key.start_mark.line + 1, field, "duplicate key")
                raise MappingFileError([issue])
            seen.add(key_text)
            _reject_duplicate_keys(value, (*loc, key_text), name)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _reject_duplicate_keys(item, (*loc, index), name)


def locate_node(root: yaml.Node, loc: Loc) -> tuple[int, Loc]:
    """Line of the deepest node on ``loc`` that exists, and the part of ``loc`` that was found."""
    node, line, found = root, root.start_mark.line + 1, 0
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    child, line = value, key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node, found = child, found + 1
    return line, loc[:found]


def _issues(name: str, root: yaml.Node, error: Any) -> list[MappingIssue]:
    """The issues of one pydantic error (a ``RuleError`` may carry several problems)."""
    loc: Loc = tuple(error["loc"])
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, RuleError):
        return [_at(name, root, (*loc, *rule.loc), rule.message) for rule in (cause, *cause.more)]
    if error["type"] == "missing":
        return [_at(name, root, loc, "required key is missing", names_missing_key=True)]
    if error["type"] == "extra_forbidden":
        return [_at(name, root, loc, f"unknown key {loc[-1]!r}")]
    message = str(error["msg"]).removeprefix("Value error, ")
    if isinstance(error.get("input"), str | int | float | bool):
        message += f" (got {error['input']!r})"
    return [_at(name, root, loc, message)]


def _at(name: str, root: yaml.Node, loc: Loc, message: str, names_missing_key: bool = False) -> MappingIssue:
    """An issue at the line of the deepest existing node on ``loc``, naming the part of ``loc`` found
    (pydantic's internal loc parts, such as union member tags, exist in no file and are left out)."""
    line, found = locate_node(root, loc)
    if names_missing_key and len(found) < len(loc):
        found = loc[: len(found) + 1]
    return MappingIssue(name, line, ".".join(str(part) for part in found), message)


def _system_line(path: Path) -> int:
    root, _ = _parse(path.read_text(encoding="utf-8"), str(path))
    return locate_node(root, ("system",))[0]
