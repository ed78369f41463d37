"""Stream reads and fetches by id, as SOQL through ``queryAll``, driven by the streams' data.

Full read::        SELECT <fields> FROM <Obj> [WHERE <stream filter>] ORDER BY SystemModstamp, Id
Incremental read:  ... WHERE [<stream filter> AND] SystemModstamp >= <cursor - lookback> ORDER BY ...
Fetch by id:       SELECT <fields> FROM <Obj> WHERE Id IN ('...', ...) [AND <stream filter>]

A full read of a stream with more rows than ``bulk_threshold`` (``SELECT COUNT()``) runs the full
read's SOQL as a Bulk API 2.0 ``queryAll`` job instead, its CSV turned back into the REST records
(bulk.py, docs/adr/0023); its resume position is ``{"bulk": {"job", "locator", "skip"}}``.

``<fields>`` are the stream's (config.fields) that the org's describe lists (org.py); a default
field the org lacks is left out, an ``extra_fields`` entry it lacks is a ``ConfigError``. A stream
whose ``requires`` objects the org lacks (channel programs without PRM) is *unavailable*: its read
yields one empty last page and logs why, so a sync run of every stream still succeeds, and
``StreamReader.unavailable`` names it for ``check()``.

Deletes: ``queryAll`` returns recycle-bin rows with ``IsDeleted = true`` in the same query, ordered by
the same ``SystemModstamp`` (a delete stamps it), so tombstones ride the one cursor and the one
resumable page chain. ``getDeleted`` would add a second endpoint and cursor for the same 15-day
window. Either way, a record purged from the recycle bin before a sync sees it is missed.

A stream with ``reread_when`` read incrementally takes a second phase (opportunities: rows of
``OpportunityPartner`` changed since the cursor, deleted ones included, name opportunities whose
partner roles changed without the opportunity itself changing); those are re-read. Resume positions:
``{"url": ...}`` in the first phase (the next-URL strategy's), ``{"phase": "partner_changes"[, "url": ...]}``
in the second. The opportunities' cursor is ``_hub.cursor`` (= SystemModstamp), left null on re-read
records: they are fetched after the first phase's snapshot, so their newer stamps could carry the
cursor past changes the snapshot missed. Why this phase is code and not a strategy: docs/adr/0014.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from connectors.salesforce import enrich, soql
from connectors.salesforce.bulk import BulkQuery
from connectors.salesforce.config import SalesforceConfig
from connectors.salesforce.normalise import normalise
from connectors.salesforce.org import OrgSchema
from connectors.salesforce.query import Record, Soql
from connectors.salesforce.streams import CURSOR_FIELD, REQUIRED_FIELDS, SOBJECTS, SObjectStream
from connectors.sdk import ConfigError, Page, ReadRequest, StreamSpec

log = logging.getLogger(__name__)

ORDER = f"{CURSOR_FIELD}, Id"
REREAD_PHASE = "partner_changes"  # named when opportunities were the only such stream; kept for stored positions


class StreamReader:
    """Reads the connector's streams; one per connector (it caches describe and the record type)."""

    def __init__(
        self, runner: Soql, config: SalesforceConfig, org: OrgSchema | None = None, bulk: BulkQuery | None = None
    ) -> None:
        self.runner = runner
        self.config = config
        self.org = org or OrgSchema(runner.requester, runner.api_version)
        self.bulk = bulk
        self._record_type_id = config.deal_registration_record_type_id
        self._fields: dict[str, tuple[str, ...]] = {}

    def deal_registration_type_id(self, *, lookup: bool = True) -> str | None:
        """The Lead record type of deal registrations (looked up once unless configured)."""
        if self._record_type_id is None and lookup:
            self._record_type_id = enrich.record_type_id(self.runner, "Lead", self.config.deal_registration_record_type)
        return self._record_type_id

    def unavailable(self, stream: str) -> str | None:
        """Why the org cannot serve ``stream`` (objects it lacks), or None."""
        missing = self.org.missing(SOBJECTS[stream].requires)
        return f"the org has no {', '.join(missing)} (a feature it does not have enabled)" if missing else None

    def fields(self, stream: str) -> tuple[str, ...]:
        """The configured fields of ``stream`` that the org has (see the module docstring)."""
        if stream not in self._fields:
            source = SOBJECTS[stream]
            wanted = self.config.fields(stream)
            present, absent = self.org.split(source.sobject, wanted)
            extras = [name for name in absent if name in self.config.extra_fields.get(stream, ())]
            if extras or REQUIRED_FIELDS & set(absent):
                raise ConfigError(f"{stream}: {source.sobject} has no field {', '.join(extras or absent)} in this org")
            if absent:
                log.info("%s: %s lacks %s in this org; reading without them", stream, source.sobject, ", ".join(absent))
            self._fields[stream] = present
        return self._fields[stream]

    def _filters(self, source: SObjectStream) -> list[str]:
        if source.record_type:
            return [f"RecordTypeId = {soql.string_literal(self.deal_registration_type_id() or '')}"]
        return []

    def query(self, stream: str, since: str | None) -> str:
        """The SOQL of a full (``since`` None) or incremental read of ``stream``."""
        source = SOBJECTS[stream]
        where = self._filters(source) + ([f"{CURSOR_FIELD} >= {since}"] if since else [])
        return soql.select(source.sobject, self.fields(stream), where, order_by=ORDER)

    def wants_bulk(self, stream: str) -> bool:
        """Whether a full read of ``stream`` runs as a Bulk API 2.0 job: more rows than ``bulk_threshold``."""
        threshold = self.config.bulk_threshold
        if self.bulk is None or not threshold:
            return False
        source = SOBJECTS[stream]
        rows = self.bulk.count(soql.select(source.sobject, ("COUNT()",), self._filters(source)))
        if rows > threshold:
            log.info("%s: %d rows > bulk_threshold %d; reading through a Bulk API 2.0 query job", stream, rows,
                     threshold)  # fmt: skip
        return rows > threshold

    def since(self, request: ReadRequest) -> str | None:
        if request.mode != "incremental" or not request.cursor:
            return None
        return soql.datetime_literal(request.cursor, minus_seconds=self.config.incremental_lookback_seconds)

    def read(self, spec: StreamSpec, request: ReadRequest) -> Iterator[Page]:
        """Pages of normalised records; see the module docstring for the queries and resume positions."""
        source, since = SOBJECTS[spec.name], self.since(request)
        reason = self.unavailable(source.stream)
        if reason is not None:
            log.warning("salesforce stream %s is unavailable: %s; read as empty", source.stream, reason)
            yield Page([], None)
            return
        resume: dict[str, Any] = dict(request.resume or {})
        rereads = source.reread_when is not None and since is not None
        helpers = enrich.enrichers(self.runner)  # one program catalog per read, loaded if needed
        bulk_resume = resume.get("bulk")
        fresh_full = since is None and not resume
        if self.bulk is not None and (bulk_resume is not None or (fresh_full and self.wants_bulk(source.stream))):
            sobject = source.sobject
            types = self.org.types(sobject)
            for records, position in self.bulk.pages(self.query(source.stream, None), sobject, types, bulk_resume):
                yield Page(self.finish(source.stream, records, helpers), {"bulk": position} if position else None)
            return
        if resume.get("phase") != REREAD_PHASE:
            # https://developer.salesforce.com/docs/platform/api-rest/guide/resources-queryall.md
            pages = self.runner.pages(self.query(source.stream, since), spec=spec, resume_url=resume.get("url"))
            for records, next_url in pages:
                records = self.finish(source.stream, records, helpers)
                if next_url:
                    yield Page(records, {"url": next_url})
                else:
                    yield Page(records, {"phase": REREAD_PHASE} if rereads else None)
            resume = {}
        if rereads:
            assert since is not None
            yield from self._rereads(source, since, resume.get("url"))

    def _rereads(self, source: SObjectStream, since: str, resume_url: str | None) -> Iterator[Page]:
        assert source.reread_when is not None
        related, reference = source.reread_when
        query = soql.select(related, ("Id", reference), [f"{CURSOR_FIELD} >= {since}"], order_by=ORDER)
        # https://developer.salesforce.com/docs/platform/api-rest/guide/resources-queryall.md
        for rows, next_url in self.runner.pages(query, resume_url=resume_url):
            ids = [str(row.get(reference)) for row in rows]
            records = self.fetch(source.stream, [i for i in dict.fromkeys(ids) if soql.is_record_id(i)])
            for record in records:
                record["_hub"]["cursor"] = None  # never moves the cursor (module docstring)
            yield Page(records, {"phase": REREAD_PHASE, "url": next_url} if next_url else None)

    def fetch(self, stream: str, ids: list[str]) -> list[Record]:
        """Current records by id, deleted ones included (``IsDeleted = true``); unknown ids are absent."""
        wanted = [i for i in dict.fromkeys(ids) if soql.is_record_id(i)]
        if not wanted or self.unavailable(stream) is not None:
            return []
        source = SOBJECTS[stream]
        found: list[Record] = []
        for part in enrich.chunks(wanted):
            where = [f"Id IN {soql.id_list(part)}", *self._filters(source)]
            query = soql.select(source.sobject, self.fields(stream), where)
            # https://developer.salesforce.com/docs/platform/api-rest/guide/resources-queryall.md
            found.extend(self.runner.rows(query))
        return self.finish(stream, found)

    def finish(self, stream: str, records: list[Record], helpers: enrich.Enrichers | None = None) -> list[Record]:
        """Fold in related rows (the stream's ``enrich``), then normalise (associations, derived values)."""
        helpers = helpers or enrich.enrichers(self.runner)
        for name in SOBJECTS[stream].enrich:
            if records:
                helpers[name](records)
        return [normalise(stream, record) for record in records]
