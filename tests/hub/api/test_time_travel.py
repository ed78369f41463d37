"""``GET /api/v1/{entity}/{id}?as_of=T`` across a merge, an edit, an unmerge and a delete; ``/history``
with a cause per entry; ``GET /api/v1/ledger/verify``. Both databases, over the real API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from hub.context import Hub
from hub.ledger import Origin, write_page
from hub.ledger.writer import mark_deleted
from hub.records import cause
from tests.hub.identity.test_matching import HS, MAPPERS, SF, account, company, contact, rid

HS1, SF1 = rid(HS, "companies", "1"), rid(SF, "accounts", "001A")
HS3 = rid(HS, "companies", "3")


def _write(hub: Hub, origin: Origin, obj: str, raws: list[dict[str, Any]], **kw: Any) -> None:
    system = "hubspot" if origin.system == "hubspot" else "salesforce"
    with hub.engine.begin() as conn:
        outcome = write_page(conn, origin, obj, raws, MAPPERS.get(system), datetime.now(UTC), **kw)
    assert outcome.dead_lettered == 0


def _at(client: TestClient, record_id: str, moment: datetime | str) -> Any:
    value = moment if isinstance(moment, str) else moment.isoformat()
    return client.get(f"/api/v1/organizations/{record_id}", params={"as_of": value})


def _live(client: TestClient, record_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/organizations/{record_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _moment() -> datetime:
    moment = datetime.now(UTC)
    while datetime.now(UTC) <= moment:  # the next entry is observed strictly later
        pass
    return moment


def test_as_of_across_a_merge_an_edit_an_unmerge_and_a_delete(client: TestClient, hub: Hub) -> None:
    before = _moment()
    _write(hub, HS, "companies", [company("1", name="Fabrikam Inc", country="France"),
                                  company("3", name="Globex", domain="globex.com")])  # fmt: skip
    _write(hub, SF, "accounts", [account("001A", Name="Fabrikam", BillingCountry="FR")])
    loaded = _moment()
    queue = client.get("/api/v1/matches", params={"state": "review", "entity": "organization"}).json()
    (pair,) = queue["items"]
    accepted = client.post(f"/api/v1/matches/{pair['id']}/accept", json={"by": "ann@example.com"})
    assert accepted.status_code == 200, accepted.text
    golden_id = accepted.json()["golden_id"]
    merged = _moment()
    _write(hub, HS, "companies", [company("1", n=10, name="Fabrikam Holdings", country="France")])
    edited = _moment()
    split = client.post(f"/api/v1/organizations/{golden_id}/unmerge", json={"by": "bob@example.com"})
    assert split.status_code == 200, split.text
    unmerged = _moment()
    with hub.engine.begin() as conn:
        mark_deleted(conn, HS, "companies", ["3"], datetime.now(UTC), "test")

    # before the record existed: a 404 that says so
    early = _at(client, HS1, before)
    assert early.status_code == 404
    assert (
        early.json()["error"]["details"]["reason"] == "not_yet" and "first observed" in early.json()["error"]["message"]
    )
    assert _at(client, "0" * 8, loaded).status_code == 404  # never seen at all

    # loaded: two clusters of one record each
    hs_then, sf_then = _at(client, HS1, loaded).json(), _at(client, SF1, loaded).json()
    assert (hs_then["golden_id"], hs_then["source_count"], hs_then["merged"]) == (HS1, 1, False)
    assert (sf_then["golden_id"], sf_then["source_count"]) == (SF1, 1)
    assert hs_then["as_of"] == loaded.isoformat() and hs_then["as_of_entry_id"] >= 1
    assert all(h["entry_id"] <= hs_then["as_of_entry_id"] for h in hs_then["history"])

    # merged: either id answers the one cluster, with both sources
    for record_id in (HS1, SF1):
        then = _at(client, record_id, merged).json()
        assert then["golden_id"] == golden_id and then["source_count"] == 2
        assert {s["record_id"] for s in then["sources"]} == {HS1, SF1}
        assert then["merged"] is (record_id != golden_id)
        assert any(h["cause"] == {"kind": "decision", "id": pair["id"], "actor": "ann@example.com"}
                   for h in then["history"])  # fmt: skip

    # the edit shows in the member's fields from then on, not before
    def hs_name(body: dict[str, Any]) -> str:
        return str(next(s for s in body["sources"] if s["record_id"] == HS1)["fields"]["name"])

    assert hs_name(_at(client, HS1, merged).json()) == "Fabrikam Inc"
    assert hs_name(_at(client, HS1, edited).json()) == "Fabrikam Holdings"

    # unmerged: apart again; the record that moved back answers its own cluster
    after = {record_id: _at(client, record_id, unmerged).json() for record_id in (HS1, SF1)}
    assert after[HS1]["golden_id"] != after[SF1]["golden_id"]
    assert {after[HS1]["source_count"], after[SF1]["source_count"]} == {1}
    assert after[HS1]["name"] == "Fabrikam Holdings"

    # deleted: live before the tombstone, a 404 saying so after
    assert _at(client, HS3, unmerged).json()["source_count"] == 1
    gone = _at(client, HS3, datetime.now(UTC))
    assert gone.status_code == 404 and gone.json()["error"]["details"]["reason"] == "deleted"
    assert client.get(f"/api/v1/organizations/{HS3}").status_code == 404  # as the live read

    # now (or any later time) is the live record
    for record_id in (HS1, SF1):
        live = _live(client, record_id)
        for moment in (datetime.now(UTC), datetime.now(UTC) + timedelta(days=365)):
            now = _at(client, record_id, moment).json()
            assert now.pop("as_of") <= datetime.now(UTC).isoformat()
            now.pop("as_of_entry_id")
            assert now == live


def test_as_of_must_be_an_unambiguous_moment(client: TestClient, hub: Hub) -> None:
    _write(hub, HS, "companies", [company("1", name="Fabrikam Inc")])
    naive = _at(client, HS1, "2026-12-01T09:30:00")
    assert naive.status_code == 422 and "time zone" in naive.json()["error"]["message"]
    assert _at(client, HS1, "yesterday").status_code == 422
    assert _at(client, HS1, "0001-01-01T00:00:00+01:00").status_code == 422
    offset = _at(client, HS1, (datetime.now(UTC) + timedelta(hours=1)).astimezone().isoformat())
    assert offset.status_code == 200 and offset.json()["as_of"].endswith("+00:00")


def test_history_names_the_cause_of_every_entry(client: TestClient, hub: Hub) -> None:
    _write(hub, HS, "companies", [company("1", name="Fabrikam Inc", country="France")])
    _write(hub, SF, "accounts", [account("001A", Name="Fabrikam", BillingCountry="FR")])
    (pair,) = client.get("/api/v1/matches", params={"state": "review"}).json()["items"]
    client.post(f"/api/v1/matches/{pair['id']}/accept", json={"by": "ann@example.com"})
    webhook = Origin(system="hubspot", instance="hs")
    _write(hub, webhook, "companies", [company("1", n=5, name="Fabrikam SA")], event_ids={"1": "evt-42"})
    with hub.engine.begin() as conn:
        mark_deleted(conn, SF, "accounts", ["001A"], datetime.now(UTC), "test")
    items = client.get(f"/api/v1/organizations/{HS1}/history").json()["items"]
    causes = [(i["op"], i["cause"]) for i in reversed(items)]
    assert causes == [
        ("upsert", {"kind": "sync", "id": "run-hs"}),
        ("upsert", {"kind": "sync", "id": "run-sf"}),
        ("review", {"kind": "decision", "id": pair["id"], "actor": "auto"}),
        ("accept", {"kind": "decision", "id": pair["id"], "actor": "ann@example.com"}),
        ("upsert", {"kind": "webhook", "id": "evt-42"}),
        ("delete", {"kind": "tombstone", "id": "run-sf"}),
    ]
    assert all(len(i["entry_hash"]) == 64 for i in items)


def test_cause_of_the_hubs_own_write_back() -> None:
    row = SimpleNamespace(source_system="hub", source_object="companies", source_instance="hub", op="upsert",
                          run_id="outbox-7", webhook_event_id=None, raw=None, external_id="x")  # fmt: skip
    assert cause(row) == {"kind": "writeback", "id": "outbox-7"}
    row.source_system, row.source_instance, row.run_id = "hubspot", "hs", None
    assert cause(row) == {"kind": "unknown", "id": None}


def test_ledger_verify_endpoint(client: TestClient, hub: Hub) -> None:
    _write(hub, HS, "companies", [company("1", name="Fabrikam Inc"), company("2", name="Acme")])
    intact = client.get("/api/v1/ledger/verify")
    assert intact.status_code == 200 and intact.json()["ok"] is True and intact.json()["entries"] == 2
    with hub.engine.begin() as conn:
        first = conn.execute(text("SELECT min(id) FROM ledger_entries")).scalar_one()
        conn.execute(text("UPDATE ledger_entries SET op = 'delete' WHERE id = :id"), {"id": first})
    broken = client.get("/api/v1/ledger/verify").json()
    assert broken["ok"] is False
    assert broken["problem"]["kind"] == "edited" and broken["problem"]["entry_id"] == first
    assert client.get("/api/v1/ledger/verify", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_references_as_of_name_the_cluster_of_that_time(client: TestClient, hub: Hub) -> None:
    _write(hub, HS, "companies", [company("1", name="Fabrikam Inc", country="France")])
    _write(hub, SF, "accounts", [account("001A", Name="Fabrikam", BillingCountry="FR")])
    _write(
        hub,
        HS,
        "contacts",
        [
            {
                **contact("10", email="al@fabrikam.example", firstname="Al", lastname="Ray"),
                "associations": {"companies": [{"id": "1", "types": ["contact_to_company"]}]},
            }
        ],
    )
    sf_contact = {
        "attributes": {"type": "Contact"},
        "Id": "003Z",
        "SystemModstamp": "2026-01-01T00:00:00Z",
        "IsDeleted": False,
        "FirstName": "Bo",
        "LastName": "Lee",
        "Email": "bo@fabrikam.example",
        "associations": {"accounts": [{"id": "001A", "types": ["contact_to_account"]}]},
    }
    _write(hub, SF, "contacts", [sf_contact])  # fmt: skip
    apart = _moment()
    (pair,) = client.get("/api/v1/matches", params={"state": "review", "entity": "organization"}).json()["items"]
    golden_id = client.post(f"/api/v1/matches/{pair['id']}/accept", json={"by": "ann"}).json()["golden_id"]
    people = {HS1: rid(HS, "contacts", "10"), SF1: rid(SF, "contacts", "003Z")}
    for org, person in people.items():
        then = client.get(f"/api/v1/people/{person}", params={"as_of": apart.isoformat()}).json()
        assert then["fields"]["organization_id"] == org  # its own cluster then
        now = client.get(f"/api/v1/people/{person}", params={"as_of": datetime.now(UTC).isoformat()}).json()
        assert now["fields"]["organization_id"] == golden_id
