"""``hub serve --workers 2`` (ADR 0024): two receiver processes on one port, a real process tree.
Both accept deliveries (every 202 a committed row); exactly one runs the scheduler and the inbox
workers, and when it is killed (-9) the process uvicorn starts in its place takes the role over."""

from __future__ import annotations

import json
import os
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from hubspot.utils.signature import Signature
from sqlalchemy import func, select

from bench.hubproc import HubProcess
from hub.context import Hub
from hub.db.schema import inbox_events, webhook_deliveries
from sandbox.server import SandboxServer
from tests.conftest import ADMIN_TOKEN, make_settings
from tests.policy import SANDBOX_ALLOW
from tests.sandbox_fixtures import hubspot_connector
from tests.webhooks.conftest import event

AUTH = {"Authorization": "Bearer pat-na1-sandbox"}
ROLE = re.compile(r"process (\d+) runs the background jobs")
RECEIVER = re.compile(r"process (\d+) receives only")


def _deliver(url: str, secret: str, events: list[dict[str, object]]) -> int:
    body = json.dumps(events)
    timestamp = str(int(time.time() * 1000))
    signature = Signature.get_signature(secret, body, "v3", http_uri=url, timestamp=timestamp)
    headers = {"Content-Type": "application/json", "X-HubSpot-Signature-v3": signature,
               "X-HubSpot-Request-Timestamp": timestamp}  # fmt: skip
    return httpx.post(url, content=body, headers=headers, timeout=30).status_code


def _wait(condition, seconds: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_two_receiver_processes_and_one_background_role(
    db_url: str, tmp_path: Path, sandbox: SandboxServer, upstream: httpx.Client
) -> None:
    settings = make_settings(db_url, tmp_path)
    hub = Hub.from_settings(settings)
    hub.store.create(hubspot_connector(sandbox))
    listed = upstream.get("/crm/v3/objects/companies", params={"limit": 1}, headers=AUTH).json()["results"]
    object_id = str(listed[0]["id"])
    config = tmp_path / "connectors.yaml"
    config.write_text("connectors: []\n")
    assert settings.secret_key is not None
    serve = HubProcess(
        database_url=db_url, workdir=tmp_path, config_file=config, admin_token=ADMIN_TOKEN,
        secret_key=settings.secret_key.get_secret_value(), workers=1, processes=2, log_name="serve",
        extra_env={"HUB_OUTBOUND_ALLOW": SANDBOX_ALLOW, "HUB_SCHEDULER_ENABLED": "true"},
    )  # fmt: skip
    secret = sandbox.credentials["hubspot"]["client_secret"]
    try:
        with serve:
            url = f"{serve.url}/webhooks/hs"
            log = serve.log_path.read_text()
            roles, receivers = ROLE.findall(log), RECEIVER.findall(log)
            assert len(roles) == 1 and len(receivers) == 1 and roles != receivers, log[-2000:]
            with ThreadPoolExecutor(16) as pool:
                codes = list(pool.map(lambda n: _deliver(url, secret, [event(n, object_id)]), range(1, 121)))
            assert codes == [202] * 120
            with hub.engine.connect() as conn:
                assert conn.execute(select(func.count()).select_from(webhook_deliveries)).scalar_one() == 120

            def claimed() -> bool:  # the one inbox worker took every event, whichever process received it
                with hub.engine.connect() as conn:
                    untouched = select(func.count()).select_from(inbox_events).where(inbox_events.c.attempts == 0)
                    return conn.execute(untouched).scalar_one() == 0

            assert _wait(claimed), "the background process's inbox worker did not take the events"

            os.kill(int(roles[0]), signal.SIGKILL)

            def taken_over() -> bool:
                found = ROLE.findall(serve.log_path.read_text())
                return len(found) == 2 and found[1] != roles[0]

            assert _wait(taken_over), serve.log_path.read_text()[-3000:]
            assert _wait(lambda: _deliver(url, secret, [event(500, object_id)]) == 202, 15)
            assert all(_deliver(url, secret, [event(600 + n, object_id)]) == 202 for n in range(20))
            assert len(ROLE.findall(serve.log_path.read_text())) == 2  # still one holder at a time
            with hub.engine.connect() as conn:
                assert conn.execute(select(func.count()).select_from(webhook_deliveries)).scalar_one() >= 141
    finally:
        hub.close()
