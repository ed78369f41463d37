"""The reconciliation endpoints over HTTP: review queue, evidence, accept/reject, unmerge, explain,
reconcile; bad input answers 4xx with the error body. Both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from hub.context import Hub
from hub.ledger import write_page
from tests.hub.identity.test_matching import HS, MAPPERS, SF, account, company, rid


def _load(hub: Hub) -> None:
    with hub.engine.begin() as conn:
        write_page(conn, HS, "companies", [company("1", name="Fabrikam Inc", country="France"),
                                           company("2", name="Acme Corp", domain="acme.com")],
                   MAPPERS.get("hubspot"), datetime.now(UTC))  # fmt: skip
        write_page(conn, SF, "accounts", [account("001A", Name="Fabrikam", BillingCountry="FR"),
                                          account("001B", Name="Acme", Website="www.acme.com")],
                   MAPPERS.get("salesforce"), datetime.now(UTC))  # fmt: skip


def test_review_queue_accept_unmerge_explain(client: TestClient, hub: Hub) -> None:
    _load(hub)
    queue = client.get("/api/v1/matches", params={"state": "review", "entity": "organization"}).json()
    assert queue["total"] == 1
    pair = queue["items"][0]
    assert {pair["a"]["system"], pair["b"]["system"]} == {"hubspot", "salesforce"}
    assert {e["field"] for e in pair["evidence"]} >= {"name", "country"}
    merged = client.get("/api/v1/matches", params={"state": "merged"}).json()["items"]
    assert [m["rule"] for m in merged] == ["domain"]

    accepted = client.post(f"/api/v1/matches/{pair['id']}/accept", json={"by": "ann@example.com"})
    assert accepted.status_code == 200, accepted.text
    golden_id = accepted.json()["golden_id"]
    assert client.get(f"/api/v1/matches/{pair['id']}").json()["state"] == "accepted"

    explained = client.get(
        "/api/v1/matches/explain",
        params={"entity": "organization", "a": rid(HS, "companies", "1"), "b": rid(SF, "accounts", "001A")},
    ).json()
    assert explained["same_cluster"] is True and explained["evidence"][0]["field"] == "name"

    split = client.post(f"/api/v1/organizations/{golden_id}/unmerge", json={"by": "ann@example.com"})
    assert split.status_code == 200, split.text
    assert split.json()["restored"]
    assert client.get(f"/api/v1/matches/{pair['id']}").json()["state"] == "unmerged"
    again = client.post(f"/api/v1/organizations/{golden_id}/unmerge")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"

    done = client.post("/api/v1/reconcile", json={"wait": True})
    assert done.status_code == 200 and done.json()["status"] == "succeeded"
    assert client.get(f"/api/v1/matches/{pair['id']}").json()["state"] == "unmerged"  # the veto holds


def test_bad_input_is_a_clear_4xx(client: TestClient, hub: Hub) -> None:
    _load(hub)
    assert client.get("/api/v1/matches", params={"state": "nope"}).status_code == 422
    assert client.get("/api/v1/matches", params={"min_score": 2}).status_code == 422
    missing = client.post("/api/v1/matches/00000000-0000-0000-0000-000000000000/accept")
    assert missing.status_code == 404 and missing.json()["error"]["message"]
    assert client.post("/api/v1/widgets/abc/unmerge").status_code in (404, 422)
    single = client.post(f"/api/v1/organizations/{rid(HS, 'companies', '1')}/unmerge")
    assert single.status_code == 409
    assert (
        client.get("/api/v1/matches/explain", params={"entity": "organization", "a": "x", "b": "y"}).status_code == 404
    )
    assert client.post("/api/v1/reconcile", json={"entity": "spaceship"}).status_code == 422
    assert client.post("/api/v1/matches/abc/accept", json={"by": ""}).status_code == 422
    assert client.get("/api/v1/matches", headers={"Authorization": "Bearer wrong"}).status_code == 401
