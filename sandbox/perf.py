"""Moved to :mod:`sandbox.kit.perf`; this alias keeps older imports working."""

from sandbox.kit.perf import *  # noqa: F403
