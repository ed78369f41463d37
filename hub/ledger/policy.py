"""The survivorship policy table: which source supplies each golden field, loaded from YAML.

::

    policy = load_policy(None)                     # the shipped default (survivorship_default.yaml)
    policy = load_policy(Path("my-policy.yaml"))   # a custom table (HUB_SURVIVORSHIP_FILE)
    policy.for_entity("organization").rule_of("legal_name")   # -> Rule("source_priority", ...)

The file format (``version: 1``)::

    default: most_recent                 # entity types the file does not name
    entities:
      organization:
        default: most_recent             # fields of this entity not named below
        fields:
          legal_name: {rule: source_priority, systems: [salesforce, hubspot, partnerstack]}
          other_domains: union
        groups:                          # linked fields survive together, taken from ONE source
          address: {fields: [city, country, country_raw], rule: most_complete}
        writeback:                       # the golden fields each system receives (ADR 20)
          hubspot: [name, primary_domain, phone]
    planned:                             # entity types that do not exist yet: checked, not applied
      credential: {default: {rule: system_of_record, systems: [moodle, docebo]}}

Rules: ``most_recent``, ``most_complete``, ``source_priority`` and ``system_of_record`` (both with
``systems``: connector kinds, or ``kind/instance`` for one connector), ``union`` (list fields only).
``writeback`` lists, per connector kind, the canonical fields whose golden value is written back to
that system's records (through the mapping's ``write`` rule); a system or field not listed receives
nothing. A bad file raises ``PolicyFileError`` naming ``file:line: field: problem`` for every mistake.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from hub.canonical.enums import EntityType
from hub.canonical.models import model_for
from hub.mapping.loader import locate_node

__all__ = [
    "RULES",
    "EntityPolicy",
    "Group",
    "PolicyFileError",
    "PolicyIssue",
    "Rule",
    "SurvivorshipPolicy",
    "SystemRef",
    "load_policy",
]

RULES = ("most_recent", "most_complete", "source_priority", "system_of_record", "union")
_RULES_WITH_SYSTEMS = frozenset({"source_priority", "system_of_record"})
_SYSTEM = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}(/[a-z0-9][a-z0-9_-]{0,63})?$")
DEFAULT_FILE = "survivorship_default.yaml"

Loc = tuple[str | int, ...]


# -- the policy ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SystemRef:
    """A system in a priority list: a connector kind (``salesforce``) or one instance (``salesforce/sf-eu``)."""

    system: str
    instance: str | None = None

    @classmethod
    def parse(cls, text: str) -> SystemRef:
        system, _, instance = text.partition("/")
        return cls(system, instance or None)

    def matches(self, system: str, instance: str) -> bool:
        return self.system == system and (self.instance is None or self.instance == instance)

    def __str__(self) -> str:
        return f"{self.system}/{self.instance}" if self.instance else self.system


@dataclass(frozen=True)
class Rule:
    """One survivorship rule; ``systems`` is the ordered list of ``source_priority``/``system_of_record``."""

    name: str
    systems: tuple[SystemRef, ...] = ()

    def rank(self, system: str, instance: str) -> int | None:
        """Position of a source's system in ``systems`` (0 = highest), ``None`` if it is not listed."""
        for position, ref in enumerate(self.systems):
            if ref.matches(system, instance):
                return position
        return None


@dataclass(frozen=True)
class Group:
    """Linked fields that survive together: all of them come from the one source the rule picks."""

    name: str
    fields: tuple[str, ...]
    rule: Rule


MOST_RECENT = Rule("most_recent")


@dataclass(frozen=True)
class EntityPolicy:
    default: Rule = MOST_RECENT
    fields: Mapping[str, Rule] = field(default_factory=dict)
    groups: tuple[Group, ...] = ()
    writeback: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def writes_to(self, system: str) -> tuple[str, ...]:
        """The canonical fields whose golden values ``system`` (a connector kind) receives."""
        return self.writeback.get(system, ())

    @cached_property
    def _group_index(self) -> dict[str, Group]:
        return {name: group for group in self.groups for name in group.fields}

    def group_of(self, name: str) -> Group | None:
        return self._group_index.get(name)

    @cached_property
    def _labels(self) -> dict[str, tuple[Rule, str]]:
        return {}

    def unit_of(self, name: str) -> tuple[Rule, str]:
        """A field's rule and its provenance label (``rule`` or ``rule:group``); cached per field."""
        found = self._labels.get(name)
        if found is None:
            group = self.group_of(name)
            if group is not None:
                found = (group.rule, f"{group.rule.name}:{group.name}")
            else:
                rule = self.fields.get(name, self.default)
                found = (rule, rule.name)
            self._labels[name] = found
        return found

    def rule_of(self, name: str) -> Rule:
        """The rule of a single field (a grouped field's rule is its group's)."""
        group = self.group_of(name)
        if group is not None:
            return group.rule
        return self.fields.get(name, self.default)


@dataclass(frozen=True)
class SurvivorshipPolicy:
    entities: Mapping[str, EntityPolicy]
    default: Rule = MOST_RECENT
    planned: Mapping[str, EntityPolicy] = field(default_factory=dict)
    source: str = field(default="<built-in>", compare=False)

    def for_entity(self, entity_type: str) -> EntityPolicy:
        return self.entities.get(str(entity_type)) or EntityPolicy(default=self.default)


# -- errors ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PolicyIssue:
    """One problem in a policy file: where it is (``path``, 1-based ``line``, dotted ``field``)."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.path}:{self.line}: {where}{self.message}"


class PolicyFileError(ValueError):
    """A survivorship policy file cannot be loaded; ``str()`` has one ``file:line: field: problem`` a line."""

    def __init__(self, issues: list[PolicyIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


# -- loading ---------------------------------------------------------------------------------------------
def load_policy(path: Path | None = None) -> SurvivorshipPolicy:
    """Read and validate a policy file; ``None`` loads the default shipped with the package.

    Raises ``PolicyFileError`` listing every problem; ``OSError`` if the file cannot be read.
    """
    if path is None:
        text = resources.files("hub.ledger").joinpath(DEFAULT_FILE).read_text(encoding="utf-8")
        name = f"hub/ledger/{DEFAULT_FILE}"
    else:
        text, name = Path(path).read_text(encoding="utf-8"), str(path)
    root, data = _parse(text, name)
    checker = _Checker()
    policy = checker.policy(data)
    if checker.problems:
        raise PolicyFileError([_issue(name, root, loc, message) for loc, message in checker.problems])
    return SurvivorshipPolicy(policy.entities, policy.default, policy.planned, source=name)


def _parse(text: str, name: str) -> tuple[yaml.Node, Any]:
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise PolicyFileError([PolicyIssue(name, line, "", f"YAML syntax error: {exc.problem}")]) from None
    finally:
        loader.dispose()
    if root is None:
        raise PolicyFileError([PolicyIssue(name, 1, "", "the file is empty")])
    duplicates = list(_duplicate_keys(root, ()))
    if duplicates:
        raise PolicyFileError([PolicyIssue(name, line, where, "duplicate key") for line, where in duplicates])
    return root, data


def _duplicate_keys(node: yaml.Node, loc: Loc) -> Iterable[tuple[int, str]]:
    """YAML silently keeps the last of two equal keys; in a policy table that hides a mistake."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            text = str(key.value)
            if text in seen:
                yield key.start_mark.line + 1, ".".join(str(part) for part in (*loc, text))
            seen.add(text)
            yield from _duplicate_keys(value, (*loc, text))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, (*loc, index))


def _issue(name: str, root: yaml.Node, loc: Loc, message: str) -> PolicyIssue:
    """The issue at the line of the deepest node on ``loc`` that exists in the file."""
    line, _found = locate_node(root, tuple(loc))
    return PolicyIssue(name, line, ".".join(str(part) for part in loc), message)


def _list_fields(entity: str) -> set[str]:
    hints = model_for(entity).model_fields
    return {name for name, info in hints.items() if typing.get_origin(info.annotation) is list}


class _Checker:
    """Builds the policy from parsed YAML, collecting every problem with its location."""

    def __init__(self) -> None:
        self.problems: list[tuple[Loc, str]] = []

    def fail(self, loc: Loc, message: str) -> None:
        self.problems.append((loc, message))

    def mapping(
        self, value: Any, loc: Loc, allowed: set[str] | None = None, required: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        """``value`` as a mapping with string keys; ``allowed=None`` accepts any key."""
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            self.fail(loc, "must be a mapping")
            return {}
        result = {str(key): item for key, item in value.items()}
        if allowed is not None:
            for key in result:
                if key not in allowed:
                    self.fail((*loc, key), f"unknown key {key!r}; expected one of: {', '.join(sorted(allowed))}")
        for key in sorted(required - result.keys()):
            self.fail((*loc, key), "required key is missing")
        return result

    def policy(self, data: Any) -> SurvivorshipPolicy:
        top = self.mapping(data, (), {"version", "default", "entities", "planned"}, frozenset({"version", "entities"}))
        if "version" in top and top["version"] != 1:
            self.fail(("version",), f"unsupported version {top['version']!r}; expected 1")
        default = self.rule(top.get("default", "most_recent"), ("default",), scalar_only=True)
        known = {e.value for e in EntityType}
        entities: dict[str, EntityPolicy] = {}
        for name, block in self.mapping(top.get("entities"), ("entities",)).items():
            if name not in known:
                self.fail(
                    ("entities", name),
                    f"unknown entity type {name!r}; known: {', '.join(sorted(known))}"
                    " (entity types that do not exist yet go under 'planned')",
                )
            else:
                entities[name] = self.entity(block, ("entities", name), name)
        planned: dict[str, EntityPolicy] = {}
        for name, block in self.mapping(top.get("planned"), ("planned",)).items():
            if name in known:
                self.fail(("planned", name), f"entity type {name!r} exists: move its policy to 'entities'")
            else:
                planned[name] = self.entity(block, ("planned", name), None)
        return SurvivorshipPolicy(entities, default, planned)

    def entity(self, block: Any, loc: Loc, entity: str | None) -> EntityPolicy:
        """One entity's table; ``entity=None`` (a planned type) checks the rules but not the field names."""
        spec = self.mapping(block, loc, {"default", "fields", "groups", "writeback"})
        known = model_for(entity).field_names() if entity else None
        lists = _list_fields(entity) if entity else set()
        default = self.rule(spec.get("default", "most_recent"), (*loc, "default"), scalar_only=True)

        def known_field(name: Any, where: Loc) -> bool:
            if not isinstance(name, str):
                self.fail(where, f"not a field name: {name!r}")
                return False
            if known is not None and name not in known:
                self.fail(where, f"unknown canonical field {name!r} of {entity}; known: {', '.join(sorted(known))}")
                return False
            return True

        groups: list[Group] = []
        owner: dict[str, str] = {}
        for group_name, body in self.mapping(spec.get("groups"), (*loc, "groups")).items():
            where: Loc = (*loc, "groups", group_name)
            body = self.mapping(body, where, {"fields", "rule", "systems"}, frozenset({"fields"}))
            members = body.get("fields", [])
            if not isinstance(members, list) or not members:
                self.fail((*where, "fields"), "must be a non-empty list of canonical field names")
                members = []
            chosen: list[str] = []
            for index, member in enumerate(members):
                at: Loc = (*where, "fields", index)
                if not known_field(member, at):
                    continue
                if member in owner:
                    self.fail(at, f"field {member!r} is already in group {owner[member]!r}")
                elif member in lists:
                    self.fail(at, f"list field {member!r} cannot be in a group; give it its own rule")
                else:
                    owner[member] = group_name
                    chosen.append(member)
            if "rule" in body:
                rule = self.rule({k: body[k] for k in ("rule", "systems") if k in body}, where, scalar_only=True)
            elif "systems" in body:
                self.fail((*where, "rule"), "required key is missing (systems need a rule)")
                rule = default
            else:
                rule = default
            groups.append(Group(group_name, tuple(chosen), rule))
        fields: dict[str, Rule] = {}
        for field_name, rule_spec in self.mapping(spec.get("fields"), (*loc, "fields")).items():
            where = (*loc, "fields", field_name)
            if not known_field(field_name, where):
                continue
            if field_name in owner:
                self.fail(where, f"field {field_name!r} is in group {owner[field_name]!r}, whose rule applies")
                continue
            fields[field_name] = self.rule(rule_spec, where, scalar_only=known is not None and field_name not in lists)
        writeback: dict[str, tuple[str, ...]] = {}
        for system, names in self.mapping(spec.get("writeback"), (*loc, "writeback")).items():
            where = (*loc, "writeback", system)
            if not _SYSTEM.match(system) or "/" in system:
                self.fail(where, f"not a connector kind: {system!r}")
                continue
            if not isinstance(names, list):
                self.fail(where, "must be a list of canonical field names")
                continue
            chosen = []
            for index, name in enumerate(names):
                if known_field(name, (*where, index)):
                    if name in chosen:
                        self.fail((*where, index), f"{name!r} is listed twice")
                    else:
                        chosen.append(name)
            writeback[system] = tuple(chosen)
        return EntityPolicy(default, fields, tuple(groups), writeback)

    def rule(self, spec: Any, loc: Loc, *, scalar_only: bool) -> Rule:
        """A rule: its name, or ``{rule: name, systems: [...]}``; ``scalar_only`` refuses ``union``."""
        if isinstance(spec, str):
            body: dict[str, Any] = {"rule": spec}
            where = loc
        else:
            body = self.mapping(spec, loc, {"rule", "systems"}, frozenset({"rule"}))
            where = (*loc, "rule")
        name = body.get("rule")
        if name is None:
            return MOST_RECENT
        if name not in RULES:
            self.fail(where, f"unknown rule {name!r}; expected one of: {', '.join(RULES)}")
            return MOST_RECENT
        if name == "union" and scalar_only:
            self.fail(where, "rule 'union' applies to list fields only")
            return MOST_RECENT
        systems_at: Loc = (*loc, "systems")
        if name not in _RULES_WITH_SYSTEMS:
            if "systems" in body:
                self.fail(systems_at, f"rule {name!r} takes no systems")
            return Rule(name)
        systems = body.get("systems")
        if systems is None:
            self.fail(systems_at, f"required key is missing: rule {name!r} needs an ordered list of systems")
            return Rule(name)
        if not isinstance(systems, list) or not systems:
            self.fail(systems_at, "the priority list is empty: name at least one system")
            return Rule(name)
        refs: list[SystemRef] = []
        for index, text in enumerate(systems):
            if not isinstance(text, str) or not _SYSTEM.match(text):
                self.fail((*systems_at, index), f"not a system name (a connector kind, or kind/instance): {text!r}")
            elif SystemRef.parse(text) in refs:
                self.fail((*systems_at, index), f"{text!r} is listed twice")
            else:
                refs.append(SystemRef.parse(text))
        return Rule(name, tuple(refs))
