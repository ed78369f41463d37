"""Association graph of the simulated portal.

Edges are stored in both directions; writing one direction writes the inverse types too, and every
associated pair always carries the unlabelled default type (as HubSpot does).
"""

from __future__ import annotations

from collections.abc import Iterable

from sandbox.hubspot.assoc_types import ASSOCIATION_TYPES, DEFAULT_TYPE_ID

EXPORT_DIRECTIONS: tuple[tuple[str, str], ...] = (
    ("contacts", "companies"),
    ("deals", "companies"),
    ("deals", "contacts"),
)
"""Directions written to fixtures (the inverse ones are derived on load)."""

Targets = dict[int, list[int]]


class AssociationGraph:
    """``(from_type, to_type) -> from_id -> to_id -> [type ids]`` for both directions."""

    def __init__(self) -> None:
        self._edges: dict[tuple[str, str], dict[int, Targets]] = {}

    def add(self, from_type: str, from_id: int, to_type: str, to_id: int, type_ids: Iterable[int]) -> None:
        """Associate a pair with the given types (plus the default type and all inverses)."""
        wanted = [*type_ids, DEFAULT_TYPE_ID[(from_type, to_type)]]
        forward = self._slot(from_type, from_id, to_type, to_id)
        backward = self._slot(to_type, to_id, from_type, from_id)
        for type_id in wanted:
            if type_id not in forward:
                forward.append(type_id)
            inverse = ASSOCIATION_TYPES[type_id].inverse_id
            if inverse not in backward:
                backward.append(inverse)

    def remove(self, from_type: str, from_id: int, to_type: str, to_id: int) -> bool:
        """Remove every type between a pair, both directions.  Returns whether it existed."""
        found = self._edges.get((from_type, to_type), {}).get(from_id, {}).pop(to_id, None)
        self._edges.get((to_type, from_type), {}).get(to_id, {}).pop(from_id, None)
        return found is not None

    def remove_types(self, from_type: str, from_id: int, to_type: str, to_id: int, type_ids: Iterable[int]) -> None:
        """Remove specific labels; removing the default type removes the whole pair."""
        ids = list(type_ids)
        if DEFAULT_TYPE_ID[(from_type, to_type)] in ids:
            self.remove(from_type, from_id, to_type, to_id)
            return
        forward = self._edges.get((from_type, to_type), {}).get(from_id, {}).get(to_id)
        backward = self._edges.get((to_type, from_type), {}).get(to_id, {}).get(from_id)
        for type_id in ids:
            if forward and type_id in forward:
                forward.remove(type_id)
            inverse = ASSOCIATION_TYPES[type_id].inverse_id
            if backward and inverse in backward:
                backward.remove(inverse)

    def targets(self, from_type: str, from_id: int, to_type: str) -> Targets:
        """``to_id -> [type ids]`` (insertion order) of one record towards one object type."""
        return self._edges.get((from_type, to_type), {}).get(from_id, {})

    def rows(self) -> list[tuple[str, int, str, int, list[int]]]:
        """All pairs in the export directions, ordered by (direction, from id, insertion)."""
        out: list[tuple[str, int, str, int, list[int]]] = []
        for from_type, to_type in EXPORT_DIRECTIONS:
            by_from = self._edges.get((from_type, to_type), {})
            for from_id in sorted(by_from):
                for to_id, type_ids in by_from[from_id].items():
                    out.append((from_type, from_id, to_type, to_id, list(type_ids)))
        return out

    def _slot(self, from_type: str, from_id: int, to_type: str, to_id: int) -> list[int]:
        by_from = self._edges.get((from_type, to_type))
        if by_from is None:
            by_from = self._edges[(from_type, to_type)] = {}
        targets = by_from.get(from_id)
        if targets is None:
            targets = by_from[from_id] = {}
        slot = targets.get(to_id)
        if slot is None:
            slot = targets[to_id] = []
        return slot
