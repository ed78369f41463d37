"""Every bad input gets a 4xx with a JSON body that says what is wrong — never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from hub.context import Hub

HUBSPOT = {
    "id": "hs-main",
    "kind": "hubspot",
    "config": {"base_url": "http://127.0.0.1:9", "auth_type": "private_app"},
    "credentials": {"access_token": "pat-na1-secret-value"},
    "schedules": [{"stream": "*", "interval_seconds": 300}],
}


def _error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        pytest.param({}, "missing bearer token", id="missing"),
        pytest.param({"Authorization": "Bearer wrong-token"}, "invalid bearer token", id="wrong"),
        pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, "missing bearer token", id="wrong_scheme"),
    ],
)
def test_admin_endpoints_need_the_bearer_token(client: TestClient, headers: dict[str, str], message: str) -> None:
    client.headers.pop("Authorization")
    for method, path in [("GET", "/api/v1/connectors"), ("GET", "/api/v1/status"), ("POST", "/api/v1/connectors")]:
        response = client.request(method, path, headers=headers, json={})
        assert message in _error(response, 401, "unauthorized")["message"]
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_health_needs_no_token(client: TestClient) -> None:
    client.headers.pop("Authorization")
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["status"] == "ready"


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post("/api/v1/connectors", content=b'{"id": "x", ', headers={"Content-Type": "application/json"})
    assert "malformed JSON" in _error(response, 400, "malformed_json")["message"]


def test_oversized_body_is_413(client: TestClient) -> None:
    response = client.post("/api/v1/connectors", json={**HUBSPOT, "name": "x" * (70 * 1024)})
    _error(response, 413, "payload_too_large")


def test_wrong_content_type_is_415(client: TestClient) -> None:
    response = client.post("/api/v1/connectors", content=b"id=x", headers={"Content-Type": "text/plain"})
    _error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    ("patch", "fragment"),
    [
        pytest.param({"kind": "nosuch"}, "no connector 'nosuch'", id="unknown_kind"),
        pytest.param({"id": "Bad Id!"}, "request failed validation", id="bad_id"),
        pytest.param({"config": {"access_token": "x"}}, "send them under 'credentials'", id="secret_in_config"),
        pytest.param({"credentials": {"base_url": "x"}}, "are not credentials", id="non_secret_credential"),
        pytest.param({"config": {"auth_type": "oauth"}}, "invalid hubspot configuration", id="incomplete_oauth"),
        pytest.param({"schedules": [{"stream": "tickets", "interval_seconds": 60}]}, "unknown stream", id="bad_stream"),
        pytest.param({"schedules": [{"cron": "99 * * * *"}]}, "request failed validation", id="bad_cron"),
        pytest.param({"schedules": [{"interval_seconds": 60, "cron": "* * * * *"}]}, "request failed validation",
                     id="two_triggers"),
        pytest.param({"surprise": 1}, "request failed validation", id="unknown_key"),
    ],
)  # fmt: skip
def test_invalid_connector_is_422_with_reason(client: TestClient, patch: dict[str, Any], fragment: str) -> None:
    body = {**HUBSPOT, **patch}
    if "config" in patch:
        body["config"] = {**HUBSPOT["config"], **patch["config"]}  # type: ignore[dict-item]
    assert fragment in _error(client.post("/api/v1/connectors", json=body), 422)["message"]


def test_credentials_are_write_only_and_sealed_at_rest(client: TestClient, hub: Hub) -> None:
    created = client.post("/api/v1/connectors", json=HUBSPOT)
    assert created.status_code == 201, created.text
    for response in (created, client.get("/api/v1/connectors/hs-main"), client.get("/api/v1/connectors")):
        assert "pat-na1-secret-value" not in response.text
    assert created.json()["credentials_set"] == ["access_token"]
    from sqlalchemy import select

    from hub.db.schema import connectors

    with hub.engine.connect() as conn:
        stored = conn.execute(select(connectors.c.secrets, connectors.c.config)).one()
    assert b"pat-na1-secret-value" not in stored.secrets
    assert "access_token" not in stored.config


def test_connector_lifecycle_and_conflicts(client: TestClient) -> None:
    assert client.post("/api/v1/connectors", json=HUBSPOT).status_code == 201
    _error(client.post("/api/v1/connectors", json=HUBSPOT), 409, "conflict")
    patched = client.patch("/api/v1/connectors/hs-main", json={"name": "Main portal", "enabled": False})
    assert patched.status_code == 200 and patched.json()["name"] == "Main portal"
    _error(client.patch("/api/v1/connectors/hs-main", json={"config": {"page_size": 1000}}), 422)
    _error(client.get("/api/v1/connectors/nope"), 404, "not_found")
    _error(client.post("/api/v1/connectors/nope/sync", json={}), 404)
    _error(client.post("/api/v1/connectors/hs-main/sync", json={"streams": ["tickets"]}), 422)
    _error(client.post("/api/v1/connectors/hs-main/sync", json={"mode": "sideways"}), 422)
    refused = client.post("/api/v1/connectors/hs-main/writeback", json={"object": "deals"})
    assert "no write-back" in _error(refused, 422)["message"]
    _error(client.post("/api/v1/connectors/nope/writeback", json={"object": "companies"}), 404)
    assert client.delete("/api/v1/connectors/hs-main").status_code == 204
    _error(client.delete("/api/v1/connectors/hs-main"), 404)


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/api/v1/organizations/does-not-exist", id="org"),
        pytest.param("/api/v1/people/does-not-exist", id="person"),
        pytest.param("/api/v1/opportunities/does-not-exist", id="opportunity"),
    ],
)
def test_unknown_golden_record_is_404(client: TestClient, path: str) -> None:
    _error(client.get(path), 404, "not_found")


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("role=overlord", id="bad_role"),
        pytest.param("limit=0", id="zero_limit"),
        pytest.param("limit=100000", id="huge_limit"),
        pytest.param("offset=-1", id="negative_offset"),
    ],
)
def test_bad_list_parameters_are_422(client: TestClient, query: str) -> None:
    _error(client.get(f"/api/v1/organizations?{query}"), 422, "validation_error")


def test_bad_id_shape_and_unknown_route(client: TestClient) -> None:
    _error(client.get("/api/v1/organizations/" + "x" * 100), 422)
    _error(client.get("/api/v1/nothing-here"), 404)
    _error(client.put("/api/v1/connectors", json={}), 405)


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert "/api/v1/organizations" in client.get("/openapi.json").json()["paths"]
