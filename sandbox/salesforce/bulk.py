"""Bulk API 2.0 query jobs: creation, the job state machine and CSV result pages.

A job is created from ``{"operation": "query"|"queryAll", "query": SOQL[, "contentType": "CSV",
"columnDelimiter", "lineEnding"]}``.  The SOQL goes through the sandbox's parser and compiler (so
unknown fields and objects fail as in REST), after a check for what Bulk API 2.0 refuses: aggregate
functions (``COUNT()`` included) and ``GROUP BY``, ``OFFSET``, ``TYPEOF`` and parent-to-child
(nested) sub-queries.  The matching rows are fixed when the job is created (the job keeps references
to them, in query order, like a REST query cursor); their values are read when a page is served.

State: ``UploadComplete`` at creation; each ``GET`` of the job answers ``InProgress`` for the first
``bulk_polls_to_complete`` polls (config, default 1), then ``JobComplete`` — or ``Failed`` with an
``errorMessage`` for the next ``bulk_fail_jobs`` jobs created (config, a test control).  ``PATCH``
``{"state": "Aborted"}`` aborts a job that has not finished.

Results: pages of at most ``maxRecords`` rows (default 50,000), each a CSV document with its own
header row; every value is double-quoted (``"`` doubled inside), a null is an empty unquoted field,
booleans ``true``/``false``, datetimes ``2024-05-01T10:00:00.000Z``, relationship fields as dotted
columns (``Account.Name``).  ``Sforce-Locator`` names the next page (base64 of its row offset, as
Salesforce's ``MTAwMDA`` is) or is the string ``null`` on the last one; ``Sforce-NumberOfRecords``
counts the page's rows.  A page is written in chunks as it is sent, never held whole.  Results of a
job created under another API version answer 409 (as the guide says); an unknown job id 404
``NOT_FOUND``; ``DELETE`` answers 204 and refuses a job ``InProgress``.

Not in the guide, chosen here (``[U]``): the error codes ``INVALIDJOBSTATE`` (results of a job not
``JobComplete``, an abort of a finished job: the guide lists ``InvalidJobState``), ``INVALIDJOB``
(a bad creation body: ``InvalidJob``), ``API_ERROR`` (SOQL the Bulk API refuses), ``INVALIDLOCATOR``
and ``INVALIDREQUEST`` (bad ``locator`` / ``maxRecords``), and nulls as unquoted empty fields.

https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_create_job.htm
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_one_job.htm
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_all_jobs.htm
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from sandbox.salesforce.errors import SalesforceError, bad_request, not_found
from sandbox.salesforce.ids import make_id
from sandbox.salesforce.schema import FieldDef
from sandbox.salesforce.soql_ast import tokenize
from sandbox.salesforce.soql_eval import SelectNode, compile_query
from sandbox.salesforce.soql_parser import parse
from sandbox.salesforce.soql_run import execute
from sandbox.salesforce.store import Record, Store
from sandbox.salesforce.values import format_datetime

DELIMITERS = {"BACKQUOTE": "`", "CARET": "^", "COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "TAB": "\t"}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
OPERATIONS = ("query", "queryAll")
AGGREGATES = frozenset({"COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX"})
DEFAULT_MAX_RECORDS = 50_000
CHUNK_ROWS = 1000
FINAL = ("JobComplete", "Failed", "Aborted")
FAILED_MESSAGE = "InternalServerError : The query job failed while it was processed; create a new job."


def job_state_error(message: str) -> SalesforceError:
    """400 ``INVALIDJOBSTATE`` (the documented Bulk API 2.0 code ``InvalidJobState``)."""
    return bad_request("INVALIDJOBSTATE", message)


def unsupported(message: str) -> SalesforceError:
    """400 for SOQL Bulk API 2.0 does not run."""
    return bad_request("API_ERROR", message)


def refused_feature(soql: str) -> str | None:
    """What of ``soql`` Bulk API 2.0 refuses (aggregates, GROUP BY, OFFSET, TYPEOF, nested queries)."""
    tokens = tokenize(soql)
    for i, token in enumerate(tokens[:-1]):
        word, nxt = token.value.upper(), tokens[i + 1]
        previous = tokens[i - 1].value.upper() if i else ""
        if token.kind == "ident" and word in AGGREGATES and nxt.value == "(":
            return f"Aggregate functions such as {word}() are not supported by Bulk API 2.0 query"
        if token.kind == "ident" and word == "GROUP" and nxt.value.upper() == "BY":
            return "GROUP BY is not supported by Bulk API 2.0 query"
        if token.kind == "ident" and word == "OFFSET" and nxt.kind == "number":
            return "OFFSET is not supported by Bulk API 2.0 query"
        if token.kind == "ident" and word == "TYPEOF":
            return "TYPEOF is not supported by Bulk API 2.0 query"
        if token.value == "(" and nxt.value.upper() == "SELECT" and previous in (",", "SELECT"):
            return "Parent-to-child relationship (nested) queries are not supported by Bulk API 2.0 query"
    return None


def columns(node: SelectNode, prefix: str = "") -> list[str]:
    """CSV header: selected fields in SELECT order, relationship fields dotted."""
    out: list[str] = []
    for kind, item in node.entries:
        if kind == "field":
            out.append(prefix + item.name)
        else:
            out.extend(columns(node.children[item][1], f"{prefix}{item}."))
    return out


def csv_value(fd: FieldDef, value: Any) -> str:
    """One CSV field: null empty and unquoted, everything else quoted."""
    if value is None:
        return ""
    if fd.type == "datetime":
        text = format_datetime(int(value)).removesuffix("+0000") + "Z"
    elif fd.type == "boolean":
        text = "true" if value else "false"
    elif fd.type in ("double", "currency", "percent"):
        text = repr(float(value))
    else:
        text = str(value)
    return '"' + text.replace('"', '""') + '"'


def row_values(node: SelectNode, record: Record | None, store: Store) -> Iterator[str]:
    """A row's CSV fields (in :func:`columns` order); a missing or deleted parent gives nulls."""
    for kind, item in node.entries:
        if kind == "field":
            yield csv_value(item, record[item.name] if record is not None else None)
            continue
        fd, child = node.children[item]
        ref = record[fd.name] if record is not None else None
        parent = store.tables[child.obj.name].get_live(ref) if ref else None
        yield from row_values(child, parent, store)


def encode_locator(offset: int) -> str:
    """Base64 of the row offset, unpadded (``10000`` → ``MTAwMDA``)."""
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def decode_locator(locator: str) -> int | None:
    """The row offset of a locator, ``None`` if it is not one."""
    try:
        text = base64.b64decode(locator + "=" * (-len(locator) % 4), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return int(text) if text.isdigit() else None


@dataclass
class QueryJob:
    """One Bulk API 2.0 query job."""

    id: str
    operation: str
    object: str
    created_ms: int
    api_version: str
    column_delimiter: str
    line_ending: str
    select: SelectNode
    records: list[Record]
    created_by: str
    fails: bool = False
    state: str = "UploadComplete"
    modstamp_ms: int = 0
    polls: int = 0

    def info(self, *, full: bool) -> dict[str, Any]:
        """JobInfo: the creation answer's fields, plus the counters when ``full``."""
        body: dict[str, Any] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.object,
            "createdById": self.created_by,
            "createdDate": format_datetime(self.created_ms),
            "systemModstamp": format_datetime(self.modstamp_ms or self.created_ms),
            "state": self.state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.api_version),
        }
        if full:
            body["jobType"] = "V2Query"
        body["lineEnding"] = self.line_ending
        body["columnDelimiter"] = self.column_delimiter
        if full:
            done = self.state == "JobComplete"
            body["numberRecordsProcessed"] = len(self.records) if done else 0
            body["retries"] = 1 if self.state == "Failed" else 0
            body["totalProcessingTime"] = max(1, len(self.records) // 100) if self.state in FINAL else 0
            body["isPkChunkingSupported"] = True
            if self.state == "Failed":
                body["errorMessage"] = FAILED_MESSAGE
        return body


class BulkQueryJobs:
    """The org's query jobs (kept until deleted or the world is replaced)."""

    def __init__(self) -> None:
        self.jobs: dict[str, QueryJob] = {}
        self._counter = 0

    def reset(self) -> None:
        """Forget every job (the data changed wholesale)."""
        self.jobs.clear()

    def create(self, store: Store, body: Any, version: str, now_ms: int, user_id: str, fail: bool) -> QueryJob:
        """Validate the request body, run the query's selection and keep the job."""
        if not isinstance(body, dict):
            raise bad_request("JSON_PARSER_ERROR", "The request body must be a JSON object")
        operation, soql = body.get("operation"), body.get("query")
        if operation not in OPERATIONS:
            raise bad_request("INVALIDJOB", f"InvalidJob : Invalid operation: {operation!r} (query or queryAll)")
        if not isinstance(soql, str) or not soql.strip():
            raise bad_request("INVALIDJOB", "InvalidJob : A query is required for a query job")
        content = body.get("contentType", "CSV")
        delimiter = body.get("columnDelimiter", "COMMA")
        ending = body.get("lineEnding", "LF")
        if content != "CSV":
            raise bad_request("INVALIDJOB", f"InvalidJob : Unsupported contentType: {content!r} (CSV)")
        if delimiter not in DELIMITERS:
            raise bad_request("INVALIDJOB", f"InvalidJob : Invalid columnDelimiter: {delimiter!r}")
        if ending not in LINE_ENDINGS:
            raise bad_request("INVALIDJOB", f"InvalidJob : Invalid lineEnding: {ending!r} (LF or CRLF)")
        refused = refused_feature(soql)
        if refused is not None:
            raise unsupported(refused)
        compiled = compile_query(parse(soql), store, now_ms)
        records = execute(compiled, store, include_deleted=operation == "queryAll")
        self._counter += 1
        job = QueryJob(
            id=make_id("750", 4_000_000 + self._counter),
            operation=operation,
            object=compiled.obj.name,
            created_ms=now_ms,
            api_version=version,
            column_delimiter=delimiter,
            line_ending=ending,
            select=compiled.select,
            records=records,
            created_by=user_id,
            fails=fail,
        )
        self.jobs[job.id] = job
        return job

    def get(self, job_id: str) -> QueryJob:
        """A job by id; 404 ``NOT_FOUND`` for an unknown one."""
        job = self.jobs.get(job_id)
        if job is None:
            raise not_found()
        return job

    def poll(self, job_id: str, now_ms: int, polls_to_complete: int) -> QueryJob:
        """A job as a status request sees it, advancing its state (see the module docstring)."""
        job = self.get(job_id)
        if job.state in FINAL:
            return job
        if job.polls >= polls_to_complete:
            job.state = "Failed" if job.fails else "JobComplete"
        else:
            job.state = "InProgress"
        job.polls += 1
        job.modstamp_ms = now_ms
        return job

    def abort(self, job_id: str, body: Any, now_ms: int) -> QueryJob:
        """``PATCH {"state": "Aborted"}``."""
        job = self.get(job_id)
        if not isinstance(body, dict) or body.get("state") != "Aborted":
            raise job_state_error("InvalidJobState : A query job can only be set to the state Aborted")
        if job.state in FINAL:
            raise job_state_error(f"InvalidJobState : Cannot abort a job in state {job.state}")
        job.state, job.modstamp_ms = "Aborted", now_ms
        return job

    def delete(self, job_id: str) -> None:
        """Delete a job that is not being processed."""
        job = self.get(job_id)
        if job.state == "InProgress":
            raise job_state_error("InvalidJobState : A job in state InProgress cannot be deleted")
        del self.jobs[job_id]

    def listing(self, job_type: str | None) -> dict[str, Any]:
        """``GET /jobs/query``: every job (one page)."""
        jobs = [] if job_type not in (None, "V2Query") else list(self.jobs.values())
        return {"done": True, "records": [job.info(full=True) for job in jobs], "nextRecordsUrl": None}

    def page(self, job_id: str, version: str, locator: str | None, max_records: str | None) -> ResultPage:
        """The result page at ``locator`` (the first when absent)."""
        job = self.get(job_id)
        if job.api_version != version:
            raise SalesforceError(
                409, "CONFLICT", f"Use API version {job.api_version} (the job's) to get the results of this job"
            )
        if job.state != "JobComplete":
            raise job_state_error(
                f"InvalidJobState : Results are available once the job is JobComplete; job {job.id} is {job.state}"
            )
        offset = 0
        if locator:
            decoded = decode_locator(locator)
            if decoded is None or decoded > len(job.records):
                raise bad_request("INVALIDLOCATOR", f"Invalid locator: {locator}")
            offset = decoded
        size = DEFAULT_MAX_RECORDS
        if max_records is not None:
            if not max_records.isdigit() or int(max_records) < 1:
                raise bad_request("INVALIDREQUEST", f"maxRecords must be a positive integer: {max_records}")
            size = int(max_records)
        end = min(offset + size, len(job.records))
        return ResultPage(job, offset, end, encode_locator(end) if end < len(job.records) else "null")


@dataclass
class ResultPage:
    """Rows ``start``..``end`` of a job's results and the next page's locator."""

    job: QueryJob
    start: int
    end: int
    next_locator: str

    async def body(self, store: Store) -> AsyncIterator[bytes]:
        """The CSV document, a chunk of rows at a time (on the event loop: the store is not shared)."""
        job = self.job
        delimiter, ending = DELIMITERS[job.column_delimiter], LINE_ENDINGS[job.line_ending]
        header = delimiter.join('"' + name.replace('"', '""') + '"' for name in columns(job.select))
        yield (header + ending).encode()
        for chunk in range(self.start, self.end, CHUNK_ROWS):
            rows = job.records[chunk : min(chunk + CHUNK_ROWS, self.end)]
            text = "".join(delimiter.join(row_values(job.select, record, store)) + ending for record in rows)
            yield text.encode()
