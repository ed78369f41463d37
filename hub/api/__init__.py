"""The hub's HTTP API (FastAPI). Build it with ``create_app``."""

from hub.api.app import create_app

__all__ = ["create_app"]
