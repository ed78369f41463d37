"""Response helpers: fast JSON responses and the batch envelope."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from sandbox.hubspot.world import JsonDict
from sandbox.kit.clock import iso_from_ms


def json_response(body: Any, status_code: int = 200) -> Response:
    """A JSON response serialised with orjson."""
    return Response(orjson.dumps(body), status_code=status_code, media_type="application/json")


def batch_response(
    results: list[JsonDict],
    errors: list[JsonDict],
    started_ms: int,
    completed_ms: int,
    success_status: int = 200,
) -> Response:
    """``{status: COMPLETE, results, requestedAt, startedAt, completedAt, links}``; 207 with errors."""
    body: JsonDict = {
        "status": "COMPLETE",
        "results": results,
        "requestedAt": iso_from_ms(started_ms),
        "startedAt": iso_from_ms(started_ms),
        "completedAt": iso_from_ms(completed_ms),
        "links": {},
    }
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
        return json_response(body, 207)
    return json_response(body, success_status)
