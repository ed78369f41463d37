"""Moved to :mod:`sandbox.kit.clock`; this alias keeps older imports working."""

from sandbox.kit.clock import *  # noqa: F403
