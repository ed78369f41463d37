"""The shared synthetic ecosystem every simulator projects from, and its ground truth.

Public surface: :class:`Ecosystem` (``Ecosystem.generate(seed, size)``, ``Ecosystem.from_section``,
``.directory()``), :func:`load_fixture`, :data:`FIXTURE_FORMAT`, :func:`identity_truth` and
:func:`pair_count` (which records of every system are the same organisation or person, from each
system's :class:`TruthPart`; :func:`sandbox.truth.identity_truth` passes every registered system's).

Imports only :mod:`sandbox.kit`; never a simulator (``sandbox.hubspot``, ...), ``hub`` or ``connectors``.
"""

from sandbox.ecosystem.directory import Deal, Directory, Organisation, Person
from sandbox.ecosystem.fixture import load_fixture
from sandbox.ecosystem.model import Ecosystem
from sandbox.ecosystem.truth import TruthPart, identity_truth, pair_count
from sandbox.ecosystem.vocabulary import FIXTURE_FORMAT

__all__ = [
    "FIXTURE_FORMAT",
    "Deal",
    "Directory",
    "Ecosystem",
    "Organisation",
    "Person",
    "TruthPart",
    "identity_truth",
    "load_fixture",
    "pair_count",
]
