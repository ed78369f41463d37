"""Moved to :mod:`sandbox.kit.background`; this alias keeps older imports working."""

from sandbox.kit.background import *  # noqa: F403
