"""The HubSpot CRM connector: companies, contacts and deals with their associations.

* full read: list endpoint paging (``GET /crm/v3/objects/{type}``), associations inline;
* incremental read: search on last-modified time (``search.py``), associations by v4 batch read;
* write-back: batch upsert by a unique property (domain for companies, email for contacts);
* auth: private-app bearer token, or OAuth2 refresh against ``/oauth/v1/token``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from connectors.hubspot import associations, webhooks
from connectors.hubspot.config import HubSpotConfig
from connectors.hubspot.search import search_pages, to_epoch_ms
from connectors.hubspot.signature import HubSpotV3
from connectors.hubspot.streams import ASSOCIATIONS, LAST_MODIFIED, PROPERTIES, SPEC
from connectors.sdk import (
    BearerToken,
    Connector,
    InboundRequest,
    OAuth2RefreshToken,
    Page,
    ReadRequest,
    Requester,
    RequestRejected,
    RetryPolicy,
    StandardWebhooks,
    Verifier,
    WebhookEvent,
    WriteRecord,
    WriteResult,
    read_pages,
)

# Batch endpoints take at most 100 inputs per call (search pages are 200, so associations take two).
BATCH_LIMIT = 100
USER_AGENT = "partner-hub/0.1 (+https://github.com/partner-hub)"


class HubSpotConnector(Connector):
    """Reads HubSpot CRM objects and writes agreed values back by batch upsert."""

    spec = SPEC
    config_model: ClassVar[type[HubSpotConfig]] = HubSpotConfig

    def __init__(self, config: HubSpotConfig, client: httpx.Client | None = None) -> None:
        super().__init__(config, client)
        self.config: HubSpotConfig = config
        self._owns_client = client is None
        if client is None:
            client = httpx.Client(
                base_url=config.base_url,
                timeout=config.timeout_seconds,
                headers={"Accept": "application/json", "User-Agent": USER_AGENT},
                auth=self._auth(),
            )
        self.client = client
        self.requester = Requester(client, RetryPolicy(attempts=config.max_retries + 1))

    def _auth(self) -> httpx.Auth:
        cfg = self.config
        if cfg.auth_type == "oauth":
            assert cfg.client_id and cfg.client_secret and cfg.refresh_token
            return OAuth2RefreshToken(
                token_url=f"{cfg.base_url.rstrip('/')}/oauth/v1/token",
                client_id=cfg.client_id,
                client_secret=cfg.client_secret.get_secret_value(),
                refresh_token=cfg.refresh_token.get_secret_value(),
            )
        assert cfg.access_token is not None
        return BearerToken(cfg.access_token.get_secret_value())

    def close(self) -> None:
        if self._owns_client and self.client is not None:
            self.client.close()

    def check(self) -> None:
        # https://developers.hubspot.com/docs/api-reference/crm-companies-v3/basic/get-crm-v3-objects-companies
        self.requester.get_json("/crm/v3/objects/companies", params={"limit": 1})

    # --- webhooks ---------------------------------------------------------------------------------

    def webhook_verifier(self) -> Verifier:
        return HubSpotV3() if self.config.webhook_signature == "hubspot_v3" else StandardWebhooks()

    def webhook_secrets(self) -> list[str]:
        cfg = self.config
        current = cfg.webhook_secret or cfg.client_secret
        return [s.get_secret_value() for s in (current, cfg.webhook_secret_previous) if s is not None]

    def parse_webhook(self, request: InboundRequest, document: Any) -> list[WebhookEvent]:
        return webhooks.parse(document)

    def fetch(self, object_name: str, external_ids: list[str]) -> list[dict[str, Any]]:
        """Records by id with their associations; ids not found live are looked up among archived ones."""
        found: dict[str, dict[str, Any]] = {}
        for archived in (False, True):
            missing = [i for i in dict.fromkeys(external_ids) if i not in found]
            for start in range(0, len(missing), BATCH_LIMIT):
                body = {
                    "inputs": [{"id": i} for i in missing[start : start + BATCH_LIMIT]],
                    "properties": self.properties(object_name),
                    "propertiesWithHistory": [],
                }
                # https://developers.hubspot.com/docs/api-reference/crm-companies-v3/batch/post-crm-v3-objects-companies-batch-read
                response = self.requester.request(
                    "POST", f"/crm/v3/objects/{object_name}/batch/read",
                    params={"archived": "true" if archived else "false"}, json=body,
                )  # fmt: skip
                for record in response.json().get("results", []):
                    found[str(record["id"])] = record
        records = list(found.values())
        live = [r for r in records if not r.get("archived")]
        self._attach_associations(object_name, live)
        for record in records:
            record.setdefault("associations", {})
        return records

    def properties(self, object_name: str) -> list[str]:
        return PROPERTIES[object_name] + self.config.extra_properties.get(object_name, [])

    def read(self, stream: str, request: ReadRequest) -> Iterator[Page]:
        spec = self.spec.stream(stream)
        if request.mode == "incremental" and request.cursor:
            yield from self._read_incremental(spec.object, request)
            return
        params: dict[str, Any] = {"properties": self.properties(spec.object)}
        if ASSOCIATIONS[spec.object]:
            params["associations"] = ASSOCIATIONS[spec.object]
        paged = spec.model_copy(
            update={"paginator": spec.paginator.model_copy(update={"page_size": self.config.page_size})}
        )
        # https://developers.hubspot.com/docs/api-reference/crm-companies-v3/basic/get-crm-v3-objects-companies
        for page, _document in read_pages(self.requester, paged, request.resume, params=params):
            for record in page.records:
                record["associations"] = associations.from_v3(record.get("associations"))
            yield page

    def _read_incremental(self, object_name: str, request: ReadRequest) -> Iterator[Page]:
        assert request.cursor is not None
        since_ms = to_epoch_ms(request.cursor) - self.config.incremental_lookback_seconds * 1000
        pages = search_pages(
            self.requester,
            object_name,
            last_modified=LAST_MODIFIED[object_name],
            properties=self.properties(object_name),
            since_ms=max(0, since_ms),
            page_size=self.config.search_page_size,
            resume=request.resume,
        )
        for page in pages:
            self._attach_associations(object_name, page.records)
            yield page

    def _attach_associations(self, object_name: str, records: list[dict[str, Any]]) -> None:
        """Search results carry no associations; fetch them for the whole page, one call per type."""
        for record in records:
            record["associations"] = {}
        ids = [str(record["id"]) for record in records]
        if not ids:
            return
        by_id = {str(record["id"]): record for record in records}
        for to_object in ASSOCIATIONS[object_name]:
            # https://developers.hubspot.com/docs/api-reference/crm-associations-v4/batch/post-crm-v4-associations-fromObjectType-toObjectType-batch-read
            for start in range(0, len(ids), BATCH_LIMIT):
                body = {"inputs": [{"id": i} for i in ids[start : start + BATCH_LIMIT]]}
                document = self.requester.post_json(f"/crm/v4/associations/{object_name}/{to_object}/batch/read", body)
                for source_id, targets in associations.from_v4(document.get("results", [])).items():
                    if source_id in by_id:
                        by_id[source_id]["associations"][to_object] = targets

    def write(
        self, object_name: str, records: list[WriteRecord], *, id_property: str | None = None
    ) -> list[WriteResult]:
        """Batch-upsert by a unique property (``hs_object_id`` updates known records; ``domain``/``email``
        also create); per-record results, a bad one fails alone."""
        spec = next((w for w in self.spec.writes if w.object == object_name), None)
        if spec is None:
            return super().write(object_name, records, id_property=id_property)
        prop = id_property or spec.id_property
        results: list[WriteResult] = []
        for start in range(0, len(records), spec.batch_size):
            results.extend(self._upsert_batch(object_name, prop, records[start : start + spec.batch_size]))
        return results

    def _upsert_batch(self, object_name: str, id_property: str, batch: list[WriteRecord]) -> list[WriteResult]:
        body = {
            "inputs": [
                {
                    "id": record.key,
                    "idProperty": id_property,
                    "properties": record.properties,
                    "objectWriteTraceId": str(n),
                }
                for n, record in enumerate(batch)
            ]
        }
        try:
            # https://developers.hubspot.com/docs/api-reference/crm-companies-v3/batch/post-crm-v3-objects-companies-batch-upsert
            document = self.requester.post_json(f"/crm/v3/objects/{object_name}/batch/upsert", body)
        except RequestRejected as exc:
            return [WriteResult(key=r.key, ok=False, error=str(exc)) for r in batch]
        done: dict[str, dict[str, Any]] = {}
        for result in document.get("results", []):
            value = (result.get("properties") or {}).get(id_property)
            if value is None and id_property == "hs_object_id":
                value = result.get("id")
            done[str(value or "").strip().lower()] = result
        errors = document.get("errors", [])
        messages = _errors_by_key(errors, batch)
        out: list[WriteResult] = []
        for record in batch:
            hit = done.get(record.key.strip().lower())
            if hit is not None:
                out.append(WriteResult(key=record.key, ok=True, external_id=str(hit["id"]), created=hit.get("new")))
            else:
                message = messages.get(record.key) or "; ".join(e.get("message", "") for e in errors) or "not written"
                out.append(WriteResult(key=record.key, ok=False, error=message))
        return out


def _errors_by_key(errors: list[dict[str, Any]], batch: list[WriteRecord]) -> dict[str, str]:
    """Match 207 errors to inputs through ``objectWriteTraceId`` or the ids named in ``context``."""
    by_trace = {str(n): record.key for n, record in enumerate(batch)}
    keys = {record.key for record in batch}
    messages: dict[str, str] = {}
    for error in errors:
        context = error.get("context") or {}
        named: list[str] = []
        for trace in context.get("objectWriteTraceId", []) or []:
            if str(trace) in by_trace:
                named.append(by_trace[str(trace)])
        for values in context.values():
            named.extend(v for v in values if isinstance(v, str) and v in keys)
        for key in named:
            messages[key] = str(error.get("message", "rejected"))
    return messages


def now_iso() -> str:
    return datetime.now(UTC).isoformat()
