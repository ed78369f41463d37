"""Write-back as HubSpot accepts it: update by record id, create, upsert only by a unique property.

HubSpot upserts only by a property whose values are unique ("idProperty query param refers to a
property whose values are unique for the object",
https://developers.hubspot.com/docs/api-reference/2026-03/crm/objects/companies/batch/upsert-companies);
the record id ``hs_object_id`` and a company's ``domain`` are not such properties, and a batch naming
either as ``idProperty`` is refused whole: 400 ``VALIDATION_ERROR`` "Unable to perform update/upsert
by non-unique 0-2 property hs_object_id in portal ID ..." (quoted in
https://github.com/segmentio/action-destinations/pull/3957). So each record goes one of three ways:

* the hub knows its HubSpot id (``WriteRecord.external_id``, or the caller addresses by
  ``hs_object_id``): ``POST .../batch/update`` with ``{"id": <record id>, "properties"}`` and no
  ``idProperty`` (https://developers.hubspot.com/docs/api-reference/latest/crm/objects/objects/batch/update-objects);
* it carries the hub's id (``WriteRecord.hub_id``): ``POST .../batch/upsert`` with
  ``{"id": <hub id>, "idProperty": <hub-id property>, "properties"}`` — created with the hub id set
  when no record holds it yet, updated otherwise;
* neither: ``POST .../batch/create``.

The hub-id property (``partner_hub_id`` by default, ``hasUniqueValue: true``) is read through the
properties API (``GET /crm/properties/2026-03/{object}/{name}``) and created when missing
(``POST /crm/properties/2026-03/{object}``,
https://developers.hubspot.com/docs/api-reference/latest/crm/properties/create-property), once per
object and connector instance; an update or create of a record with a ``hub_id`` stamps it too.
Any other ``idProperty`` is used only if the properties API says its values are unique; otherwise
the records fail here, unsent.

Results are matched to inputs by ``objectWriteTraceId`` (sent with every input, echoed in results
and in 207 errors' ``context``), else by record id / hub id. A batch refused whole fails each of its
records with HubSpot's message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from connectors.hubspot.paths import ApiPaths
from connectors.sdk import Requester, RequestRejected, UpstreamError, WriteRecord, WriteResult

RECORD_ID = "hs_object_id"
INFORMATION_GROUPS = {"companies": "companyinformation", "contacts": "contactinformation", "deals": "dealinformation"}
HUB_ID_LABEL = "Partner Hub ID"
HUB_ID_DESCRIPTION = "The partner hub's id of this record (written by the hub; unique)."


@dataclass(frozen=True)
class _Input:
    """One record on its way: which operation, the body input, and its index in the caller's list."""

    n: int
    record: WriteRecord
    verb: str  # update | upsert | create
    body: dict[str, Any]


def hubspot_message(exc: UpstreamError) -> str:
    """HubSpot's ``message`` from an error body, or the SDK error's text."""
    try:
        payload = json.loads(exc.body or "")
    except ValueError:
        return str(exc)
    message = payload.get("message") if isinstance(payload, dict) else None
    return f"{message} (HTTP {exc.status})" if message else str(exc)


class HubSpotWriter:
    """Writes batches of one object; keeps what it learnt of the portal's properties."""

    def __init__(self, requester: Requester, paths: ApiPaths, hub_id_property: str, batch_size: int = 100) -> None:
        self.requester = requester
        self.paths = paths
        self.hub_id_property = hub_id_property
        self.batch_size = batch_size
        self._unique: dict[tuple[str, str], bool] = {}
        self._ensured: set[str] = set()
        self.created_properties: list[tuple[str, str]] = []  # (object, name) created by this instance

    # --- the hub-id property ----------------------------------------------------------------------

    def _property(self, object_name: str, name: str) -> dict[str, Any] | None:
        try:
            # https://developers.hubspot.com/docs/api-reference/latest/crm/properties/get-property
            document = self.requester.get_json(f"{self.paths.properties(object_name)}/{name}")
        except RequestRejected as exc:
            if exc.status == 404:
                return None
            raise
        return document if isinstance(document, dict) else None

    def is_unique(self, object_name: str, name: str) -> bool:
        """Whether the portal's ``name`` property of ``object_name`` has unique values (cached)."""
        key = (object_name, name)
        if key not in self._unique:
            found = self._property(object_name, name)
            self._unique[key] = bool(found and found.get("hasUniqueValue"))
        return self._unique[key]

    def ensure_hub_id_property(self, object_name: str) -> None:
        """Create the hub-id property (unique values) unless the portal has it; once per object."""
        if object_name in self._ensured:
            return
        name = self.hub_id_property
        found = self._property(object_name, name)
        if found is None:
            body = {
                "name": name,
                "label": HUB_ID_LABEL,
                "type": "string",
                "fieldType": "text",
                "groupName": INFORMATION_GROUPS.get(object_name, f"{object_name}information"),
                "description": HUB_ID_DESCRIPTION,
                "hasUniqueValue": True,
                "formField": False,
            }
            try:
                found = self.requester.post_json(self.paths.properties(object_name), body)
                self.created_properties.append((object_name, name))
            except RequestRejected as exc:
                if exc.status != 409:  # 409: created meanwhile (another worker); read it
                    raise
                found = self._property(object_name, name)
        self._unique[(object_name, name)] = bool(found and found.get("hasUniqueValue"))
        self._ensured.add(object_name)

    # --- writing ------------------------------------------------------------------------------------

    def write(self, object_name: str, records: list[WriteRecord], id_property: str | None) -> list[WriteResult]:
        results: dict[int, WriteResult] = {}
        inputs: list[_Input] = []
        hub_prop = self.hub_id_property
        if any(r.hub_id for r in records) or id_property == hub_prop:
            self.ensure_hub_id_property(object_name)
        for n, record in enumerate(records):
            routed = self._route(object_name, n, record, id_property)
            if isinstance(routed, WriteResult):
                results[n] = routed
            else:
                inputs.append(routed)
        for verb in ("update", "upsert", "create"):
            group = [i for i in inputs if i.verb == verb]
            for start in range(0, len(group), self.batch_size):
                results.update(self._send(object_name, verb, group[start : start + self.batch_size]))
        return [results[n] for n in range(len(records))]

    def _route(self, object_name: str, n: int, record: WriteRecord, id_property: str | None) -> _Input | WriteResult:
        hub_prop = self.hub_id_property
        props = dict(record.properties)
        trace = str(n)
        record_id = record.external_id or (record.key if id_property in (RECORD_ID, "id") else None)
        if record_id:
            if not record_id.strip().isdigit():
                return WriteResult(key=record.key, ok=False, error=f"not a HubSpot record id: {record_id!r}")
            if record.hub_id and object_name in self._ensured:
                props.setdefault(hub_prop, record.hub_id)
            body = {"id": record_id.strip(), "properties": props, "objectWriteTraceId": trace}
            return _Input(n, record, "update", body)
        prop, value = (hub_prop, record.hub_id) if record.hub_id else (id_property, record.key)
        if not prop or prop in (RECORD_ID, "id") or not value:
            return _Input(n, record, "create", {"properties": props, "objectWriteTraceId": trace})
        if not self.is_unique(object_name, prop):
            error = (
                f"HubSpot upserts only by a property with unique values; {object_name}.{prop} has none "
                f"(update by record id, or upsert by {hub_prop})"
            )
            return WriteResult(key=record.key, ok=False, error=error, details={"id_property": prop})
        props.pop(prop, None)
        body = {"id": value, "idProperty": prop, "properties": props, "objectWriteTraceId": trace}
        return _Input(n, record, "upsert", body)

    def _send(self, object_name: str, verb: str, batch: list[_Input]) -> dict[int, WriteResult]:
        path = self.paths.batch(object_name, verb)
        try:
            # batch/update, batch/upsert, batch/create (see the module docstring)
            document = self.requester.post_json(path, {"inputs": [i.body for i in batch]})
        except RequestRejected as exc:
            message = hubspot_message(exc)
            details = {"status": exc.status, "codes": exc.codes}
            return {i.n: WriteResult(key=i.record.key, ok=False, error=message, details=details) for i in batch}
        by_trace = {str(i.n): i for i in batch}
        out: dict[int, WriteResult] = {}
        for result in document.get("results", []) or []:
            found = self._match(result, batch, by_trace)
            if found is not None and found.n not in out:
                created = result.get("new") if verb == "upsert" else verb == "create"
                out[found.n] = WriteResult(
                    key=found.record.key, ok=True, external_id=str(result.get("id")), created=created
                )
        if verb == "create" and not document.get("errors") and len(out) < len(batch):
            unmatched = [i for i in batch if i.n not in out]  # results in input order, no trace ids echoed
            spare = [r for r in document.get("results", []) if str(r.get("objectWriteTraceId", "")) not in by_trace]
            for i, result in zip(unmatched, spare, strict=False):
                out[i.n] = WriteResult(key=i.record.key, ok=True, external_id=str(result.get("id")), created=True)
        messages = _error_messages(document.get("errors", []) or [], batch)
        for i in batch:
            if i.n not in out:
                error = messages.get(i.n) or "; ".join(
                    str(e.get("message", "")) for e in document.get("errors", []) or []
                )
                out[i.n] = WriteResult(key=i.record.key, ok=False, error=error or "not written")
        return out

    def _match(self, result: dict[str, Any], batch: list[_Input], by_trace: dict[str, _Input]) -> _Input | None:
        trace = result.get("objectWriteTraceId")
        if trace is not None and str(trace) in by_trace:
            return by_trace[str(trace)]
        record_id = str(result.get("id", ""))
        properties = result.get("properties") or {}
        for i in batch:
            if "idProperty" in i.body:
                value = properties.get(i.body["idProperty"])
                if value is not None and str(value).strip().lower() == str(i.body["id"]).strip().lower():
                    return i
            elif "id" in i.body and i.body["id"] == record_id:
                return i
        return None


def _error_messages(errors: list[dict[str, Any]], batch: list[_Input]) -> dict[int, str]:
    """207 errors matched to inputs through ``objectWriteTraceId`` or the ids named in ``context``."""
    by_trace = {str(i.n): i.n for i in batch}
    by_id: dict[str, int] = {}
    for i in batch:
        if "id" in i.body:
            by_id.setdefault(str(i.body["id"]).strip().lower(), i.n)
    messages: dict[int, str] = {}
    for error in errors:
        context = error.get("context") or {}
        named: list[int] = []
        for trace in context.get("objectWriteTraceId", []) or []:
            if str(trace) in by_trace:
                named.append(by_trace[str(trace)])
        for key, values in context.items():
            if key == "objectWriteTraceId" or not isinstance(values, list):
                continue
            named.extend(by_id[v.strip().lower()] for v in values if isinstance(v, str) and v.strip().lower() in by_id)
        for n in named:
            messages.setdefault(n, str(error.get("message", "rejected")))
    return messages
