"""Each source's deletes become tombstones by polling, against its sandbox over real HTTP, on SQLite and
PostgreSQL: PartnerStack's archived partnerships and deals (listed with include_archived) and its
deleted customers (absent from a complete full read); Salesforce's deleted rows (queryAll's
IsDeleted) and rows purged from the recycle bin (absent from a complete full read)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hub.connector_store import ConnectorCreate
from hub.context import Hub
from hub.db.schema import ledger_entries
from hub.sync.deletes import cause_of_absence
from sandbox.server import SandboxServer


def _tombstones(hub: Hub, object_type: str) -> dict[str, Any]:
    with hub.reader.connect() as conn:
        query = select(ledger_entries.c.external_id, ledger_entries.c.raw).where(
            ledger_entries.c.op == "delete", ledger_entries.c.source_object == object_type
        )
        return {row.external_id: row.raw for row in conn.execute(query)}


@pytest.fixture
def ps(hub: Hub, sandbox: SandboxServer) -> Hub:
    creds = sandbox.credentials["partnerstack"]
    hub.store.create(
        ConnectorCreate(
            id="ps", kind="partnerstack",
            config={"base_url": sandbox.base_urls["partnerstack"], "public_key": creds["public_key"], "page_size": 50},
            credentials={"secret_key": creds["secret_key"]},
        )
    )  # fmt: skip
    return hub


@pytest.fixture
def ps_admin(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    root = sandbox.root_urls["partnerstack"]
    admin = {"X-Sandbox-Admin": sandbox.credentials["partnerstack"]["admin_token"]}
    client = httpx.Client(base_url=root, headers=admin)
    world = client.get("/_sandbox/world").json()
    yield client
    client.put("/_sandbox/world", json=world)
    client.close()


def test_partnerstack_archived_and_deleted_records_become_tombstones(ps: Hub, ps_admin: httpx.Client) -> None:
    streams = ["partnerships", "customers", "deals"]
    assert all(r.status == "succeeded" for r in ps.runner.run_all("ps", mode="full", streams=streams))
    before = {name: set(_tombstones(ps, name)) for name in streams}
    changed = {
        name: ps_admin.post("/_sandbox/mutate", json={"object": name, "archive": 2, "seed": 8}).json()["archived"]
        for name in streams
    }
    runs = {r.stream: r for r in ps.runner.run_all("ps", mode="full", streams=streams)}
    assert all(r.status == "succeeded" for r in runs.values()), [r.error for r in runs.values()]
    for name in ("partnerships", "deals"):  # archived: listed with include_archived, flagged deleted
        new = {k: v for k, v in _tombstones(ps, name).items() if k not in before[name]}
        assert set(new) == set(changed[name]) and all(raw and "cause" not in raw for raw in new.values())
        assert runs[name].tombstoned == 0
    # deleted customers are gone from the listing: tombstoned as absent from the complete read
    new = {k: v for k, v in _tombstones(ps, "customers").items() if k not in before["customers"]}
    assert set(new) == set(changed["customers"]) and runs["customers"].tombstoned == 2
    assert all(raw == {"cause": cause_of_absence(runs["customers"].run_id)} for raw in new.values())


def test_salesforce_deleted_and_purged_rows_become_tombstones(sf: Hub, sf_admin: httpx.Client) -> None:
    assert sf.runner.run("sf", "accounts", mode="full").status == "succeeded"
    deleted = sf_admin.post("/_sandbox/mutate", json={"object": "Account", "delete": 2, "seed": 3}).json()["deleted"]
    run = sf.runner.run("sf", "accounts")
    assert run.mode == "incremental" and run.status == "succeeded"
    found = _tombstones(sf, "accounts")
    assert set(found) == set(deleted) and all(raw["IsDeleted"] is True for raw in found.values())  # queryAll rows

    purged = sf_admin.post("/_sandbox/mutate", json={"object": "Account", "delete": 3, "seed": 4}).json()["deleted"]
    assert sf_admin.post("/_sandbox/recycle-bin/purge").json()["purged"] >= 3
    missed = sf.runner.run("sf", "accounts")  # gone before any read saw them deleted: incremental misses them
    assert missed.status == "succeeded" and not set(purged) & set(_tombstones(sf, "accounts"))
    complete = sf.runner.run("sf", "accounts", mode="full")
    assert complete.status == "succeeded" and complete.tombstoned == 3
    found = _tombstones(sf, "accounts")
    assert {k: found[k] for k in purged} == {k: {"cause": cause_of_absence(complete.run_id)} for k in purged}
