"""Moved to :mod:`sandbox.kit.admin_routes`; this alias keeps older imports working."""

from sandbox.kit.admin_routes import *  # noqa: F403
