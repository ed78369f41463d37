"""Response helpers: the ``{data, message, status}`` envelope, list pages and plain JSON."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


def json_response(body: Any, status_code: int = 200) -> Response:
    """A JSON response serialised with orjson (used as is by the ``/_sandbox`` endpoints)."""
    return Response(orjson.dumps(body), status_code=status_code, media_type="application/json")


def envelope(data: Any, message: str, status: int = 200) -> Response:
    """``{"data": data, "message": message, "status": status}``."""
    return json_response({"data": data, "message": message, "status": status}, status)


def page(items: list[dict[str, Any]], has_more: bool) -> Response:
    """A list page: ``{"data": {"has_more", "items"}, "message", "status"}``."""
    return envelope({"has_more": has_more, "items": items}, "Page returned successfully")
