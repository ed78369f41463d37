"""PartnerStack as production meets it, against the PartnerStack sandbox over real HTTP.

* reward status changes (pending → approved → paid) arrive by polling although rewards have no
  updated-since filter (the recent-window re-read);
* archived partnerships and archived deals are seen by polling, with no webhook registered;
* ``order_by`` is sent only where the list documents it (the sandbox refuses it on customers and
  deals, so these reads succeeding is the proof);
* customers and deals name their partner by ``partner_key`` only (the sandbox sends no
  ``partnership_key``), so their partnership links come from the connector's translation.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from connectors.partnerstack import PartnerStackConfig, PartnerStackConnector
from connectors.sdk import ReadRequest
from sandbox.partnerstack import PartnerStackServer, generate_world
from tests.policy import SANDBOX_OUTBOUND


@pytest.fixture(scope="module")
def server() -> Iterator[PartnerStackServer]:
    with PartnerStackServer(fixture=generate_world(seed=5, size=200).to_fixture()) as running:
        yield running


@pytest.fixture
def admin(server: PartnerStackServer) -> Iterator[httpx.Client]:
    """Admin client; puts the world back after the test."""
    headers = {"X-Sandbox-Admin": server.credentials["admin_token"]}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as client:
        world = client.get("/_sandbox/world").json()
        yield client
        client.put("/_sandbox/world", json=world)


@pytest.fixture
def api(server: PartnerStackServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url + "/api/v2", auth=server.auth, timeout=10) as client:
        yield client


def connector(server: PartnerStackServer, **extra: Any) -> PartnerStackConnector:
    creds = server.credentials
    config = PartnerStackConfig(
        base_url=server.base_url + "/api/v2", public_key=creds["public_key"],
        secret_key=SecretStr(creds["secret_key"]), page_size=50, **extra,
    )  # fmt: skip
    return PartnerStackConnector(config, outbound=SANDBOX_OUTBOUND)


def read_all(ps: PartnerStackConnector, stream: str, request: ReadRequest) -> dict[str, dict[str, Any]]:
    return {r["key"]: r for page in ps.read(stream, request) for r in page.records}


def newest_cursor(records: dict[str, dict[str, Any]], field: str) -> str:
    return str(max(r[field] for r in records.values()))


def test_reward_status_changes_arrive_on_incremental_runs(
    server: PartnerStackServer, admin: httpx.Client, api: httpx.Client
) -> None:
    ps = connector(server)
    rewards = read_all(ps, "rewards", ReadRequest(mode="full"))
    cursor = newest_cursor(rewards, "created_at")
    # a new payment earns a pending reward now; the cursor then passes it
    customer = next(c for c in api.get("/customers", params={"limit": 50}).json()["data"]["items"] if not c["test"])
    created = api.post("/transactions", json={"customer_key": customer["key"], "amount": 12_000, "currency": "USD"})
    assert created.status_code == 200, created.text
    first = read_all(ps, "rewards", ReadRequest(mode="incremental", cursor=cursor))
    [fresh] = [r for r in first.values() if r["key"] not in rewards]
    assert fresh["reward_status"] == "pending"
    cursor = newest_cursor(first, "created_at")  # what the hub commits: the reward's own creation time

    for expected in ("approved", "paid"):
        moved = admin.post("/_sandbox/mutate", json={"object": "rewards", "keys": [fresh["key"]]})
        assert moved.status_code == 200, moved.text
        again = read_all(ps, "rewards", ReadRequest(mode="incremental", cursor=cursor))
        assert again[fresh["key"]]["reward_status"] == expected
        assert again[fresh["key"]]["associations"]["partnerships"][0]["id"]  # still linked to its partner

    # without the window (and the lookback), a read from past the reward's creation never sees it again,
    # whatever its status does: the reason the window exists
    later = str(int(cursor) + 1)
    blind_connector = connector(server, reward_recheck_days=0, incremental_lookback_seconds=0)
    blind = read_all(blind_connector, "rewards", ReadRequest(mode="incremental", cursor=later))
    assert fresh["key"] not in blind


def test_archived_partnerships_and_deals_are_seen_by_polling(
    server: PartnerStackServer, admin: httpx.Client, api: httpx.Client
) -> None:
    assert api.get("/webhooks").json()["data"]["items"] == []  # nothing announces the archival
    ps = connector(server)
    started = time.time()
    deals = read_all(ps, "deals", ReadRequest(mode="full"))
    partnerships = read_all(ps, "partnerships", ReadRequest(mode="full"))
    cursor = newest_cursor(deals, "updated_at")

    deal = next(d for d in deals.values() if not d["deleted"])
    partnership = next(p for p in partnerships.values() if not p["deleted"] and p["partner_key"] != "gstest")
    assert api.delete(f"/deals/{deal['key']}").status_code == 200
    assert api.delete(f"/partnerships/{partnership['key']}").status_code == 200

    changed = read_all(ps, "deals", ReadRequest(mode="incremental", cursor=cursor))
    assert changed[deal["key"]]["deleted"] is True
    # partnerships have no modification filter: every run reads them all, archived ones included
    polled = read_all(ps, "partnerships", ReadRequest(mode="incremental", cursor=str(int(started * 1000))))
    assert polled[partnership["key"]]["deleted"] is True
    assert polled[partnership["key"]]["partnership_status"] == "archived"
    # what the deal list would hide without include_archived
    plain = api.get("/deals", params={"limit": 250}).json()["data"]["items"]
    assert deal["key"] not in {d["key"] for d in plain}


def test_customers_and_deals_are_linked_through_the_partner_key_translation(server: PartnerStackServer) -> None:
    ps = connector(server)
    partnerships = read_all(ps, "partnerships", ReadRequest(mode="full"))
    by_partner_key = {p["partner_key"]: p["key"] for p in partnerships.values()}
    calls_before = ps.directory.calls
    for stream in ("customers", "deals"):
        records = read_all(ps, stream, ReadRequest(mode="full"))
        assert records and all("partnership_key" not in r for r in records.values())  # not sent by the API
        linked = [r for r in records.values() if r.get("partner_key")]
        assert linked
        for record in linked:
            [link] = record["associations"]["partnerships"]
            assert link == {"id": by_partner_key[record["partner_key"]], "types": ["partner"]}
    # the partnership stream taught the directory every partner: no extra lookups were needed
    assert ps.directory.calls == calls_before


def test_a_fresh_connector_translates_by_loading_the_partnerships(server: PartnerStackServer) -> None:
    ps = connector(server)
    deals = read_all(ps, "deals", ReadRequest(mode="full"))
    assert ps.directory.calls >= 1  # it had to load the partnership list (archived ones included)
    linked = [d for d in deals.values() if d.get("partner_key")]
    assert linked and all(d["associations"].get("partnerships") for d in linked)
