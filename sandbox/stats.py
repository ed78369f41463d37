"""Moved to :mod:`sandbox.kit.stats`; this alias keeps older imports working."""

from sandbox.kit.stats import *  # noqa: F403
