"""The HubSpot CRM connector: companies, contacts and deals with their associations.

* full read: list endpoint paging (``GET /crm/objects/2026-03/{type}``), associations inline; a
  record whose inline list was cut at 100 gets that object type's associations from the batch API;
  then the archived listing (``?archived=true``): archived records come back flagged, as tombstones,
  and the read lists every record the portal holds (ADR 22: deletes by absence);
* merges: ``hs_merged_object_ids`` of a record names the ids merged into it (``MERGED_IDS``), in
  every read and fetch; a ``*.merge`` webhook event fetches the surviving record;
* incremental read: search on last-modified time (``search.py``), associations by batch read
  (``/crm/associations/2026-03/{from}/{to}/batch/read``), every page of every record;
* write-back: batch update by record id, batch create, batch upsert only by the unique hub-id
  property, which the connector creates through the properties API when missing (``writes.py``);
* auth: private-app bearer token, or OAuth2 refresh against ``/oauth/2026-03/token``;
* limits: a spent daily limit pauses the stream, 530 is an auth failure (``requester.py``).

``api_version: v3`` speaks the legacy /crm/v3, /crm/v4 and /oauth/v1 paths instead (``paths.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from connectors.hubspot import associations, webhooks
from connectors.hubspot.config import HubSpotConfig
from connectors.hubspot.paths import ApiPaths
from connectors.hubspot.requester import HubSpotRequester
from connectors.hubspot.search import search_pages, to_epoch_ms
from connectors.hubspot.signature import HubSpotV3
from connectors.hubspot.streams import ASSOCIATIONS, LAST_MODIFIED, PROPERTIES, SPEC
from connectors.hubspot.writes import HubSpotWriter
from connectors.sdk import (
    MERGED_IDS,
    BearerToken,
    Connector,
    InboundRequest,
    OAuth2RefreshToken,
    OutboundPolicy,
    Page,
    PaginationLoopError,
    ReadRequest,
    RetryPolicy,
    StandardWebhooks,
    StreamSpec,
    Verifier,
    WebhookEvent,
    WriteRecord,
    WriteResult,
    read_pages,
)

# Object batch endpoints take at most 100 inputs per call; association batch reads 1,000
# (https://developers.hubspot.com/changelog/bug-fix-batch-read-limit-for-hubspot-associations-api).
BATCH_LIMIT = 100
ASSOCIATION_BATCH_LIMIT = 1000
ARCHIVED_PHASE = "archived"  # the resume position of a full read's second listing
MERGED_PROPERTY = "hs_merged_object_ids"  # ids merged into the record, ";"-separated
USER_AGENT = "partner-hub/0.1 (+https://github.com/partner-hub)"


class HubSpotConnector(Connector):
    """Reads HubSpot CRM objects and writes agreed values back by batch upsert."""

    spec = SPEC
    config_model: ClassVar[type[HubSpotConfig]] = HubSpotConfig

    def __init__(
        self, config: HubSpotConfig, client: httpx.Client | None = None, *, outbound: OutboundPolicy | None = None
    ) -> None:
        super().__init__(config, client, outbound=outbound)
        self.config: HubSpotConfig = config
        self.paths = ApiPaths(config.api_version)
        self._owns_client = client is None
        if client is None:
            client = self.http_client(
                base_url=config.base_url,
                timeout=config.timeout_seconds,
                headers={"Accept": "application/json", "User-Agent": USER_AGENT},
                auth=self._auth(),
            )
        self.client = client
        self.requester = HubSpotRequester(
            client, RetryPolicy(attempts=config.max_retries + 1), portal_timezone=config.portal_timezone
        )
        self.writer = HubSpotWriter(self.requester, self.paths, config.hub_id_property, BATCH_LIMIT)

    def _auth(self) -> httpx.Auth:
        cfg = self.config
        if cfg.auth_type == "oauth":
            assert cfg.client_id and cfg.client_secret and cfg.refresh_token
            return OAuth2RefreshToken(
                token_url=f"{cfg.base_url.rstrip('/')}{self.paths.token()}",
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
        # https://developers.hubspot.com/docs/api-reference/latest/crm/objects/companies
        self.requester.get_json(self.paths.objects("companies"), params={"limit": 1})

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
                # https://developers.hubspot.com/docs/api-reference/2026-03/crm/objects/companies/batch/read-companies
                response = self.requester.request(
                    "POST", self.paths.batch(object_name, "read"),
                    params={"archived": "true" if archived else "false"}, json=body,
                )  # fmt: skip
                for record in response.json().get("results", []):
                    found[str(record["id"])] = record
        records = list(found.values())
        note_merges(records)
        live = [r for r in records if not r.get("archived")]
        self._attach_associations(object_name, live)
        for record in records:
            record.setdefault("associations", {})
        return records

    def properties(self, object_name: str) -> list[str]:
        """The properties read: the defaults, the merge list, the hub-id property (absent until
        created: HubSpot ignores unknown names in reads) and the configured extras."""
        extra = [p for p in self.config.extra_properties.get(object_name, []) if p != self.config.hub_id_property]
        return [*PROPERTIES[object_name], MERGED_PROPERTY, self.config.hub_id_property, *extra]

    def read(self, stream: str, request: ReadRequest) -> Iterator[Page]:
        spec = self.spec.stream(stream)
        if request.mode == "incremental" and request.cursor:
            yield from self._read_incremental(spec.object, request)
            return
        params: dict[str, Any] = {"properties": self.properties(spec.object)}
        if ASSOCIATIONS[spec.object]:
            params["associations"] = ASSOCIATIONS[spec.object]
        paged = spec.model_copy(
            update={
                "path": self.paths.objects(spec.object),
                "paginator": spec.paginator.model_copy(update={"page_size": self.config.page_size}),
            }
        )
        resume = dict(request.resume or {})
        if resume.pop("phase", None) != ARCHIVED_PHASE:
            for page in self._read_live(spec.object, paged, resume or None, params):
                if page.resume is None:  # the live listing is done: the archived one follows
                    page = Page(records=page.records, resume={"phase": ARCHIVED_PHASE})
                yield page
            resume = {}
        # https://developers.hubspot.com/docs/api-reference/latest/crm/objects/companies (list, archived=true)
        archived = {"properties": params["properties"], "archived": "true"}
        for page, _document in read_pages(self.requester, paged, resume or None, params=archived):
            for record in page.records:
                record["associations"] = {}
            note_merges(page.records)
            following = None if page.resume is None else {**page.resume, "phase": ARCHIVED_PHASE}
            yield Page(records=page.records, resume=following)

    def _read_live(
        self, object_name: str, paged: StreamSpec, resume: dict[str, Any] | None, params: dict[str, Any]
    ) -> Iterator[Page]:
        # https://developers.hubspot.com/docs/api-reference/latest/crm/objects/companies (list)
        for page, _document in read_pages(self.requester, paged, resume, params=params):
            cut: dict[str, list[dict[str, Any]]] = {}
            for record in page.records:
                inline = record.get("associations")
                for to_object in associations.truncated_v3(inline):
                    cut.setdefault(to_object, []).append(record)
                record["associations"] = associations.from_v3(inline)
            for to_object, records in cut.items():
                self._read_associations(object_name, to_object, records)
            note_merges(page.records)
            yield page

    def _read_incremental(self, object_name: str, request: ReadRequest) -> Iterator[Page]:
        assert request.cursor is not None
        since_ms = to_epoch_ms(request.cursor) - self.config.incremental_lookback_seconds * 1000
        pages = search_pages(
            self.requester,
            self.paths.search(object_name),
            last_modified=LAST_MODIFIED[object_name],
            properties=self.properties(object_name),
            since_ms=max(0, since_ms),
            page_size=self.config.search_page_size,
            resume=request.resume,
        )
        for page in pages:
            self._attach_associations(object_name, page.records)
            note_merges(page.records)
            yield page

    def _attach_associations(self, object_name: str, records: list[dict[str, Any]]) -> None:
        """Search results carry no associations; read them for the whole page, one object type at a time."""
        for record in records:
            record["associations"] = {}
        for to_object in ASSOCIATIONS[object_name]:
            self._read_associations(object_name, to_object, records)

    def _read_associations(self, object_name: str, to_object: str, records: list[dict[str, Any]]) -> None:
        """Set ``record["associations"][to_object]`` of ``records`` from the batch API, every page of it.

        A result with ``paging.next.after`` has more: the id goes back with that ``after`` until none is
        left. Records without associations come back as 207 errors and keep an empty list.
        """
        # https://developers.hubspot.com/docs/api-reference/2026-03/crm/associations/associate-records/batch/get-associations
        path = self.paths.association_batch_read(object_name, to_object)
        results: list[dict[str, Any]] = []
        pending: list[dict[str, str]] = [{"id": str(record["id"])} for record in records]
        seen: set[tuple[str, str]] = set()
        while pending:
            batch, pending = pending[:ASSOCIATION_BATCH_LIMIT], pending[ASSOCIATION_BATCH_LIMIT:]
            document = self.requester.post_json(path, {"inputs": batch})
            for result in document.get("results", []):
                results.append(result)
                after = ((result.get("paging") or {}).get("next") or {}).get("after")
                if after:
                    source = str(result["from"]["id"])
                    if (source, str(after)) in seen:
                        raise PaginationLoopError(f"{path}: {source} repeated association page {after}")
                    seen.add((source, str(after)))
                    pending.append({"id": source, "after": str(after)})
        found = associations.from_v4(results)
        for record in records:
            record.setdefault("associations", {})[to_object] = found.get(str(record["id"]), [])

    def write(
        self, object_name: str, records: list[WriteRecord], *, id_property: str | None = None
    ) -> list[WriteResult]:
        """Update by record id, upsert by the unique hub-id property, or create (``writes.py``);
        per-record results, a bad one fails alone."""
        spec = next((w for w in self.spec.writes if w.object == object_name), None)
        if spec is None:
            return super().write(object_name, records, id_property=id_property)
        prop = id_property or self.config.hub_id_property
        if prop == spec.id_property:
            prop = self.config.hub_id_property  # the spec names the default; the config may rename it
        return self.writer.write(object_name, records, prop)


def note_merges(records: list[dict[str, Any]]) -> None:
    """Set ``MERGED_IDS`` of each record from ``hs_merged_object_ids`` (HubSpot: ";"-separated ids)."""
    for record in records:
        value = (record.get("properties") or {}).get(MERGED_PROPERTY)
        record[MERGED_IDS] = [part.strip() for part in str(value or "").split(";") if part.strip()]


def now_iso() -> str:
    return datetime.now(UTC).isoformat()
