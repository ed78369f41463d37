"""Identity ground truth across every registered system (:data:`sandbox.systems.SYSTEMS`).

``identity_truth(doc)`` clusters the records of a fixture document with each system's own reader;
the clustering itself is :func:`sandbox.ecosystem.truth.identity_truth` (see there for the shape).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.ecosystem.truth import Clusters, Record, TruthPart, pair_count
from sandbox.ecosystem.truth import identity_truth as _cluster
from sandbox.systems import SYSTEMS

__all__ = ["Clusters", "Record", "TruthPart", "identity_truth", "pair_count"]


def identity_truth(doc: Mapping[str, Any]) -> Clusters:
    """Ground-truth clusters of organisations and people in ``doc``, every system's records included."""
    return _cluster(doc, [sim.truth for sim in SYSTEMS])
