"""The ledger write path: idempotence, change tracking, late data, dead letters, rebuild = live."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from hub.db.schema import dead_letters, golden_records, ledger_entries, xrefs
from hub.ledger import mint_canonical_id
from hub.ledger.keys import SourceKey
from hub.ledger.rebuild import rebuild
from tests.hub.ledger_helpers import entry_count, page, snapshot, write


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _load_all(engine: Engine) -> None:
    for name in ("companies", "contacts", "deals"):
        write(engine, name, page(name))


def test_resync_of_unchanged_data_appends_nothing(engine: Engine) -> None:
    _load_all(engine)
    entries, state = entry_count(engine), snapshot(engine)
    assert entries > 0
    for name in ("deals", "contacts", "companies"):
        outcome = write(engine, name, page(name))
        assert outcome.changed == 0
    assert entry_count(engine) == entries
    assert snapshot(engine) == state


def test_a_change_appends_one_entry_with_field_level_before_and_after(engine: Engine) -> None:
    companies = page("companies")
    write(engine, "companies", companies)
    target = next(c for c in companies if c["properties"].get("name") and c["properties"].get("domain"))
    old_name = target["properties"]["name"]
    before = entry_count(engine)
    target["properties"]["name"] = "Renamed Holdings"
    newer = datetime.now(UTC) + timedelta(days=400)
    target["properties"]["hs_lastmodifieddate"] = _iso(newer)
    target["updatedAt"] = _iso(newer)
    outcome = write(engine, "companies", [target])
    assert (outcome.changed, outcome.unchanged) == (1, 0)
    assert entry_count(engine) == before + 1
    canonical_id = mint_canonical_id(SourceKey("hs-test", "companies", str(target["id"])))
    with engine.connect() as conn:
        entry = conn.execute(select(ledger_entries).order_by(ledger_entries.c.id.desc()).limit(1)).one()
        golden = conn.execute(select(golden_records).where(golden_records.c.canonical_id == canonical_id)).one()
    assert entry.changes == {"name": [old_name.strip(), "Renamed Holdings"]}
    assert entry.canonical_id == canonical_id
    assert entry.run_id == "run-1" and entry.raw["properties"]["name"] == "Renamed Holdings"
    assert golden.fields["name"] == "Renamed Holdings"
    assert golden.provenance["name"]["entry_id"] == entry.id
    assert golden.provenance["name"]["external_id"] == str(target["id"])


def test_an_older_observation_never_overwrites_newer_data(engine: Engine) -> None:
    companies = page("companies")
    target = next(c for c in companies if c["properties"].get("name") and c["properties"].get("domain"))
    write(engine, "companies", [target])
    stale = {**target, "properties": {**target["properties"], "name": "Stale Name"}}
    older = datetime(2001, 1, 1, tzinfo=UTC)
    stale["properties"]["hs_lastmodifieddate"] = _iso(older)
    stale["updatedAt"] = _iso(older)
    entries = entry_count(engine)
    outcome = write(engine, "companies", [stale])
    assert (outcome.stale, outcome.changed) == (1, 0)
    assert entry_count(engine) == entries
    state = snapshot(engine)
    assert all(g["fields"].get("name") != "Stale Name" for g in state["golden"])


def test_unmappable_records_are_dead_lettered_and_the_page_goes_on(engine: Engine) -> None:
    deals = page("deals")
    outcome = write(engine, "deals", deals)
    assert outcome.dead_lettered > 0
    assert outcome.changed == len(deals) - outcome.dead_lettered
    with engine.connect() as conn:
        rows = conn.execute(select(dead_letters)).fetchall()
    assert len(rows) == outcome.dead_lettered
    assert all(row.reason and row.raw and row.stage == "mapping" and row.run_id == "run-1" for row in rows)


def test_links_resolve_to_the_same_canonical_id_in_any_order(engine: Engine) -> None:
    write(engine, "deals", page("deals"))  # deals first: their companies get xrefs before being seen
    write(engine, "companies", page("companies"))
    with engine.connect() as conn:
        goldens = {r.canonical_id: r for r in conn.execute(select(golden_records))}
        company_ids = {r.canonical_id for r in conn.execute(select(xrefs).where(xrefs.c.source_object == "companies"))}
    deals = [g for g in goldens.values() if g.entity_type == "opportunity"]
    linked = [d.fields["customer_org_id"] for d in deals if d.fields.get("customer_org_id")]
    assert linked and set(linked) <= company_ids
    assert any(cid in goldens for cid in linked)


def test_rebuild_from_the_ledger_equals_the_live_state(engine: Engine) -> None:
    _load_all(engine)
    companies = page("companies")
    for n, company in enumerate(companies[:3]):
        newer = datetime.now(UTC) + timedelta(days=300 + n)
        company["properties"]["industry"] = f"Industry {n}"
        company["properties"]["hs_lastmodifieddate"] = _iso(newer)
    write(engine, "companies", companies)
    live = snapshot(engine)
    with engine.begin() as conn:
        report = rebuild(conn)
    assert report.golden_records == len(live["golden"])
    assert report.entries == entry_count(engine)
    assert snapshot(engine) == live


def test_a_record_is_dead_lettered_once_and_resolved_when_it_maps(engine: Engine) -> None:
    deals = page("deals")
    first = write(engine, "deals", deals)
    again = write(engine, "deals", page("deals"))
    assert first.dead_lettered == again.dead_lettered > 0
    with engine.connect() as conn:
        rows = conn.execute(select(dead_letters)).fetchall()
    assert len(rows) == first.dead_lettered  # the re-read did not add rows
    bad = rows[0]
    fixed = next(d for d in page("deals") if str(d["id"]) == bad.external_id)
    fixed["properties"].update({"amount": "100.00", "closedate": "2026-06-30T00:00:00Z"})
    write(engine, "deals", [fixed])
    with engine.connect() as conn:
        status = conn.execute(select(dead_letters.c.status).where(dead_letters.c.id == bad.id)).scalar_one()
    assert status == "resolved"
