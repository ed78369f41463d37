"""Raw ASGI helpers: answering outside the framework and dropping a connection."""

from __future__ import annotations

import asyncio

import orjson
from starlette.types import Send


async def send_json(send: Send, status: int, body: object, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Send a complete JSON response."""
    payload = orjson.dumps(body)
    raw_headers = [
        (b"content-type", b"application/json;charset=utf-8"),
        (b"content-length", str(len(payload)).encode()),
        *(headers or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


class ConnectionDropped(Exception):
    """Raised when no server transport could be found to close (e.g. in-process test clients)."""


async def drop_connection(send: Send) -> None:
    """Close the client connection without sending a response.

    Under uvicorn the ``send`` callable is a bound method of the request cycle, which holds the
    socket transport; closing it makes clients see "server disconnected without sending a
    response" (httpx ``RemoteProtocolError``).  Elsewhere :class:`ConnectionDropped` is raised.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(transport, "close"):
        raise ConnectionDropped("simulated connection drop")
    transport.close()
    # let the server notice the closed connection so it does not try to answer
    for _ in range(3):
        await asyncio.sleep(0)
    if cycle is not None and hasattr(cycle, "disconnected"):
        cycle.disconnected = True
