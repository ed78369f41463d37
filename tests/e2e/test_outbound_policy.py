"""SSRF through the hub: refused at connector create/update (422 naming the field) and at connect
time (a name resolving inside, Salesforce's ``instance_url``); the allow-list lets the sandbox
through; ``last_error`` never carries an upstream's body; ``verify_tls`` must be a CA bundle.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from hub.api import create_app
from hub.context import Hub
from hub.queries import stream_status
from sandbox.server import SandboxServer
from tests.conftest import ADMIN_TOKEN, make_settings
from tests.sandbox_fixtures import hubspot_connector

MARKER = "MARKER-upstream-body-7f3c9e"

URL_FORMS = [
    pytest.param("http://169.254.169.254/latest/meta-data/", id="metadata"),
    pytest.param("https://169.254.169.254/", id="metadata_https"),
    pytest.param("https://metadata.google.internal/", id="metadata_gcp"),
    pytest.param("https://[fd00:ec2::254]/", id="metadata_aws_ipv6"),
    pytest.param("https://10.0.0.5/", id="private"),
    pytest.param("https://192.168.0.10:8080/", id="private_192"),
    pytest.param("https://127.0.0.2:5432/", id="loopback_outside_the_allow_list"),
    pytest.param("http://2852039166/", id="decimal"),
    pytest.param("http://0xA9FEA9FE/", id="hex"),
    pytest.param("http://0251.0376.0251.0376/", id="octal"),
    pytest.param("https://[::ffff:169.254.169.254]/", id="ipv4_mapped"),
    pytest.param("http://api.hubapi.com@169.254.169.254/", id="userinfo"),
    pytest.param("https://api.hubapi.com/\r\nX-Injected: 1", id="crlf"),
    pytest.param("https://api.hub api.com", id="whitespace"),
    pytest.param("https://", id="empty_host"),
    pytest.param("http://api.hubapi.com", id="plain_http"),
]

FIELDS = {
    "hubspot": ("base_url", {"auth_type": "private_app"}, {"access_token": "pat-na1-secret-value"}),
    "partnerstack": ("base_url", {"public_key": "pk"}, {"secret_key": "sk-secret-value"}),
    "salesforce": ("login_url", {"client_id": "cid"}, {"client_secret": "cs-secret-value"}),
}


@pytest.fixture
def client(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub, admin_token=ADMIN_TOKEN), headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as c:
        yield c


@pytest.fixture
def strict_hub(db_url: str, tmp_path: Path) -> Iterator[Hub]:
    """A hub without an allow-list (production's default)."""
    hub = Hub.from_settings(make_settings(db_url, tmp_path, outbound_allow=""))
    yield hub
    hub.close()


def _body(kind: str, url: str) -> dict[str, Any]:
    field, config, credentials = FIELDS[kind]
    if kind == "salesforce":
        url = url.rstrip("/") if url.count("/") > 3 else url  # login_url is a bare origin
    return {"id": f"{kind}-x", "kind": kind, "config": {**config, field: url}, "credentials": credentials}


@pytest.mark.parametrize("kind", sorted(FIELDS))
@pytest.mark.parametrize("url", URL_FORMS)
def test_every_internal_url_form_is_refused_at_create(client: TestClient, kind: str, url: str) -> None:
    response = client.post("/api/v1/connectors", json=_body(kind, url))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    field = FIELDS[kind][0]
    assert f"{field}:" in error["message"], error
    assert any(item["loc"][0] == field for item in error["details"]), error


def test_a_refused_url_is_refused_at_update_too(client: TestClient, sandbox: SandboxServer) -> None:
    body = _body("hubspot", sandbox.base_urls["hubspot"])
    assert client.post("/api/v1/connectors", json=body).status_code == 201
    config = {**body["config"], "base_url": "http://169.254.169.254/"}
    response = client.patch("/api/v1/connectors/hubspot-x", json={"config": config})
    assert response.status_code == 422 and "base_url: 169.254.169.254" in response.json()["error"]["message"]


def test_without_the_allow_list_loopback_is_refused_at_create(strict_hub: Hub, sandbox: SandboxServer) -> None:
    with TestClient(
        create_app(strict_hub, admin_token=ADMIN_TOKEN), headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    ) as c:
        response = c.post("/api/v1/connectors", json=_body("hubspot", sandbox.base_urls["hubspot"]))
        assert response.status_code == 422
        assert "HUB_OUTBOUND_ALLOW" in response.json()["error"]["message"]


def test_the_allow_list_lets_the_sandbox_through(client: TestClient, hub: Hub, sandbox: SandboxServer) -> None:
    hub.store.create(hubspot_connector(sandbox))
    assert hub.runner.run("hs", "companies", mode="full").status == "succeeded"


def test_a_name_resolving_to_loopback_is_refused_when_connecting(
    strict_hub: Hub, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name passes at create (it is https and not an internal literal); its DNS answer is checked
    when the connection opens, and the run fails with the reason instead of reaching the service."""
    port = httpx.URL(sandbox.base_urls["hubspot"]).port
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        return real("127.0.0.1" if host == "crm.partner.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    strict_hub.store.create(hubspot_connector(sandbox, base_url=f"https://crm.partner.example:{port}"))
    run = strict_hub.runner.run("hs", "companies", mode="full")
    assert run.status == "failed"
    assert run.error is not None and run.error.startswith(
        "DestinationRefused: crm.partner.example resolves to 127.0.0.1"
    )


def test_last_error_has_the_status_line_not_the_upstream_body(
    connected: Hub, upstream: httpx.Client, sandbox: SandboxServer
) -> None:
    message = f"{MARKER} <html>internal admin page</html>"
    for status in (500, 400):
        fault = {"kind": "status", "status": status, "times": 10, "path_prefix": "/crm", "message": message}
        assert upstream.post("/_sandbox/faults", json=fault).status_code < 300
        run = connected.runner.run("hs", "companies", mode="full")
        upstream.delete("/_sandbox/faults")
        assert run.status == "failed" and run.error is not None
        assert f"HTTP {status}" in run.error and MARKER not in run.error, run.error
        with connected.engine.connect() as conn:
            status_view = stream_status(conn, "hs", "companies")
        assert f"HTTP {status}" in status_view["last_error"] and MARKER not in status_view["last_error"]


def test_partnerstack_last_error_has_no_upstream_body(hub: Hub, sandbox: SandboxServer) -> None:
    creds = sandbox.credentials["partnerstack"]
    admin = httpx.Client(base_url=sandbox.root_urls["partnerstack"], headers={"X-Sandbox-Admin": creds["admin_token"]})
    from hub.connector_store import ConnectorCreate

    hub.store.create(
        ConnectorCreate(
            id="ps", kind="partnerstack",
            config={"base_url": sandbox.base_urls["partnerstack"], "public_key": creds["public_key"], "max_retries": 0},
            credentials={"secret_key": creds["secret_key"]},
        )
    )  # fmt: skip
    try:
        fault = {"kind": "status", "status": 500, "times": 5, "message": MARKER}
        assert admin.post("/_sandbox/faults", json=fault).status_code < 300
        run = hub.runner.run("ps", "partnerships", mode="full")
    finally:
        admin.delete("/_sandbox/faults")
        admin.close()
    assert run.status == "failed" and run.error is not None
    assert "HTTP 500" in run.error and MARKER not in run.error, run.error


def test_verify_tls_must_be_a_ca_bundle(client: TestClient, sandbox: SandboxServer, tmp_path: Path) -> None:
    creds = sandbox.credentials["salesforce"]
    body = _body("salesforce", creds["base_url"])
    not_a_bundle = tmp_path / "notes.txt"
    not_a_bundle.write_text("hello\n")
    for path in ("/etc/passwd", str(not_a_bundle), str(tmp_path / "missing.pem"), str(tmp_path)):
        response = client.post("/api/v1/connectors", json={**body, "config": {**body["config"], "verify_tls": path}})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert "verify_tls" in error["message"] and "root:" not in response.text
    good = {**body, "config": {**body["config"], "verify_tls": creds["cert_path"]}}
    assert client.post("/api/v1/connectors", json=good).status_code == 201
