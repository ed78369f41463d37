"""Property-based fuzzing of the whole OpenAPI surface: nothing a client sends may produce a 500.

schemathesis generates requests from the app's own OpenAPI document (valid and invalid ones) and
checks every answer; it found out-of-range integers reaching SQLite before offsets and ids were bounded.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from cryptography.fernet import Fernet
from hypothesis import HealthCheck, settings
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error

from hub.api import create_app
from hub.connector_store import ConnectorCreate
from hub.context import Hub
from hub.settings import Settings
from tests.hub.api.records_world import build
from tests.policy import SANDBOX_ALLOW

TOKEN = "fuzz-admin-token-0123456789"
_dir = Path(tempfile.mkdtemp(prefix="hub-fuzz-"))
_hub = Hub.from_settings(
    Settings(
        database_url=f"sqlite:///{_dir / 'hub.db'}", data_dir=_dir, admin_token=SecretStr(TOKEN),
        secret_key=SecretStr(Fernet.generate_key().decode()), scheduler_enabled=False,
        outbound_allow=SANDBOX_ALLOW,
    )
)  # fmt: skip
_hub.store.create(
    ConnectorCreate(
        id="hs", kind="hubspot", config={"base_url": "http://127.0.0.1:9"}, credentials={"access_token": "x"}
    )
)
build(_hub.engine)  # golden records of every entity, a merged cluster: lists and reports walk real rows
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_hub, admin_token=TOKEN))


@schema.exclude(method="DELETE").parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=[not_a_server_error])
