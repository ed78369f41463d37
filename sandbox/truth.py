"""Moved to :mod:`sandbox.ecosystem.truth`; kept so ``from sandbox.truth import identity_truth`` works."""

from sandbox.ecosystem.truth import Clusters, Record, identity_truth, pair_count

__all__ = ["Clusters", "Record", "identity_truth", "pair_count"]
