"""`hub serve` as a real process: config file applied, scheduler on, API over real HTTP, clean stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from hub.context import Hub
from sandbox.server import SandboxServer
from tests.conftest import ADMIN_TOKEN

CONFIG = """
connectors:
  - id: hs-config
    kind: hubspot
    config:
      base_url: {base_url}
      auth_type: oauth
      client_id: {client_id}
    credentials:
      client_secret: ${{TEST_HS_SECRET}}
      refresh_token: ${{TEST_HS_REFRESH}}
    schedules:
      - stream: companies
        interval_seconds: 1
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_hub_serve_applies_config_schedules_and_serves(
    hub: Hub, sandbox: SandboxServer, upstream: httpx.Client, tmp_path: Path
) -> None:
    creds = sandbox.credentials["hubspot"]
    config = tmp_path / "hub.yaml"
    config.write_text(CONFIG.format(base_url=sandbox.base_urls["hubspot"], client_id=creds["client_id"]))
    settings = hub.settings
    assert settings.secret_key is not None
    port = _free_port()
    env = {
        **os.environ,
        "HUB_DATABASE_URL": settings.database_url,
        "HUB_SECRET_KEY": settings.secret_key.get_secret_value(),
        "HUB_DATA_DIR": str(tmp_path),
        "HUB_OUTBOUND_ALLOW": settings.outbound_allow,
        "HUB_ADMIN_TOKEN": ADMIN_TOKEN,
        "TEST_HS_SECRET": creds["client_secret"],
        "TEST_HS_REFRESH": creds["refresh_token"],
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "serve", "--port", str(port), "--config", str(config)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "hub serve did not become ready"
            time.sleep(0.1)
        api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10)
        assert api.get("/api/v1/connectors/hs-config").json()["credentials_set"] == ["client_secret", "refresh_token"]
        while True:  # the 1-second schedule fires by itself
            streams = api.get("/api/v1/status").json()["connectors"][0]["streams"]
            companies = next(s for s in streams if s["stream"] == "companies")
            if companies["last_run"] and companies["last_run"]["status"] == "succeeded":
                break
            assert time.monotonic() < deadline + 30, "the scheduled run never succeeded"
            time.sleep(0.2)
        assert companies["next_run"] is not None
        assert next(s for s in streams if s["stream"] == "deals")["next_run"] is None
        assert api.get("/api/v1/organizations", params={"limit": 1}).json()["total"] > 0
        assert httpx.get(f"{base}/api/v1/status").status_code == 401
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    # uvicorn shuts down gracefully, then re-raises the signal it caught
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output and "Scheduler has been shut down" in output
    assert creds["client_secret"] not in output
