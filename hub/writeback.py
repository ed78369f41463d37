"""Write-back: push the agreed (golden) values to the source records they were reconciled from.

For one connector and object, every live source record is compared with its golden record through
the mapping's ``write`` rule: an upstream property whose current raw value differs from the golden
value is sent, by batch upsert on the rule's id property. Every attempt is appended to ``write_log``;
a value already written successfully for the same golden version is not sent again, so a repeated
write-back is a no-op, and the next sync's echo of our own write maps to the same canonical content
and appends nothing to the ledger. A record the upstream rejects fails alone and is dead-lettered
with the upstream's reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select

from connectors.sdk import WriteRecord, WriteResult, dotted
from hub.context import Hub
from hub.db.schema import dead_letters, golden_records, ledger_entries, source_records, write_log
from hub.mapping import WriteRule


class WritebackError(ValueError):
    """The object cannot be written back (no write rule, or the connector offers no write)."""


@dataclass
class WritebackReport:
    connector_id: str
    object: str
    examined: int = 0
    planned: int = 0
    written: int = 0
    failed: int = 0
    dry_run: bool = False
    sample: list[dict[str, Any]] = field(default_factory=list)


def _format(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def _last_written(conn: Connection, connector_id: str, object_name: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The properties of each record's latest successful write, and the golden version it carried."""
    latest = (
        select(func.max(write_log.c.id))
        .where(
            write_log.c.connector_id == connector_id,
            write_log.c.source_object == object_name,
            write_log.c.external_id.in_(ids),
            write_log.c.status == "ok",
        )
        .group_by(write_log.c.external_id)
    )
    rows = conn.execute(select(write_log).where(write_log.c.id.in_(latest)))
    return {r.external_id: {"properties": r.properties, "golden_entry_id": r.golden_entry_id} for r in rows}


def plan(
    conn: Connection, connector_id: str, object_name: str, rule: WriteRule, batch: int = 500
) -> Iterator[tuple[WriteRecord, str, int]]:
    """Yield ``(record to write, canonical id, golden version)`` for records whose upstream values differ."""
    after = ""
    while True:
        rows = conn.execute(
            select(
                source_records.c.external_id, source_records.c.canonical_id, source_records.c.golden_id,
                golden_records.c.fields,
                golden_records.c.last_entry_id, ledger_entries.c.raw,
            )
            .join(golden_records, golden_records.c.canonical_id == source_records.c.canonical_id)
            .join(ledger_entries, ledger_entries.c.id == source_records.c.last_entry_id)
            .where(
                and_(source_records.c.source_instance == connector_id, source_records.c.source_object == object_name),
                source_records.c.deleted.is_(False),
                source_records.c.external_id > after,
            )
            .order_by(source_records.c.external_id)
            .limit(batch)
        ).fetchall()  # fmt: skip
        if not rows:
            return
        written = _last_written(conn, connector_id, object_name, [r.external_id for r in rows])
        for row in rows:
            previous = written.get(row.external_id)
            changes: dict[str, str] = {}
            for prop, canonical_field in rule.properties.items():
                desired = _format(row.fields.get(canonical_field))
                if desired is None:
                    continue  # never blank an upstream value the hub has no value for
                current = dotted(row.raw or {}, rule.current.format(property=prop))
                if current is not None and str(current) == desired:
                    continue
                if previous and previous["properties"].get(prop) == desired:
                    continue  # already written; the upstream's echo maps to the same golden value
                changes[prop] = desired
            if not changes:
                continue
            if rule.key == "$external_id":
                key = row.external_id
            else:
                key = _format(row.fields.get(rule.key)) or ""
                if not key:
                    continue
            # the upstream id when the source record is the one written; the golden id for its hub-id slot
            external_id = row.external_id if rule.key == "$external_id" else None
            record = WriteRecord(key=key, properties=changes, external_id=external_id, hub_id=row.golden_id)
            yield record, row.canonical_id, row.last_entry_id
        after = rows[-1].external_id


def writeback(
    hub: Hub, connector_id: str, object_name: str, *, dry_run: bool = False, limit: int | None = None
) -> WritebackReport:
    """Plan and (unless ``dry_run``) perform the write-back of one object of one connector."""
    kind = hub.store.kind_of(connector_id)
    mapping = hub.mappers.get(kind).spec.objects.get(object_name)
    if mapping is None or mapping.write is None:
        raise WritebackError(f"mappings/{kind}.yaml declares no write-back for {object_name!r}")
    rule = mapping.write
    report = WritebackReport(connector_id=connector_id, object=object_name, dry_run=dry_run)
    with hub.reader.connect() as conn:
        planned = list(plan(conn, connector_id, object_name, rule))
        report.examined = conn.execute(
            select(func.count())
            .select_from(source_records)
            .where(source_records.c.source_instance == connector_id, source_records.c.source_object == object_name)
        ).scalar_one()
    if limit is not None:
        planned = planned[:limit]
    report.planned = len(planned)
    report.sample = [{"key": r.key, "properties": r.properties} for r, _, _ in planned[:5]]
    if dry_run or not planned:
        return report
    connector = hub.store.build(connector_id)
    try:
        results: list[WriteResult] = connector.write(
            object_name, [r for r, _, _ in planned], id_property=rule.id_property
        )
    finally:
        connector.close()
    now = datetime.now(UTC)
    log_rows, dead = [], []
    for (record, canonical_id, version), result in zip(planned, results, strict=True):
        external_id = record.key if rule.key == "$external_id" else (result.external_id or record.key)
        log_rows.append({
            "created_at": now, "connector_id": connector_id, "source_object": object_name,
            "external_id": external_id, "canonical_id": canonical_id, "properties": record.properties,
            "status": "ok" if result.ok else "failed", "error": result.error, "golden_entry_id": version,
        })  # fmt: skip
        if not result.ok:
            dead.append({
                "created_at": now, "source_system": kind, "source_instance": connector_id,
                "source_object": object_name, "external_id": external_id, "stage": "write",
                "reason": result.error or "rejected by the upstream", "field": None,
                "raw": {"id_property": rule.id_property, "key": record.key, "properties": record.properties},
                "status": "open",
            })  # fmt: skip
    with hub.engine.begin() as conn:
        conn.execute(insert(write_log), log_rows)
        if dead:
            conn.execute(insert(dead_letters), dead)
    report.written = sum(1 for r in results if r.ok)
    report.failed = len(results) - report.written
    return report
