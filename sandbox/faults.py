"""Moved to :mod:`sandbox.kit.faults`; this alias keeps older imports working."""

from sandbox.kit.faults import *  # noqa: F403
