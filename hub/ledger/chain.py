"""The ledger's hash chain (ADR 19): every entry's hash covers its content and the previous hash.

``entry_hash = sha256(canonical(content) + prev_hash)``, where *content* is every column of the entry
except ``id``, ``prev_hash`` and ``entry_hash`` (:func:`serialise`): orjson with sorted keys, times as
UTC ISO 8601 strings, floats of 1e16 or more as integers (PostgreSQL's JSONB gives ``1e16`` back as an
integer), and columns holding ``None`` left out, so a nullable column added by a later migration keeps
every older hash valid. The first entry's ``prev_hash`` is :data:`GENESIS`.

The id is **not** hashed: order is carried by ``prev_hash`` (each entry names its predecessor's hash),
which is what catches a removed, inserted or reordered entry; ids only have to increase along the
chain. Renumbering an entry inside an id gap without changing its place changes no history.

``ledger_chain`` holds the head (entries, last id, last hash), so a removed or forged *last* entry is
caught too; ``hub ledger verify`` prints the head hash for operators who anchor it elsewhere.

**Every insert into ``ledger_entries`` goes through** :func:`append_entries`. On PostgreSQL it takes a
transaction-scoped advisory lock held until commit, reads the head, allocates the ids from the
sequence in one statement and inserts the page with its hashes: concurrent writers append one after
the other, so the chain stays linear and in id order. On SQLite writers begin ``IMMEDIATE`` (one at a
time) already. Lock order: the chain lock comes before the per-entity matching lock
(:func:`hub.identity.store.lock_entity` takes it first) and before any row a writer may wait on
after appending.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, func, select, text

from hub.db.schema import ledger_chain, ledger_entries
from hub.ledger.upsert import append_rows, upsert

GENESIS = "0" * 64
HEAD_ID = 1
NOT_HASHED = frozenset({"id", "prev_hash", "entry_hash"})
_LOCK_KEY = zlib.crc32(b"ledger:chain")
_CONTENT = frozenset(c.name for c in ledger_entries.c) - NOT_HASHED
_INT64 = 2**63
_BIG = 1e16  # from here on every float is integral and orjson writes it with an exponent


def _canon(value: Any) -> Any:
    if isinstance(value, float):
        return int(value) if _BIG <= abs(value) < _INT64 else value
    if isinstance(value, dict):
        return {str(k): _canon(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canon(v) for v in value]
    return value


def serialise(entry: Mapping[Any, Any]) -> bytes:
    """The canonical bytes of an entry's content (every column but the id and the hashes)."""
    content: dict[str, Any] = {}
    for key, value in entry.items():
        if key in NOT_HASHED or value is None:
            continue
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("naive datetime in a ledger entry")
            value = value.astimezone(UTC)
        content[str(key)] = value
    out = orjson.dumps(content, option=orjson.OPT_SORT_KEYS)
    # orjson writes a float of 1e16 or more as 1e+16; JSONB hands it back as an integer. Only then
    # (rare) walk the values; "e+" inside a string merely takes the slow path to the same bytes.
    if b"e+" in out:
        out = orjson.dumps(_canon(content), option=orjson.OPT_SORT_KEYS)
    return out


def entry_hash(entry: Mapping[Any, Any], prev_hash: str) -> str:
    digest = hashlib.sha256(serialise(entry))
    digest.update(prev_hash.encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Head:
    entries: int
    last_id: int | None
    last_hash: str


def lock_chain(conn: Connection) -> None:
    """Hold the chain until commit (PostgreSQL; re-entrant within a transaction). SQLite: a no-op."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})


def read_head(conn: Connection) -> Head | None:
    row = conn.execute(select(ledger_chain).where(ledger_chain.c.id == HEAD_ID)).first()
    return None if row is None else Head(row.entries, row.last_id, row.last_hash)


def _allocate(conn: Connection, count: int) -> list[int]:
    if conn.dialect.name == "postgresql":
        ids = conn.execute(
            text("SELECT nextval(pg_get_serial_sequence('ledger_entries', 'id')) FROM generate_series(1, :n)"),
            {"n": count},
        ).scalars()
        return sorted(int(i) for i in ids)
    top = conn.execute(select(func.max(ledger_entries.c.id))).scalar() or 0
    return list(range(int(top) + 1, int(top) + 1 + count))


def append_entries(conn: Connection, rows: Sequence[dict[str, Any]], now: datetime | None = None) -> list[int]:
    """Append ``rows`` (ledger entry columns, without id and hashes; a column left out is NULL) to the
    chain, in order; their ids.

    The only way into ``ledger_entries``: sync pages, webhooks, tombstones, match decisions and the
    hub's own write-backs all call it inside their transaction.
    """
    if not rows:
        return []
    unknown = {key for row in rows for key in row} - _CONTENT
    if unknown:
        raise ValueError(f"not ledger_entries columns (or not the caller's to set): {sorted(unknown)}")
    lock_chain(conn)
    head = read_head(conn) or Head(0, None, GENESIS)
    ids = _allocate(conn, len(rows))
    prev = head.last_hash
    out: list[dict[str, Any]] = []
    for entry_id, row in zip(ids, rows, strict=True):
        full = {name: row.get(name) for name in _CONTENT}  # one column set for the whole statement
        digest = entry_hash(full, prev)
        out.append({**full, "id": entry_id, "prev_hash": prev, "entry_hash": digest})
        prev = digest
    append_rows(conn, ledger_entries, out)
    stamp = now or rows[-1].get("observed_at") or datetime.now(UTC)
    upsert(
        conn,
        ledger_chain,
        [{"id": HEAD_ID, "entries": head.entries + len(rows), "last_id": ids[-1], "last_hash": prev,
          "updated_at": stamp}],
        key=["id"],
    )  # fmt: skip
    return ids


# -- verification ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """The first entry where the chain breaks, and how."""

    kind: str  # edited | removed | inserted | reordered | head
    entry_id: int | None
    message: str


@dataclass(frozen=True)
class Verification:
    entries: int  # entries walked
    last_id: int | None
    last_hash: str
    head: Head | None
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "last_id": self.last_id,
            "last_hash": self.last_hash,
            "head": None if self.head is None else {
                "entries": self.head.entries, "last_id": self.head.last_id, "last_hash": self.head.last_hash,
            },
            "problem": None if self.problem is None else {
                "kind": self.problem.kind, "entry_id": self.problem.entry_id, "message": self.problem.message,
            },
        }  # fmt: skip


def _rows(conn: Connection, batch: int) -> Any:
    last_id: int | None = None
    while True:
        query = select(ledger_entries).order_by(ledger_entries.c.id).limit(batch)
        if last_id is not None:
            query = query.where(ledger_entries.c.id > last_id)
        rows = conn.execute(query).fetchall()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def _owner(conn: Connection, digest: str) -> int | None:
    """The entry whose hash is ``digest`` (a scan: only on the failure path)."""
    found = conn.execute(select(func.min(ledger_entries.c.id)).where(ledger_entries.c.entry_hash == digest)).scalar()
    return None if found is None else int(found)


def _check(conn: Connection, cur: Any, nxt: Any, expected: str, prev_id: int | None) -> Problem | None:
    after = f"#{prev_id}" if prev_id is not None else "the start of the ledger"
    self_ok = entry_hash(cur._mapping, cur.prev_hash) == cur.entry_hash
    link_ok = cur.prev_hash == expected
    if nxt is not None and cur.prev_hash == nxt.entry_hash and nxt.prev_hash == expected:
        return Problem(
            "reordered", cur.id, f"entries #{cur.id} and #{nxt.id} are swapped (#{cur.id} follows #{nxt.id})"
        )
    skipped = nxt is not None and nxt.prev_hash == expected and nxt.prev_hash != cur.entry_hash
    if skipped:  # the next entry follows cur's predecessor: cur is not part of the chain
        return Problem("inserted", cur.id, f"entry #{cur.id} is not in the chain: #{nxt.id} follows {after}")
    if not self_ok:
        return Problem("edited", cur.id, f"entry #{cur.id}'s content does not match its hash (a column was changed)")
    if link_ok:
        return None
    if cur.prev_hash == GENESIS:
        return Problem("reordered", cur.id, f"entry #{cur.id} claims to be the first entry but follows {after}")
    owner = _owner(conn, cur.prev_hash)
    if owner is None:
        return Problem(
            "removed", cur.id, f"the entry between {after} and #{cur.id} was removed "
            f"(#{cur.id} names a predecessor hash no entry has)",
        )  # fmt: skip
    return Problem("reordered", cur.id, f"entry #{cur.id} names #{owner} as its predecessor but follows {after}")


def verify(conn: Connection, batch: int = 5000) -> Verification:
    """Recompute the chain in id order; the first bad entry and why (edited, removed, inserted,
    reordered), or none. Beside live writers, run it in one snapshot (:func:`snapshot`)."""
    head = read_head(conn)
    expected, prev_id, walked = GENESIS, None, 0
    beyond: int | None = None  # the first entry past the head's count
    rows = _rows(conn, batch)
    cur = next(rows, None)
    while cur is not None:
        nxt = next(rows, None)
        walked += 1
        if head is not None and walked == head.entries + 1:
            beyond = cur.id
        problem = _check(conn, cur, nxt, expected, prev_id)
        if problem is not None:
            return Verification(walked - 1, prev_id, expected, head, problem)
        expected, prev_id, cur = cur.entry_hash, cur.id, nxt
    problem = None
    if head is None:
        if walked:
            problem = Problem("head", None, "the chain head (ledger_chain) is missing")
    elif walked < head.entries:
        problem = Problem(
            "removed", head.last_id, f"the chain head counts {head.entries} entries up to #{head.last_id}; "
            f"the ledger holds {walked} (up to #{prev_id}): its last entries were removed",
        )  # fmt: skip
    elif walked > head.entries:
        problem = Problem(
            "inserted", beyond, f"entry #{beyond} and any after it are past the chain head "
            f"({head.entries} entries up to #{head.last_id}): appended outside the hub",
        )  # fmt: skip
    elif expected != head.last_hash:
        problem = Problem("edited", prev_id, f"entry #{prev_id}'s hash differs from the chain head's: it was rewritten")
    return Verification(walked, prev_id, expected, head, problem)


def snapshot(engine: Engine) -> Engine:
    """``engine`` reading one consistent snapshot per transaction (PostgreSQL: REPEATABLE READ; a
    SQLite reader under WAL reads one snapshot per transaction already)."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="REPEATABLE READ")
    return engine
