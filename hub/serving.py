"""Serving the hub: ``serve_config`` for ``hub serve`` (timeouts, access log without secrets),
``serve_workers`` for ``hub serve --workers N`` (N receiver processes on one port, the background
jobs in exactly one of them: ``BackgroundRole``), and ``BackgroundServer`` for an ASGI app in a
background thread (demo, tests) on a socket we bind ourselves."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import re
import socket
import threading
import time
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote_plus

import uvicorn
from uvicorn.protocols.http.auto import AutoHTTPProtocol

#: query parameters whose value is a secret (or may be one): never written to a log
SECRET_PARAM = re.compile(
    r"token|key|secret|sig|signature|password|passwd|pwd|code|auth|credential|session|jwt|assertion|hapikey",
    re.IGNORECASE,
)


def redact_query(target: str) -> str:
    """A request target (``/path?query``) with the value of every secret-like query parameter
    (its name decoded: ``%74oken`` is ``token``) replaced by ``***``."""
    path, sep, query = target.partition("?")
    if not sep:
        return target
    out = []
    for part in query.split("&"):
        name, eq, _value = part.partition("=")
        out.append(f"{name}=***" if eq and SECRET_PARAM.search(unquote_plus(name)) else part)
    return f"{path}?{'&'.join(out)}"


def _redacted(arg: Any) -> Any:
    if isinstance(arg, bytes | int | float):
        return arg
    text = str(arg)
    return redact_query(text) if "?" in text and "=" in text else arg


class RedactQuerySecrets(logging.Filter):
    """The query secrets (``?token=``...) of the URLs in a log record become ``***``: uvicorn's access
    line and httpx's request line name the full URL."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(_redacted(arg) for arg in args)
        elif "?" in str(record.msg):
            record.msg = " ".join(redact_query(w) if "?" in w else w for w in str(record.msg).split(" "))
        return True


def install_log_redaction() -> None:
    """Redact query secrets in uvicorn's logs and httpx's request log (call after uvicorn configured
    its logging)."""
    for name in ("uvicorn.access", "uvicorn.error", "httpx", "httpcore"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactQuerySecrets) for f in logger.filters):
            logger.addFilter(RedactQuerySecrets())


def timed_protocol(header_timeout: float, base: type[asyncio.Protocol] = AutoHTTPProtocol) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol with a header-read timeout: a connection whose request headers have
    not all arrived ``header_timeout`` seconds after it opened (or after its last response) is closed,
    so trickling clients cannot hold sockets open."""

    class HeaderTimeout(base):  # type: ignore[valid-type,misc]
        _header_timer: asyncio.TimerHandle | None = None

        def _arm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
            self._header_timer = self.loop.call_later(header_timeout, self._headers_too_slow)

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if (self.cycle is None or self.cycle.response_complete) and not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None
            super().connection_lost(exc)

    return HeaderTimeout


def serve_config(
    app: Any, host: str, port: int, *, header_timeout: float = 10.0, keep_alive: float = 5.0, log_level: str = "info"
) -> uvicorn.Config:
    """The uvicorn config of ``hub serve``: header and keep-alive timeouts; its logging configured
    with query secrets redacted from the access log."""
    config = uvicorn.Config(
        app, host=host, port=port, log_level=log_level, timeout_keep_alive=max(1, round(keep_alive)),
        http=timed_protocol(header_timeout),
    )  # fmt: skip
    install_log_redaction()
    return config


def __getattr__(name: str) -> Any:
    """``hub.serving:SettingsHeaderTimeout``: the header-timeout protocol with the timeout of this
    process's settings. uvicorn's worker processes import the protocol by name (a class made by
    ``timed_protocol`` cannot be sent to them)."""
    if name == "SettingsHeaderTimeout":
        from hub.settings import Settings

        return timed_protocol(Settings().header_timeout_seconds)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: the import string of the ASGI app factory each ``hub serve --workers N`` process runs
WORKER_APP = "hub.cli:serve_worker_app"


def serve_workers(host: str, port: int, workers: int, *, keep_alive: float = 5.0, log_level: str = "info") -> None:
    """Run ``workers`` uvicorn processes on one listening socket (bound here, shared by all: the
    kernel hands each connection to one of them); each builds its app with ``WORKER_APP``. The
    parent restarts a worker that dies and stops them all on SIGTERM or SIGINT."""
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        WORKER_APP, factory=True, host=host, port=port, workers=workers, log_level=log_level,
        timeout_keep_alive=max(1, round(keep_alive)), http="hub.serving:SettingsHeaderTimeout",
    )  # fmt: skip
    install_log_redaction()
    sock = config.bind_socket()
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()


class BackgroundRole:
    """Which of several ``hub serve`` processes runs the scheduler and the inbox workers: the one
    holding an exclusive ``flock`` on ``path`` (non-blocking, taken once at start). The kernel drops
    the lock when its holder exits, however it exits (kill -9 too), so the worker uvicorn starts in
    its place takes it. The others only receive. Processes on other machines are not covered by the
    lock; for them the database's stream leases and inbox claims keep the work safe (ADR 0024)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n".encode())
        handle.flush()
        self._handle = handle
        return True

    @property
    def held(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the file drops the lock
            self._handle = None


class BackgroundServer:
    """``with BackgroundServer(app) as server: server.url`` — uvicorn on loopback, port chosen by the OS."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, lifespan: str = "on") -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Without TCP_NODELAY small responses on a self-bound socket wait ~40 ms for Nagle's algorithm.
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.socket.bind((host, port))
        self.url = f"http://{host}:{self.socket.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan=lifespan)  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def start(self, timeout: float = 15.0) -> BackgroundServer:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("server failed to start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
