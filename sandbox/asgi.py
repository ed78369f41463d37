"""Moved to :mod:`sandbox.kit.asgi`; this alias keeps older imports working."""

from sandbox.kit.asgi import *  # noqa: F403
