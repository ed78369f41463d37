"""`hub serve` as a real process, read whole: no credential or webhook token in its output, its SQLite
file private (0600), and trickling clients cut off by the header and body timeouts."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, quote_plus

import httpx
from cryptography.fernet import Fernet

from sandbox.server import SandboxServer
from tests.conftest import ADMIN_TOKEN
from tests.policy import SANDBOX_ALLOW


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(tmp_path: Path, **env: str) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    (tmp_path / "var").mkdir(exist_ok=True)
    full = {
        **os.environ,
        "HUB_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'hub.db'}",
        "HUB_SECRET_KEY": Fernet.generate_key().decode(),
        "HUB_DATA_DIR": str(tmp_path / "var"),
        "HUB_ADMIN_TOKEN": ADMIN_TOKEN,
        "HUB_SCHEDULER_ENABLED": "false",
        "HUB_OUTBOUND_ALLOW": SANDBOX_ALLOW,  # the sandbox is on loopback
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "serve", "--port", str(port)],
        env=full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, "hub serve did not become ready"
        time.sleep(0.1)


def _stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    return output


def test_no_secret_reaches_the_serve_log_and_the_database_is_private(sandbox: SandboxServer, tmp_path: Path) -> None:
    hs, sf, ps = (sandbox.credentials[k] for k in ("hubspot", "salesforce", "partnerstack"))
    sf_token = "sf-" + secrets.token_urlsafe(24)
    ps_token = "ps-" + secrets.token_urlsafe(24)
    hs_webhook_secret = "hs-" + secrets.token_urlsafe(24)
    connectors = [
        {"id": "hs", "kind": "hubspot",
         "config": {"base_url": sandbox.base_urls["hubspot"], "auth_type": "oauth", "client_id": hs["client_id"]},
         "credentials": {"client_secret": hs["client_secret"], "refresh_token": hs["refresh_token"],
                         "webhook_secret": hs_webhook_secret}},
        {"id": "sf", "kind": "salesforce",
         "config": {"login_url": sf["base_url"], "api_version": "59.0", "client_id": sf["consumer_key"],
                    "verify_tls": sf["cert_path"], "page_size": 200},
         "credentials": {"client_secret": sf["consumer_secret"], "outbound_message_token": sf_token}},
        {"id": "ps", "kind": "partnerstack",
         "config": {"base_url": sandbox.base_urls["partnerstack"], "public_key": ps["public_key"], "page_size": 50},
         "credentials": {"secret_key": ps["secret_key"], "webhook_token": ps_token}},
    ]  # fmt: skip
    values = [hs["client_secret"], hs["refresh_token"], hs_webhook_secret, sf["consumer_secret"], sf_token,
              ps["secret_key"], ps_token, ADMIN_TOKEN]  # fmt: skip
    process, base = _serve(tmp_path)
    try:
        api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=120)
        for body in connectors:
            created = api.post("/api/v1/connectors", json=body)
            assert created.status_code == 201, created.text
        for connector_id in ("hs", "sf", "ps"):
            synced = api.post(f"/api/v1/connectors/{connector_id}/sync", json={"wait": True, "mode": "full"})
            assert synced.status_code == 200, synced.text
        api.patch("/api/v1/connectors/hs", json={"credentials": {"client_secret": 12}})  # a 422 that names no value
        api.get("/api/v1/connectors")
        ps_event = {"event": "partnership.updated", "key": "part_x", "updated_at": 1700000000000}
        outbound = b"<not-a-soap-envelope/>"
        for encoded in (ps_token, quote(ps_token, safe=""), "wrong"):
            httpx.post(f"{base}/webhooks/ps?token={encoded}&x=1", json=ps_event, timeout=10)
            httpx.post(f"{base}/webhooks/ps?x=1&%74oken={encoded}", json=ps_event, timeout=10)
        for encoded in (sf_token, quote_plus(sf_token)):
            httpx.post(f"{base}/webhooks/sf?token={encoded}", content=outbound,
                       headers={"Content-Type": "text/xml"}, timeout=10)  # fmt: skip
        httpx.post(f"{base}/webhooks/hs?token={ps_token}", content=json.dumps([]), timeout=10)
        httpx.get(f"{base}/api/v1/status?access_token={hs['refresh_token']}&code={sf_token}", timeout=10)
        httpx.get(f"{base}/api/v1/status", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10)
        database = tmp_path / "var" / "hub.db"
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in database.parent.glob("hub.db*")}
    finally:
        output = _stop(process)
    assert "POST /webhooks/ps?token=***" in output, output[-3000:]  # the access log is on, redacted
    forms = {form for value in values for form in (value, quote(value, safe=""), quote_plus(value))}
    leaked = sorted(form for form in forms if form in output)
    assert leaked == [], output[-3000:]
    assert "hub.db" in modes and all(mode == 0o600 for mode in modes.values()), modes


def _open_trickle(base: str, payload: bytes) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    conn = socket.create_connection((host, int(port)))
    conn.sendall(payload)
    return conn


def _closed_within(conn: socket.socket, seconds: float) -> bool:
    conn.settimeout(seconds)
    try:
        while True:
            data = conn.recv(4096)
            if not data:
                return True
    except (TimeoutError, OSError):
        return False
    finally:
        conn.close()


def _answer_within(conn: socket.socket, seconds: float) -> bytes:
    conn.settimeout(seconds)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
    except TimeoutError:
        pass
    finally:
        conn.close()
    return data


def test_trickling_headers_and_bodies_are_cut_off(tmp_path: Path) -> None:
    process, base = _serve(
        tmp_path, HUB_HEADER_TIMEOUT_SECONDS="1", HUB_REQUEST_BODY_TIMEOUT_SECONDS="1", HUB_KEEP_ALIVE_SECONDS="1"
    )
    try:
        headers = _open_trickle(base, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: a")
        idle = _open_trickle(base, b"")
        body = _open_trickle(
            base,
            b"POST /api/v1/connectors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {ADMIN_TOKEN}\r\nContent-Length: 100\r\n\r\n".encode()
            + b'{"id": ',
        )
        assert _closed_within(headers, 5), "a connection trickling its headers stayed open"
        assert _closed_within(idle, 5), "a connection that sends nothing stayed open"
        answer = _answer_within(body, 5)
        assert answer.startswith(b"HTTP/1.1 408"), answer
    finally:
        _stop(process)


def test_log_lines_lose_their_query_secrets() -> None:
    import logging

    import httpx as client_lib

    from hub.serving import RedactQuerySecrets, redact_query

    assert redact_query("/webhooks/ps?token=abc&x=1") == "/webhooks/ps?token=***&x=1"
    assert redact_query("/w?%74oken=abc&API_KEY=k&client_secret=s&code=c&q=ok") == (
        "/w?%74oken=***&API_KEY=***&client_secret=***&code=***&q=ok"
    )
    assert redact_query("/plain") == "/plain"
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, 'HTTP Request: %s %s "%s %d %s"',
        ("GET", client_lib.URL("https://x.test/a?hapikey=secret-1&limit=5"), "HTTP/1.1", 200, "OK"), None,
    )  # fmt: skip
    RedactQuerySecrets().filter(record)
    assert "secret-1" not in record.getMessage() and "limit=5" in record.getMessage()
