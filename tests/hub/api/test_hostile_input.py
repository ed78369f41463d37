"""Hostile API input is a 4xx, on every backend: NUL characters anywhere, chunked bodies over the
limit, a Host header that would steer a redirect, LIKE wildcards in ``q``, weak webhook tokens."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from hub.context import Hub
from hub.db.schema import golden_records

CONNECTOR = {"id": "hs", "kind": "hubspot", "config": {"base_url": "http://127.0.0.1:9"},
             "credentials": {"access_token": "pat-na1-secret-value"}}  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("GET", "/api/v1/organizations?q=a%00b", None, id="query"),
        pytest.param("GET", "/api/v1/connectors/a%00b", None, id="path-id"),
        pytest.param("GET", "/api/v1/runs?connector_id=%00", None, id="query-filter"),
        pytest.param("POST", "/api/v1/connectors", {**CONNECTOR, "name": "a\u0000b"}, id="connector-name"),
        pytest.param("POST", "/api/v1/connectors", {**CONNECTOR, "id": "a\u0000b"}, id="connector-id"),
        pytest.param(
            "POST", "/api/v1/connectors", {**CONNECTOR, "config": {"base_url": "http://x\u0000y"}}, id="config-value"
        ),
        pytest.param("PATCH", "/api/v1/connectors/hs", {"name": "\u0000"}, id="patch-name"),
        pytest.param("POST", "/webhooks/a%00b", None, id="webhook-path"),
    ],
)
def test_a_nul_character_anywhere_is_a_422(client: TestClient, method: str, path: str, body: object) -> None:
    assert client.post("/api/v1/connectors", json=CONNECTOR).status_code == 201
    response = client.request(method, path, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"
    assert "NUL" in response.json()["error"]["message"]


def test_a_chunked_body_over_the_limit_is_a_413(client: TestClient, hub: Hub) -> None:
    limit = hub.settings.max_request_bytes

    def chunks() -> Iterator[bytes]:
        yield b'{"id": "big", "kind": "hubspot", "name": "'
        for _ in range(limit // 1024 + 2):
            yield b"x" * 1024
        yield b'"}'

    response = client.post("/api/v1/connectors", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "payload_too_large"


def test_a_chunked_body_under_the_limit_is_read(client: TestClient) -> None:
    import json

    def chunks() -> Iterator[bytes]:
        raw = json.dumps(CONNECTOR).encode()
        yield raw[:10]
        yield raw[10:]

    response = client.post("/api/v1/connectors", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 201, response.text


def test_a_trailing_slash_is_not_redirected_to_the_requests_host(client: TestClient) -> None:
    response = client.get("/api/v1/connectors/", headers={"Host": "evil.example"}, follow_redirects=False)
    assert "location" not in response.headers
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_q_matches_percent_and_underscore_literally(client: TestClient, hub: Hub) -> None:
    now = datetime.now(UTC)
    names = ["Acme 100% Partners", "Acme_Partners", "AcmeXPartners", "Beta Corp"]
    with hub.engine.begin() as conn:
        conn.execute(
            insert(golden_records),
            [{"canonical_id": f"g{n}", "entity_type": "organization", "display_name": name, "lookup_key": None,
              "roles": "|partner|", "fields": {"name": name}, "provenance": {}, "source_count": 1,
              "last_entry_id": 1, "updated_at": now} for n, name in enumerate(names)],
        )  # fmt: skip

    def found(q: str) -> list[str]:
        response = client.get("/api/v1/organizations", params={"q": q})
        assert response.status_code == 200, response.text
        return sorted(item["name"] for item in response.json()["items"])

    assert found("%") == ["Acme 100% Partners"]
    assert found("_") == ["Acme_Partners"]
    assert found("acme_p") == ["Acme_Partners"]
    assert found("\\") == []
    assert found("acme") == ["Acme 100% Partners", "AcmeXPartners", "Acme_Partners"]


@pytest.mark.parametrize("token", ["x", "short-token-15ch"[:15]])
def test_a_short_salesforce_outbound_token_is_refused(client: TestClient, token: str) -> None:
    body = {"id": "sf", "kind": "salesforce",
            "config": {"login_url": "https://login.example.com", "client_id": "3MVG9"},
            "credentials": {"client_secret": "s", "outbound_message_token": token}}  # fmt: skip
    response = client.post("/api/v1/connectors", json=body)
    assert response.status_code == 422, response.text
    assert "16" in response.text
