"""The ledger's hash chain (ADR 19): every insert path chains its entries, concurrent writers keep one
linear chain, and each kind of tampering is caught at the first bad entry. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from alembic import command
from sqlalchemy import Engine, select, text, update

from hub.db.engine import alembic_config
from hub.db.schema import ledger_chain, ledger_entries
from hub.identity import steward
from hub.ledger import Origin, write_page
from hub.ledger.chain import GENESIS, append_entries, entry_hash, read_head, serialise, snapshot, verify
from tests.hub.identity.test_matching import HS, MAPPERS, SF, account, company, write


def _load(engine: Engine) -> None:
    """Record entries from two systems and the match decisions they cause (a merge, a review)."""
    write(engine, HS, "companies", [company("1", name="Fabrikam Inc", country="France"),
                                    company("2", name="Acme Corp", domain="acme.com"),
                                    company("3", name="Globex", domain="globex.com")])  # fmt: skip
    write(engine, SF, "accounts", [account("001A", Name="Fabrikam", BillingCountry="FR"),
                                   account("001B", Name="Acme", Website="www.acme.com")])  # fmt: skip
    write(engine, HS, "companies", [company("3", n=5, name="Globex Corporation", domain="globex.com")])


def _check(engine: Engine) -> Any:
    with snapshot(engine).connect() as conn, conn.begin():
        return verify(conn, batch=3)  # small batches: the walk crosses batch boundaries


def _ids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(ledger_entries.c.id).order_by(ledger_entries.c.id)).scalars())


def _row(engine: Engine, entry_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(conn.execute(select(ledger_entries).where(ledger_entries.c.id == entry_id)).one()._mapping)


def _sql(engine: Engine, statement: Any, params: dict[str, Any] | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement) if isinstance(statement, str) else statement, params or {})


def _swap_ids(engine: Engine, a: int, b: int) -> None:
    _sql(engine, "UPDATE ledger_entries SET id = -1 WHERE id = :a", {"a": a})
    _sql(engine, "UPDATE ledger_entries SET id = :a WHERE id = :b", {"a": a, "b": b})
    _sql(engine, "UPDATE ledger_entries SET id = :b WHERE id = -1", {"b": b})


def _forge(engine: Engine, entry_id: int, prev_hash: str, **changes: Any) -> None:
    """Insert an entry the way an attacker who knows the algorithm would: a valid hash over its content."""
    template = {k: v for k, v in _row(engine, _ids(engine)[0]).items() if k not in ("id", "prev_hash", "entry_hash")}
    content = {**template, "external_id": "forged", "changes": {"name": [None, "Forged"]}, **changes}
    row = {**content, "id": entry_id, "prev_hash": prev_hash, "entry_hash": entry_hash(content, prev_hash)}
    with engine.begin() as conn:
        conn.execute(ledger_entries.insert(), row)


def test_every_insert_path_chains_its_entries(engine: Engine) -> None:
    _load(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(ledger_entries).order_by(ledger_entries.c.id)).fetchall()
    assert {r.source_system for r in rows} == {"hubspot", "salesforce", "hub"}  # pages and decisions
    prev = GENESIS
    for row in rows:
        assert row.prev_hash == prev
        assert row.entry_hash == entry_hash(row._mapping, row.prev_hash)
        prev = row.entry_hash
    result = _check(engine)
    assert result.ok, result.problem
    assert (result.entries, result.last_id, result.last_hash) == (len(rows), rows[-1].id, prev)
    assert result.head is not None and (result.head.entries, result.head.last_hash) == (len(rows), prev)


def test_steward_decisions_and_tombstones_extend_the_chain(engine: Engine) -> None:
    _load(engine)
    with engine.begin() as conn:
        pair = conn.execute(text("SELECT id FROM match_pairs WHERE state = 'review'")).scalar_one()
        steward.accept(conn, pair, "ann@example.com", datetime.now(UTC))
    from hub.ledger.writer import mark_deleted

    with engine.begin() as conn:
        mark_deleted(conn, HS, "companies", ["2"], datetime.now(UTC), "test")
    with engine.connect() as conn:
        ops = list(conn.execute(select(ledger_entries.c.op).order_by(ledger_entries.c.id)).scalars())
    assert "accept" in ops and ops[-1] == "delete"
    assert _check(engine).ok


def test_canonical_form_is_stable_across_the_database_round_trip(engine: Engine) -> None:
    """What the writer hashed is what verify reads back: times as UTC, JSON numbers as the backend returns them."""
    raw = {**company("9", name="Numbers"), "metrics": {"big": 1e16, "one": 1.0, "small": 1e-7, "huge": 1e300}}
    write(engine, HS, "companies", [raw])
    row = _row(engine, _ids(engine)[-1])
    assert row["raw"]["metrics"]["small"] == 1e-7
    assert entry_hash(row, row["prev_hash"]) == row["entry_hash"]
    assert not {"id", "prev_hash", "entry_hash"} & set(orjson.loads(serialise(row)))
    paris = timezone(timedelta(hours=1))
    assert serialise({"a": 1e16, "b": datetime(2026, 1, 1, 1, tzinfo=UTC), "c": None, "d": {"x": [2.5e17]}}) == (
        serialise({"d": {"x": [250000000000000000]}, "b": datetime(2026, 1, 1, 2, tzinfo=paris), "a": 10**16})
    )
    assert serialise({"a": 1.0}) != serialise({"a": 1})  # JSON keeps 1.0 and 1 apart; so do the hashes


# -- tampering -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "column, value",
    [("changes", '{"name": [null, "Evil Corp"]}'), ("external_id", "999"), ("run_id", None),
     ("observed_at", "2020-01-01 00:00:00")],
)  # fmt: skip
def test_an_edited_entry_is_named(engine: Engine, column: str, value: Any) -> None:
    _load(engine)
    target = _ids(engine)[2]
    if column == "changes" and engine.dialect.name == "postgresql":
        value_sql = "CAST(:v AS jsonb)"
    elif column == "observed_at" and engine.dialect.name == "postgresql":
        value_sql = "CAST(:v AS timestamptz)"
    else:
        value_sql = ":v"
    _sql(engine, f"UPDATE ledger_entries SET {column} = {value_sql} WHERE id = :id", {"v": value, "id": target})
    result = _check(engine)
    assert not result.ok and result.problem is not None
    assert (result.problem.kind, result.problem.entry_id) == ("edited", target)
    assert result.last_id == _ids(engine)[1]  # everything before it verified


@pytest.mark.parametrize("position", [0, 3, -1])
def test_a_removed_entry_is_named(engine: Engine, position: int) -> None:
    _load(engine)
    ids = _ids(engine)
    gone = ids[position]
    _sql(engine, "DELETE FROM ledger_entries WHERE id = :id", {"id": gone})
    result = _check(engine)
    assert result.problem is not None and result.problem.kind == "removed"
    if position == -1:  # the last one: only the chain head knows it existed
        assert result.problem.entry_id == gone and "last entries were removed" in result.problem.message
    else:
        assert result.problem.entry_id == ids[position + 1]  # the entry after the gap


def test_an_inserted_entry_is_named(engine: Engine) -> None:
    _load(engine)
    ids = _ids(engine)
    # make room after the third entry: renumbering without reordering changes no history
    _sql(engine, "UPDATE ledger_entries SET id = id + 100 WHERE id > :id", {"id": ids[2]})
    assert _check(engine).ok
    prev = _row(engine, ids[2])["entry_hash"]
    _forge(engine, ids[2] + 1, prev)  # a correct hash, chained to its predecessor
    result = _check(engine)
    assert result.problem is not None
    assert (result.problem.kind, result.problem.entry_id) == ("inserted", ids[2] + 1)


def test_an_inserted_entry_with_a_made_up_hash_is_named(engine: Engine) -> None:
    _load(engine)
    ids = _ids(engine)
    _sql(engine, "UPDATE ledger_entries SET id = id + 100 WHERE id > :id", {"id": ids[2]})
    row = {**_row(engine, ids[0]), "id": ids[2] + 1, "external_id": "junk", "entry_hash": "f" * 64}
    with engine.begin() as conn:
        conn.execute(ledger_entries.insert(), row)
    result = _check(engine)
    assert result.problem is not None
    assert (result.problem.kind, result.problem.entry_id) == ("inserted", ids[2] + 1)


def test_an_entry_appended_outside_the_hub_is_named(engine: Engine) -> None:
    _load(engine)
    ids = _ids(engine)
    head = _row(engine, ids[-1])["entry_hash"]
    _forge(engine, ids[-1] + 1, head)  # a perfect chain link; only the head can tell
    result = _check(engine)
    assert result.problem is not None
    assert (result.problem.kind, result.problem.entry_id) == ("inserted", ids[-1] + 1)


@pytest.mark.parametrize("distance", [1, 3])
def test_reordered_entries_are_named(engine: Engine, distance: int) -> None:
    _load(engine)
    ids = _ids(engine)
    a, b = ids[1], ids[1 + distance]
    _swap_ids(engine, a, b)
    result = _check(engine)
    assert result.problem is not None
    assert (result.problem.kind, result.problem.entry_id) == ("reordered", a)


def test_swapped_contents_are_named(engine: Engine) -> None:
    """Two entries' contents swapped, ids and hashes left in place: the first no longer matches its hash."""
    _load(engine)
    ids = _ids(engine)
    a, b = _row(engine, ids[1]), _row(engine, ids[4])
    content = [c for c in a if c not in ("id", "prev_hash", "entry_hash")]
    with engine.begin() as conn:
        conn.execute(update(ledger_entries).where(ledger_entries.c.id == ids[1]).values({c: b[c] for c in content}))
        conn.execute(update(ledger_entries).where(ledger_entries.c.id == ids[4]).values({c: a[c] for c in content}))
    result = _check(engine)
    assert result.problem is not None
    assert (result.problem.kind, result.problem.entry_id) == ("edited", ids[1])


def test_a_rewritten_last_entry_with_a_recomputed_hash_is_named(engine: Engine) -> None:
    _load(engine)
    last = _row(engine, _ids(engine)[-1])
    edited = {**last, "external_id": "rewritten"}
    digest = entry_hash(edited, last["prev_hash"])
    with engine.begin() as conn:
        conn.execute(
            update(ledger_entries)
            .where(ledger_entries.c.id == last["id"])
            .values(external_id="rewritten", entry_hash=digest)
        )
    result = _check(engine)
    assert result.problem is not None
    assert (result.problem.kind, result.problem.entry_id) == ("edited", last["id"])


def test_a_missing_chain_head_is_named(engine: Engine) -> None:
    _load(engine)
    _sql(engine, ledger_chain.delete())
    result = _check(engine)
    assert result.problem is not None and result.problem.kind == "head"


def test_an_empty_ledger_verifies(engine: Engine) -> None:
    result = _check(engine)
    assert result.ok and result.entries == 0 and result.last_hash == GENESIS


# -- concurrency and migration -------------------------------------------------------------------------


def test_concurrent_writers_keep_one_linear_chain(engine: Engine) -> None:
    """Threads appending pages (with matching decisions) in parallel transactions: one chain, in id order."""
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def writer(n: int) -> None:
        try:
            start.wait()
            for page in range(4):
                # shared domains: writers merge each other's records (matching lock and chain lock both taken)
                raws = [
                    company(f"{page}-{i}", name=f"Company {page} {i}", domain=f"shared{page}{i % 4}.example.com")
                    for i in range(8)
                ]
                origin = Origin(system="hubspot", instance=f"hs{n}", run_id=f"run-{n}")
                with engine.begin() as conn:
                    write_page(conn, origin, "companies", raws, MAPPERS.get("hubspot"), datetime.now(UTC))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    result = _check(engine)
    assert result.ok, result.problem
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM ledger_entries")).scalar_one()
        head = read_head(conn)
    assert result.entries == count > 6 * 4 * 8 and head is not None and head.entries == count
    with engine.connect() as conn:
        merges = conn.execute(text("SELECT count(*) FROM ledger_entries WHERE op = 'merge'")).scalar_one()
    assert merges > 0


def test_the_migration_chains_existing_entries_in_id_order(engine: Engine, db_url: str) -> None:
    _load(engine)
    before = {r: _row(engine, r)["entry_hash"] for r in _ids(engine)}
    config = alembic_config(db_url)
    engine.dispose()
    command.downgrade(config, "0006")
    try:
        with engine.connect() as conn:
            columns = {c[1] if engine.dialect.name == "sqlite" else c[0] for c in conn.execute(text(
                "PRAGMA table_info(ledger_entries)" if engine.dialect.name == "sqlite"
                else "SELECT column_name FROM information_schema.columns WHERE table_name = 'ledger_entries'"
            ))}  # fmt: skip
        assert "entry_hash" not in columns
    finally:
        command.upgrade(config, "head")
    assert {r: _row(engine, r)["entry_hash"] for r in _ids(engine)} == before
    assert _check(engine).ok
    write(engine, HS, "companies", [company("7", name="After The Migration")])
    assert _check(engine).ok


def test_append_entries_takes_rows_with_different_columns_and_refuses_unknown_ones(engine: Engine) -> None:
    base = {"observed_at": datetime.now(UTC), "source_system": "hub", "source_instance": "hub",
            "source_object": "companies", "external_id": "x", "entity_type": "organization", "canonical_id": "c",
            "op": "upsert", "content_hash": "h", "changes": {}}  # fmt: skip
    with engine.begin() as conn:
        ids = append_entries(conn, [base, {**base, "run_id": "outbox-1", "raw": {"a": 1}}])
        with pytest.raises(ValueError, match="entry_hash"):
            append_entries(conn, [{**base, "entry_hash": "0" * 64}])
    assert ids == sorted(ids) and len(ids) == 2
    assert _check(engine).ok
