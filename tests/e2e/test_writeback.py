"""Write-back of golden values to HubSpot by batch upsert, against the sandbox."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from hub.context import Hub
from hub.db.schema import dead_letters, golden_records, ledger_entries, outbox, write_log
from hub.writeback.run import writeback

AUTH = {"Authorization": "Bearer pat-na1-sandbox"}


def _entries(hub: Hub) -> int:
    with hub.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ledger_entries)).scalar_one())


def test_normalised_values_are_written_back_once_and_their_echo_appends_nothing(
    connected: Hub, upstream: httpx.Client
) -> None:
    connected.runner.run_all("hs", mode="full")
    preview = writeback(connected, "hs", "companies", dry_run=True)
    assert preview.planned > 0 and preview.written == 0
    sample = preview.sample[0]

    report = writeback(connected, "hs", "companies")
    assert report.written == preview.planned and report.failed == 0
    record = upstream.get(f"/crm/v3/objects/companies/{sample['key']}",
                          params={"properties": "domain,phone,name,partner_hub_id"}, headers=AUTH).json()  # fmt: skip
    for prop, value in sample["properties"].items():
        assert record["properties"][prop] == value

    entries = _entries(connected)
    with connected.reader.connect() as conn:
        agreed = dict(conn.execute(select(golden_records.c.canonical_id, golden_records.c.fields)).fetchall())
    runs = connected.runner.run_all("hs", streams=["companies"])
    assert runs[0].outcome.seen >= report.written  # HubSpot saw our writes as modifications...
    with connected.reader.connect() as conn:
        echoes = conn.execute(select(ledger_entries.c.changes).where(ledger_entries.c.id > entries)).scalars().all()
        after = dict(conn.execute(select(golden_records.c.canonical_id, golden_records.c.fields)).fetchall())
    # ...which change no golden value: a duplicate record now holds its cluster's agreed values, and the
    # raw text beside a normalised value is all that moves otherwise
    written = {"name", "primary_domain", "phone"}
    for golden_id, fields in agreed.items():
        assert {k: after[golden_id].get(k) for k in written} == {k: fields.get(k) for k in written}
    # Echo suppression (ADR 20): the echo is not a newer observation, so no golden value moves, in a
    # merged cluster as in a single one; only the raw text beside a written normalised value follows
    # the upstream's new text.
    for golden_id in agreed:
        # the echo also brings the hub's id back from the hub-id slot each written record now carries
        assert after[golden_id].get("hub_id") in (None, golden_id)
        assert {k: v for k, v in after[golden_id].items() if not k.endswith("_raw") and k != "hub_id"} == {
            k: v for k, v in agreed[golden_id].items() if not k.endswith("_raw")
        }
    with connected.reader.connect() as conn:
        causes = conn.execute(select(ledger_entries.c.echo_of).where(ledger_entries.c.id > entries)).scalars().all()
        implied = conn.execute(
            select(outbox.c.external_id, outbox.c.state, outbox.c.properties)
            .where(outbox.c.source_object == "companies", outbox.c.state.not_in(["sent", "superseded"]))
        ).fetchall()  # fmt: skip
    assert causes and all(cause is not None for cause in causes)  # every entry is marked as the write's echo
    assert implied == []  # and the echo implied no new write
    allowed = {"phone_raw", "name", "phone", "primary_domain", "hub_id"}
    assert {name for changes in echoes for name in changes} <= allowed
    assert writeback(connected, "hs", "companies").planned == 0  # nothing is written twice
    again = connected.runner.run_all("hs", streams=["companies"])
    assert again[0].outcome.changed == 0


def test_a_rejected_record_fails_alone_and_is_dead_lettered(connected: Hub, upstream: httpx.Client) -> None:
    connected.runner.run_all("hs", mode="full", streams=["contacts"])
    preview = writeback(connected, "hs", "contacts", dry_run=True)
    assert preview.planned >= 2
    victim = preview.sample[0]["key"]
    archived = upstream.delete(f"/crm/v3/objects/contacts/{victim}", headers=AUTH)  # gone upstream meanwhile
    assert archived.status_code == 204
    report = writeback(connected, "hs", "contacts")
    assert report.failed == 1 and report.written == report.planned - 1
    with connected.engine.connect() as conn:
        failed = conn.execute(select(write_log).where(write_log.c.status == "rejected")).one()
        dead = conn.execute(select(dead_letters).where(dead_letters.c.stage == "write")).one()
    assert failed.external_id == victim == dead.external_id
    assert dead.reason
