"""Serving a simulator's ASGI app with uvicorn on its own socket and daemon thread, over HTTP or HTTPS.

* :class:`Listener` — plain HTTP (``port=0`` = any free port; the port is bound in ``__init__``).
* :class:`HTTPSServerThread` — HTTPS with a given or generated self-signed certificate
  (:mod:`sandbox.kit.tls`; a generated one is removed again by ``stop()``).
* :func:`serve_https` — HTTPS in the foreground until Ctrl+C / SIGTERM.

Both servers expose ``port``, ``base_url``, ``start()`` (returns once the server accepts
connections) and ``stop()``, so :class:`sandbox.server.SandboxServer` treats them alike.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from sandbox.kit.tls import TLSFiles, generate_self_signed_cert


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    return sock


def _loopback(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "") else host


def _wait_started(server: uvicorn.Server, thread: threading.Thread, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"{what} failed to start")
        time.sleep(0.01)


class Listener:
    """One uvicorn HTTP server on its own socket and thread."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning") -> None:
        self.host = host
        self.socket = _bind(host, port)
        self.port = int(self.socket.getsockname()[1])
        config = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="off", timeout_keep_alive=30)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{_loopback(self.host)}:{self.port}"

    @property
    def cert_path(self) -> Path | None:
        """Plain HTTP has no certificate."""
        return None

    def start(self, timeout: float = 15.0) -> Listener:
        """Start serving; returns ``self`` once the server accepts connections."""
        self.thread.start()
        _wait_started(self.server, self.thread, timeout, "sandbox server")
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


class _Server(uvicorn.Server):
    """uvicorn server that drops idle keep-alive connections at shutdown.

    Closing a TLS connection gracefully waits for the client's ``close_notify``, which an idle pooled
    client never sends, so a plain shutdown would hang until the graceful-shutdown timeout.
    """

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for connection in list(self.server_state.connections):
            cycle = getattr(connection, "cycle", None)
            transport = getattr(connection, "transport", None)
            if transport is not None and (cycle is None or getattr(cycle, "response_complete", False)):
                transport.abort()
        await super().shutdown(sockets)


class HTTPSServerThread:
    """One uvicorn HTTPS server on its own socket and daemon thread."""

    def __init__(
        self, app: Any, host: str = "127.0.0.1", port: int = 0, tls: TLSFiles | None = None, log_level: str = "warning"
    ) -> None:
        self._owns_tls = tls is None
        self.tls = tls or generate_self_signed_cert()
        self.host = host
        self.socket = _bind(host, port)
        self.port = int(self.socket.getsockname()[1])
        config = uvicorn.Config(
            app,
            log_level=log_level,
            access_log=False,
            lifespan="off",
            timeout_keep_alive=30,
            timeout_graceful_shutdown=5,
            ssl_certfile=str(self.tls.cert_path),
            ssl_keyfile=str(self.tls.key_path),
        )
        self.server = _Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    @property
    def base_url(self) -> str:
        """``https://127.0.0.1:PORT``."""
        return f"https://{_loopback(self.host)}:{self.port}"

    @property
    def cert_path(self) -> Path:
        """The PEM certificate clients should trust."""
        return self.tls.cert_path

    def start(self, timeout: float = 15.0) -> HTTPSServerThread:
        """Start serving; returns ``self`` once the server accepts connections."""
        self.thread.start()
        _wait_started(self.server, self.thread, timeout, "HTTPS sandbox server")
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.should_exit = True
        if self.thread.is_alive():
            self.thread.join(timeout=2)
        if self.thread.is_alive():  # idle TLS keep-alive connections can hold a graceful exit
            self.server.force_exit = True
            self.thread.join(timeout=5)
        self.socket.close()
        if self._owns_tls:  # a certificate generated for this server goes with it
            shutil.rmtree(self.tls.directory, ignore_errors=True)


def serve_https(
    app: Any, host: str = "127.0.0.1", port: int = 8443, tls: TLSFiles | None = None, log_level: str = "warning"
) -> None:
    """Serve ``app`` over HTTPS in the foreground until Ctrl+C or SIGTERM."""
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server = HTTPSServerThread(app, host, port, tls, log_level).start()
    try:
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    finally:
        server.stop()
