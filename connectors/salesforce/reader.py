"""Stream reads and fetches by id, as SOQL through ``queryAll``.

Full read::        SELECT <fields> FROM <Obj> [WHERE <stream filter>] ORDER BY SystemModstamp, Id
Incremental read:  ... WHERE [<stream filter> AND] SystemModstamp >= <cursor - lookback> ORDER BY ...
Fetch by id:       SELECT <fields> FROM <Obj> WHERE Id IN ('...', ...) [AND <stream filter>]

Deletes: ``queryAll`` returns recycle-bin rows with ``IsDeleted = true`` in the same query, ordered by
the same ``SystemModstamp`` (a delete stamps it), so tombstones ride the one cursor and the one
resumable page chain. ``getDeleted`` would add a second endpoint and cursor for the same 15-day
window. Either way, a record purged from the recycle bin before a sync sees it is missed.

Opportunities read incrementally take a second phase: ``OpportunityPartner`` rows changed since the
cursor (deleted ones included) name opportunities whose partner roles changed without the
opportunity itself changing; those are re-read. Resume positions: ``{"url": ...}`` in the first
phase, ``{"phase": "partner_changes"[, "url": ...]}`` in the second. The stream's cursor is
``_hub.cursor`` (= SystemModstamp), left null on re-read records: they are fetched after the first
phase's snapshot, so their newer stamps could carry the cursor past changes the snapshot missed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from connectors.salesforce import enrich, soql
from connectors.salesforce.config import SalesforceConfig
from connectors.salesforce.normalise import normalise
from connectors.salesforce.query import Record, Soql
from connectors.salesforce.streams import CURSOR_FIELD, SOBJECTS
from connectors.sdk import Page, ReadRequest, StreamSpec

ORDER = f"{CURSOR_FIELD}, Id"
PARTNER_PHASE = "partner_changes"


class StreamReader:
    """Reads the connector's streams; one per connector (it caches the deal-registration record type)."""

    def __init__(self, runner: Soql, config: SalesforceConfig) -> None:
        self.runner = runner
        self.config = config
        self._record_type_id = config.deal_registration_record_type_id

    def deal_registration_type_id(self, *, lookup: bool = True) -> str | None:
        """The Lead record type of deal registrations (looked up once unless configured)."""
        if self._record_type_id is None and lookup:
            self._record_type_id = enrich.record_type_id(self.runner, "Lead", self.config.deal_registration_record_type)
        return self._record_type_id

    def _filters(self, stream: str) -> list[str]:
        if stream == "deal_registrations":
            return [f"RecordTypeId = {soql.string_literal(self.deal_registration_type_id() or '')}"]
        return []

    def query(self, stream: str, since: str | None) -> str:
        """The SOQL of a full (``since`` None) or incremental read of ``stream``."""
        where = self._filters(stream) + ([f"{CURSOR_FIELD} >= {since}"] if since else [])
        return soql.select(SOBJECTS[stream].sobject, self.config.fields(stream), where, order_by=ORDER)

    def since(self, request: ReadRequest) -> str | None:
        if request.mode != "incremental" or not request.cursor:
            return None
        return soql.datetime_literal(request.cursor, minus_seconds=self.config.incremental_lookback_seconds)

    def read(self, spec: StreamSpec, request: ReadRequest) -> Iterator[Page]:
        """Pages of normalised records; see the module docstring for the queries and resume positions."""
        stream, since = spec.name, self.since(request)
        resume: dict[str, Any] = dict(request.resume or {})
        two_phase = stream == "opportunities" and since is not None
        catalog = enrich.ProgramCatalog(self.runner)  # loaded once per read, if the stream needs it
        if resume.get("phase") != PARTNER_PHASE:
            # https://developer.salesforce.com/docs/platform/api-rest/guide/resources-queryall.md
            pages = self.runner.pages(self.query(stream, since), spec=spec, resume_url=resume.get("url"))
            for records, next_url in pages:
                records = self.finish(stream, records, catalog)
                if next_url:
                    yield Page(records, {"url": next_url})
                else:
                    yield Page(records, {"phase": PARTNER_PHASE} if two_phase else None)
            resume = {}
        if two_phase:
            assert since is not None
            yield from self._partner_changes(since, resume.get("url"))

    def _partner_changes(self, since: str, resume_url: str | None) -> Iterator[Page]:
        query = soql.select(
            "OpportunityPartner", ("Id", "OpportunityId"), [f"{CURSOR_FIELD} >= {since}"], order_by=ORDER
        )
        # https://developer.salesforce.com/docs/platform/api-rest/guide/resources-queryall.md
        for rows, next_url in self.runner.pages(query, resume_url=resume_url):
            ids = [str(row.get("OpportunityId")) for row in rows]
            records = self.fetch("opportunities", [i for i in dict.fromkeys(ids) if soql.is_record_id(i)])
            for record in records:
                record["_hub"]["cursor"] = None  # never moves the cursor (module docstring)
            yield Page(records, {"phase": PARTNER_PHASE, "url": next_url} if next_url else None)

    def fetch(self, stream: str, ids: list[str]) -> list[Record]:
        """Current records by id, deleted ones included (``IsDeleted = true``); unknown ids are absent."""
        wanted = [i for i in dict.fromkeys(ids) if soql.is_record_id(i)]
        found: list[Record] = []
        for part in enrich.chunks(wanted):
            where = [f"Id IN {soql.id_list(part)}", *self._filters(stream)]
            query = soql.select(SOBJECTS[stream].sobject, self.config.fields(stream), where)
            # https://developer.salesforce.com/docs/platform/api-rest/guide/resources-queryall.md
            found.extend(self.runner.rows(query))
        return self.finish(stream, found)

    def finish(self, stream: str, records: list[Record], catalog: enrich.ProgramCatalog | None = None) -> list[Record]:
        """Fold in related rows, then normalise (associations, derived values)."""
        if stream == "opportunities":
            enrich.attach_partners(self.runner, records)
        elif stream == "channel_program_members":
            (catalog or enrich.ProgramCatalog(self.runner)).attach(records)
        return [normalise(stream, record) for record in records]
