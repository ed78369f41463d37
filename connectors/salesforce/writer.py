"""Write-back: update by record Id, or upsert by an external-id field; one result per record.

One record goes alone (``PATCH /sobjects/{Obj}/{Id}`` or ``PATCH /sobjects/{Obj}/{Field}/{value}``);
more go as sObject Collections of at most 200 with ``allOrNone: false``, so one bad record fails
alone. Upsert answers: 201 created, 200 (API >= 46) or 204 (older) updated, 300 several records
match the value, 404 no such field. A collection answers 200 with a result per record, in order:
``{"id", "success", "created", "errors": [{"statusCode", "message", "fields"}]}``.

https://developer.salesforce.com/docs/platform/api-rest/guide/dome-upsert.html
https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-upsert.html
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import httpx

from connectors.salesforce import soql
from connectors.salesforce.errors import describe, error_items
from connectors.salesforce.streams import COMPOSITE_LIMIT
from connectors.sdk import Requester, RequestRejected, WriteRecord, WriteResult

_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
ID_FIELD = "Id"


def _rejected(record: WriteRecord, exc: RequestRejected) -> WriteResult:
    items = error_items(exc.body)
    return WriteResult(
        key=record.key, ok=False, error=describe(items) or str(exc), details={"status": exc.status, "errors": items}
    )


class Writer:
    """Writes records of one API version; ``write`` picks single calls or collections."""

    def __init__(self, requester: Requester, api_version: str) -> None:
        self.requester = requester
        self.base = f"/services/data/v{api_version}"

    def write(self, sobject: str, records: list[WriteRecord], id_property: str) -> list[WriteResult]:
        if not _FIELD.match(id_property):
            raise ValueError(f"not a field API name: {id_property!r}")
        if len(records) == 1:
            return [self._one(sobject, id_property, records[0])]
        results: list[WriteResult] = []
        for start in range(0, len(records), COMPOSITE_LIMIT):
            results.extend(self._collection(sobject, id_property, records[start : start + COMPOSITE_LIMIT]))
        return results

    def _one(self, sobject: str, field: str, record: WriteRecord) -> WriteResult:
        body = {name: value for name, value in record.properties.items() if name != field}
        if field == ID_FIELD:
            if not soql.is_record_id(record.key):
                return WriteResult(key=record.key, ok=False, error=f"not a Salesforce record id: {record.key!r}")
            # https://developer.salesforce.com/docs/platform/api-rest/guide/dome-update-record.html
            url = f"{self.base}/sobjects/{sobject}/{record.key}"
        else:
            # https://developer.salesforce.com/docs/platform/api-rest/guide/dome-upsert.html
            url = f"{self.base}/sobjects/{sobject}/{field}/{quote(record.key, safe='')}"
        try:
            response = self.requester.request("PATCH", url, json=body)
        except RequestRejected as exc:
            return _rejected(record, exc)
        return self._single_result(record, field, response)

    @staticmethod
    def _single_result(record: WriteRecord, field: str, response: httpx.Response) -> WriteResult:
        if response.status_code == 300:
            matches = response.json() if response.content else []
            count = len(matches) if isinstance(matches, list) else "several"
            error = f"{count} records match {field} = {record.key!r}"
            return WriteResult(key=record.key, ok=False, error=error, details={"status": 300})
        if response.status_code == 204 or not response.content:
            own_id = record.key if field == ID_FIELD else None
            return WriteResult(key=record.key, ok=True, external_id=own_id, created=False)
        payload: dict[str, Any] = response.json()
        if payload.get("success") is False:
            items = payload.get("errors") or []
            return WriteResult(key=record.key, ok=False, error=describe(items) or "rejected", details={"errors": items})
        created = payload.get("created", response.status_code == 201)
        return WriteResult(key=record.key, ok=True, external_id=payload.get("id"), created=bool(created))

    def _collection(self, sobject: str, field: str, batch: list[WriteRecord]) -> list[WriteResult]:
        results: dict[int, WriteResult] = {}
        sendable: list[tuple[int, WriteRecord]] = []
        for n, record in enumerate(batch):
            if field == ID_FIELD and not soql.is_record_id(record.key):
                results[n] = WriteResult(key=record.key, ok=False, error=f"not a Salesforce record id: {record.key!r}")
            else:
                sendable.append((n, record))
        if sendable:
            results.update(self._send_collection(sobject, field, sendable))
        return [results[n] for n in range(len(batch))]

    def _send_collection(
        self, sobject: str, field: str, sendable: list[tuple[int, WriteRecord]]
    ) -> dict[int, WriteResult]:
        body = {
            "allOrNone": False,
            "records": [{"attributes": {"type": sobject}, **r.properties, field: r.key} for _, r in sendable],
        }
        if field == ID_FIELD:
            # https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-update.html
            url = f"{self.base}/composite/sobjects"
        else:
            # https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-upsert.html
            url = f"{self.base}/composite/sobjects/{sobject}/{field}"
        try:
            answers = self.requester.request("PATCH", url, json=body).json()
        except RequestRejected as exc:
            return {n: _rejected(record, exc) for n, record in sendable}
        if not isinstance(answers, list) or len(answers) != len(sendable):
            error = f"sObject Collections answered {type(answers).__name__} for {len(sendable)} records"
            return {n: WriteResult(key=record.key, ok=False, error=error) for n, record in sendable}
        return {n: _item_result(record, field, answer) for (n, record), answer in zip(sendable, answers, strict=True)}


def _item_result(record: WriteRecord, field: str, answer: Any) -> WriteResult:
    if not isinstance(answer, dict):
        return WriteResult(key=record.key, ok=False, error="malformed result item")
    if answer.get("success"):
        own_id = answer.get("id") or (record.key if field == ID_FIELD else None)
        return WriteResult(key=record.key, ok=True, external_id=own_id, created=bool(answer.get("created", False)))
    items = [item for item in answer.get("errors") or [] if isinstance(item, dict)]
    return WriteResult(key=record.key, ok=False, error=describe(items) or "rejected", details={"errors": items})
