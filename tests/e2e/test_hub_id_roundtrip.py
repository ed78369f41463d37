"""The hub id round trip against the sandboxes (ADR 21): write-back stamps the golden id into HubSpot's
unique hub-id property (created on first use), the next sync reads it back into ``hub_id``, and a
Salesforce account given the same id in ``Partner_Hub_Id__c`` joins that cluster although nothing
else matches."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from connectors.sdk import WriteRecord
from hub.context import Hub
from hub.db.schema import golden_records, source_records, write_log
from hub.writeback import writeback

AUTH = {"Authorization": "Bearer pat-na1-sandbox"}


def test_a_written_hub_id_comes_back_and_pulls_a_salesforce_account_into_its_cluster(
    connected: Hub, sf: Hub, upstream: httpx.Client, sf_admin: httpx.Client
) -> None:
    hub = connected
    hub.runner.run_all("hs", mode="full", streams=["companies"])
    hub.runner.run_all("sf", mode="full", streams=["accounts"])
    report = writeback(hub, "hs", "companies")
    assert report.written > 0 and report.failed == 0
    prop = upstream.get("/crm/properties/2026-03/companies/partner_hub_id", headers=AUTH).json()
    assert prop["hasUniqueValue"] is True

    with hub.reader.connect() as conn:
        written = conn.execute(select(write_log.c.external_id, write_log.c.canonical_id).limit(1)).one()
        golden = conn.execute(
            select(source_records.c.golden_id).where(source_records.c.canonical_id == written.canonical_id)
        ).scalar_one()
    stamped = upstream.get(
        f"/crm/v3/objects/companies/{written.external_id}", params={"properties": "partner_hub_id"}, headers=AUTH
    ).json()
    assert stamped["properties"]["partner_hub_id"] == golden

    hub.runner.run_all("hs", streams=["companies"])  # the echo carries the hub id back
    with hub.reader.connect() as conn:
        fields = conn.execute(
            select(golden_records.c.fields).where(golden_records.c.canonical_id == golden)
        ).scalar_one()
        assert fields["hub_id"] == golden
        alone = conn.execute(
            select(source_records.c.external_id, source_records.c.golden_id)
            .join(golden_records, golden_records.c.canonical_id == source_records.c.golden_id)
            .where(source_records.c.source_instance == "sf", golden_records.c.source_count == 1)
            .where(golden_records.c.display_name != fields.get("name"))
            .order_by(source_records.c.external_id)
            .limit(1)
        ).one()
    assert alone.golden_id != golden

    connector = hub.store.build("sf")
    try:
        result = connector.write("accounts", [WriteRecord(key=alone.external_id, properties={},
                                                          external_id=alone.external_id, hub_id=golden)])  # fmt: skip
    finally:
        connector.close()
    assert result[0].ok, result
    hub.runner.run_all("sf", mode="full", streams=["accounts"])
    with hub.reader.connect() as conn:
        now = conn.execute(
            select(source_records.c.golden_id).where(
                source_records.c.source_instance == "sf", source_records.c.external_id == alone.external_id
            )
        ).scalar_one()
    assert now == golden


def test_every_cluster_gets_its_hub_id_in_one_record_per_object_even_with_nothing_else_to_write(
    connected: Hub, upstream: httpx.Client
) -> None:
    hub = connected
    hub.runner.run_all("hs", mode="full", streams=["companies"])
    report = writeback(hub, "hs", "companies")
    assert report.written > 0 and report.failed == 0
    hub.runner.run_all("hs", streams=["companies"])  # the echo brings every stamped id back
    with hub.reader.connect() as conn:
        members = conn.execute(
            select(source_records.c.external_id, source_records.c.golden_id, source_records.c.fields).where(
                source_records.c.source_instance == "hs", source_records.c.source_object == "companies",
                source_records.c.deleted.is_(False),
            )
        ).fetchall()  # fmt: skip
    clusters: dict[str, list[str]] = {}
    for m in members:
        clusters.setdefault(m.golden_id, []).append(m.external_id)
    held = {m.external_id: m.fields.get("hub_id") for m in members}
    # the lowest id of each cluster holds the cluster's id, the others none (a unique property)
    for golden_id, ids in clusters.items():
        assert held[min(ids)] == golden_id
        assert all(held[i] is None for i in ids if i != min(ids))
    assert any(len(ids) > 1 for ids in clusters.values())  # the world has duplicates inside HubSpot
    again = writeback(hub, "hs", "companies", dry_run=True)
    assert again.changed == 0  # every slot holds its id: nothing left to write
