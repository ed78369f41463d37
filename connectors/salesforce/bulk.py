"""Large full reads through Bulk API 2.0 query jobs, as records equal to the REST path's.

A full read of a stream with more than ``bulk_threshold`` rows (``SELECT COUNT()`` through
``queryAll``, the read's own filter) runs the REST read's SOQL as a ``queryAll`` job:

1. ``POST /services/data/vXX.X/jobs/query`` ``{"operation": "queryAll", "query": ..., "contentType":
   "CSV", "columnDelimiter": "COMMA", "lineEnding": "LF"}``;
2. ``GET .../jobs/query/{id}`` until ``JobComplete``: first at once, then after 0.5 s, 1 s, 2 s ...
   (at most ``bulk_poll_max_interval_seconds`` apart), for at most ``bulk_poll_timeout_seconds`` in
   all (then the job is aborted and the read fails, transiently). A ``Failed`` or ``Aborted`` job is
   replaced by a new one up to ``bulk_job_attempts`` times in all, then the read fails, transiently;
3. ``GET .../jobs/query/{id}/results?maxRecords=N[&locator=L]``: CSV chunks of ``bulk_max_records``
   rows, the next one named by ``Sforce-Locator`` (``null`` after the last). Each chunk is handed on
   in pages of ``page_size`` records; a page's resume position is ``{"job", "locator", "skip"}``: the
   chunk it came from and the rows of that chunk already committed. Locators stay valid while the
   job exists, so a resumed read refetches that chunk and skips what it committed; a job gone (404,
   deleted or expired) starts the read over with a new job, which is safe (the ledger drops re-read
   records by content hash). The job is deleted once its last chunk is in hand.

CSV values are text; each is turned back into the JSON value the REST API gives for the field's
describe type, so records (and the ledger's content hashes) are identical whichever way they were
read: empty → ``None``; ``boolean`` → ``True``/``False``; ``int`` → ``int``; ``double``,
``currency``, ``percent`` → ``float``; ``datetime`` ``2024-05-01T10:00:00.000Z`` →
``2024-05-01T10:00:00.000+0000``; everything else (ids, dates, text, picklists) stays a string.
Each record gets REST's ``attributes`` (``type``, ``url``). The connector selects flat fields only
(no dotted relationship columns), so no nesting is rebuilt.

https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_create_job.htm
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_one_job.htm
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_abort_job.htm
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_delete_job.htm
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from connectors.salesforce.errors import error_codes
from connectors.sdk import Requester, RequestRejected, TransientError, UpstreamError

log = logging.getLogger(__name__)

Record = dict[str, Any]
Position = dict[str, Any]
FLOAT_TYPES = frozenset({"double", "currency", "percent"})
CONVERTED = FLOAT_TYPES | {"boolean", "int", "datetime"}
NOT_FOUND = "NOT_FOUND"


class BulkJobFailed(TransientError):
    """A query job ended ``Failed``/``Aborted`` (every attempt), or did not finish in time."""


def rest_datetime(text: str) -> str:
    """A CSV datetime (``...000Z``) in the REST form ``2024-05-01T10:00:00.000+0000``."""
    if text.endswith("Z") and len(text) == 24:
        return text[:-1] + "+0000"
    moment = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def json_value(kind: str | None, text: str) -> Any:
    """The REST JSON value of one CSV field of describe type ``kind`` (see the module docstring)."""
    if text == "":
        return None
    if kind == "boolean":
        return text.strip().lower() == "true"
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            return int(float(text))
    if kind in FLOAT_TYPES:
        return float(text)
    if kind == "datetime":
        return rest_datetime(text)
    return text


@dataclass(frozen=True)
class BulkSettings:
    """How a connector runs query jobs (from its config)."""

    max_records: int = 50_000
    page_size: int = 2000
    poll_timeout_seconds: float = 1800.0
    poll_max_interval_seconds: float = 10.0
    job_attempts: int = 2


class BulkQuery:
    """Runs Bulk API 2.0 query jobs against one API version (see the module docstring)."""

    def __init__(
        self,
        requester: Requester,
        api_version: str,
        settings: BulkSettings,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.requester = requester
        self.api_version = api_version
        self.settings = settings
        self._sleep = sleep
        self.base = f"/services/data/v{api_version}/jobs/query"

    def count(self, soql: str) -> int:
        """``totalSize`` of a ``SELECT COUNT() ...`` through ``queryAll`` (deleted rows included)."""
        # https://developer.salesforce.com/docs/platform/api-rest/guide/resources-queryall.md
        document = self.requester.get_json(f"/services/data/v{self.api_version}/queryAll", params={"q": soql})
        try:
            return int(document["totalSize"])
        except (KeyError, TypeError, ValueError):
            raise UpstreamError("COUNT() answer has no totalSize") from None

    def run_job(self, soql: str) -> str:
        """Create a ``queryAll`` job and wait for ``JobComplete``; the job id."""
        attempts = max(1, self.settings.job_attempts)
        for attempt in range(1, attempts + 1):
            body = {"operation": "queryAll", "query": soql, "contentType": "CSV", "columnDelimiter": "COMMA",
                    "lineEnding": "LF"}  # fmt: skip
            job_id = str(self.requester.post_json(self.base, body)["id"])
            state, message = self._wait(job_id)
            if state == "JobComplete":
                return job_id
            log.warning("Bulk API query job %s ended %s (%s); attempt %d of %d", job_id, state, message,
                        attempt, attempts)  # fmt: skip
            if attempt == attempts:
                raise BulkJobFailed(f"Bulk API query job {job_id} ended {state}: {message}")
        raise AssertionError("unreachable")

    def _wait(self, job_id: str) -> tuple[str, str]:
        """Poll with backoff until the job is final; ``(state, errorMessage)``."""
        waited, interval = 0.0, 0.5
        while True:
            info = self.requester.get_json(f"{self.base}/{job_id}")
            state = str(info.get("state"))
            if state in ("JobComplete", "Failed", "Aborted"):
                return state, str(info.get("errorMessage") or "no error message")
            if waited >= self.settings.poll_timeout_seconds:
                self._abort(job_id)
                raise BulkJobFailed(f"Bulk API query job {job_id} still {state} after {waited:.0f} s; aborted it")
            step = min(interval, self.settings.poll_max_interval_seconds)
            self._sleep(step)
            waited += step
            interval *= 2

    def _abort(self, job_id: str) -> None:
        try:
            self.requester.request("PATCH", f"{self.base}/{job_id}", json={"state": "Aborted"})
        except UpstreamError as exc:
            log.info("could not abort Bulk API query job %s: %s", job_id, exc)

    def _delete(self, job_id: str) -> None:
        try:
            self.requester.request("DELETE", f"{self.base}/{job_id}")
        except UpstreamError as exc:
            log.info("could not delete Bulk API query job %s: %s", job_id, exc)

    def chunk(self, job_id: str, locator: str | None) -> tuple[str, str | None]:
        """One results chunk: ``(CSV text, next locator or None)``."""
        params: dict[str, Any] = {"maxRecords": self.settings.max_records}
        if locator:
            params["locator"] = locator
        response = self.requester.request(
            "GET", f"{self.base}/{job_id}/results", params=params, headers={"Accept": "text/csv"}
        )
        following = response.headers.get("Sforce-Locator")
        return response.text, (None if following in (None, "", "null") else following)

    def pages(
        self, soql: str, sobject: str, types: Mapping[str, str], resume: Position | None
    ) -> Iterator[tuple[list[Record], Position | None]]:
        """``(records, resume position or None after the last)`` per page of ``page_size``."""
        if resume:
            job_id, locator, skip = str(resume["job"]), resume.get("locator"), int(resume.get("skip") or 0)
        else:
            job_id, locator, skip = self.run_job(soql), None, 0
        while True:
            try:
                text, following = self.chunk(job_id, locator)
            except RequestRejected as exc:
                if resume is None or NOT_FOUND not in error_codes(exc.body):
                    raise
                log.warning("Bulk API query job %s is gone; starting the read over", job_id)
                resume, job_id, locator, skip = None, self.run_job(soql), None, 0
                continue
            if following is None:
                self._delete(job_id)
            rows = self._records(text, sobject, types)
            consumed = skip
            batch = list(itertools.islice(rows, skip, skip + self.settings.page_size))
            while True:
                consumed += len(batch)
                after = list(itertools.islice(rows, self.settings.page_size))
                if after:
                    yield batch, {"job": job_id, "locator": locator, "skip": consumed}
                    batch = after
                    continue
                if following is None:
                    yield batch, None
                    return
                yield batch, {"job": job_id, "locator": following, "skip": 0}
                break
            locator, skip = following, 0

    def _records(self, text: str, sobject: str, types: Mapping[str, str]) -> Iterator[Record]:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if header is None:
            return
        kinds = [types.get(name.lower()) for name in header]
        plain = [n for n, kind in enumerate(kinds) if kind not in CONVERTED]  # text: only "" → None
        typed = [(n, kind) for n, kind in enumerate(kinds) if kind in CONVERTED]
        prefix = f"/services/data/v{self.api_version}/sobjects/{sobject}/"
        id_at = header.index("Id") if "Id" in header else None
        for row in reader:
            values: list[Any] = row
            for n in plain:
                if values[n] == "":
                    values[n] = None
            for n, kind in typed:
                values[n] = json_value(kind, values[n])
            url = prefix + (str(values[id_at]) if id_at is not None else "None")
            record: Record = {"attributes": {"type": sobject, "url": url}}
            record.update(zip(header, values, strict=False))
            yield record
