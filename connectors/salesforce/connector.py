"""The Salesforce connector: accounts, contacts, opportunities (with partner roles), deal
registrations (Leads of one record type) and channel program memberships.

* auth: OAuth 2.0 client-credentials or refresh-token grant; calls go to the token's ``instance_url``
  (``auth.py``); an expired session is refreshed once per call;
* reads: SOQL through ``queryAll`` ordered by ``SystemModstamp``, resumable by ``nextRecordsUrl``,
  deleted rows as tombstones (``reader.py``); a full read of more than ``bulk_threshold`` rows as a
  Bulk API 2.0 query job, its CSV made into the same records (``bulk.py``);
* write-back: update by Id or upsert by an external-id field, singly or in collections of 200
  (``writer.py``);
* push: Outbound Messages (SOAP) verified by a URL token, answered with the SOAP ``Ack``
  (``outbound.py``, ``push.py``, ``verifier.py``);
* org features: describe decides which fields and objects a query names (``org.py``); a stream
  whose objects the org lacks reads as empty (``unavailable_streams``);
* limits: ``api_usage`` is the last ``Sforce-Limit-Info`` seen; a spent daily quota raises
  ``ApiLimitExceeded`` at once (the hub pauses the stream), the concurrent request limit is waited
  out and retried (``requester.py``);
* credentials: a refresh that rotates the refresh token hands the new one to
  ``credentials_changed`` (the hub re-seals it).
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, ClassVar

import httpx

from connectors.salesforce import outbound, push
from connectors.salesforce.auth import SalesforceSession
from connectors.salesforce.bulk import BulkQuery, BulkSettings
from connectors.salesforce.config import SalesforceConfig
from connectors.salesforce.query import Soql
from connectors.salesforce.reader import StreamReader
from connectors.salesforce.requester import ApiUsage, LimitTracker, SalesforceRequester
from connectors.salesforce.streams import HUB_ID_FIELD, SOBJECTS, SPEC, SObjectStream
from connectors.salesforce.verifier import OutboundMessageToken
from connectors.salesforce.writer import ID_FIELD, Writer
from connectors.sdk import (
    ConfigError,
    Connector,
    InboundRequest,
    OutboundPolicy,
    Page,
    PayloadError,
    ReadRequest,
    RetryPolicy,
    Verifier,
    WebhookEvent,
    WriteRecord,
    WriteResult,
)

USER_AGENT = "partner-hub/0.1 (+https://github.com/partner-hub)"
log = logging.getLogger(__name__)


def _tls(verify: bool | str) -> bool | ssl.SSLContext:
    """``verify_tls``: a bool, or a CA bundle path made into a context (httpx 0.28 wants contexts)."""
    if not isinstance(verify, str):
        return verify
    try:
        return ssl.create_default_context(cafile=verify)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"verify_tls: cannot load the CA bundle {verify!r}: {exc}") from exc


class SalesforceConnector(Connector):
    """Reads a Salesforce org's partner data and writes agreed values back.

    ``client``: the test seam. The connector installs its session (token + instance host) as the
    client's auth and a response hook that records API usage; pass a client with a transport
    (respx, ``MockTransport``) or TLS settings of your own.
    """

    spec = SPEC
    config_model: ClassVar[type[SalesforceConfig]] = SalesforceConfig
    webhook_content_types: ClassVar[tuple[str, ...]] = ("text/xml", "application/xml")

    def __init__(
        self,
        config: SalesforceConfig,
        client: httpx.Client | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        outbound: OutboundPolicy | None = None,
    ) -> None:
        super().__init__(config, client, outbound=outbound)
        self.config: SalesforceConfig = config
        # an injected client is the caller's (a test seam): the policy governs the connector's own
        self.session = self._session(guarded=client is None)
        self.limits = LimitTracker()
        self._owns_client = client is None
        if client is None:
            client = self.http_client(
                base_url=config.login_url,  # placeholder host: the session moves requests to instance_url
                timeout=config.timeout_seconds,
                verify=_tls(config.verify_tls),
                headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            )
        client.auth = self.session
        client.event_hooks["response"] = [*client.event_hooks["response"], self.limits.observe]
        self.client = client
        self.requester = SalesforceRequester(
            client,
            RetryPolicy(attempts=config.max_retries + 1),
            batch_size=config.page_size,
            limit_pause_seconds=config.api_limit_pause_seconds,
            limits=self.limits,
            # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
            limits_url=f"/services/data/v{config.api_version}/limits",
            concurrent_retries=config.concurrent_limit_retries,
            concurrent_wait_seconds=config.concurrent_limit_wait_seconds,
            sleep=sleep,
        )
        self.soql = Soql(self.requester, config.api_version)
        bulk = BulkSettings(
            max_records=config.bulk_max_records,
            page_size=config.page_size,
            poll_timeout_seconds=config.bulk_poll_timeout_seconds,
            poll_max_interval_seconds=config.bulk_poll_max_interval_seconds,
            job_attempts=config.bulk_job_attempts,
        )
        self.bulk = BulkQuery(self.requester, config.api_version, bulk, sleep=sleep)
        self.reader = StreamReader(self.soql, config, bulk=self.bulk)
        self.writer = Writer(self.requester, config.api_version)

    def _session(self, *, guarded: bool = True) -> SalesforceSession:
        cfg = self.config
        check_url = self.outbound.check_url if guarded else None
        secret = cfg.client_secret.get_secret_value()
        form: dict[str, str] = {"grant_type": cfg.auth_type}
        if cfg.auth_type == "refresh_token":
            assert cfg.refresh_token is not None
            form["refresh_token"] = cfg.refresh_token.get_secret_value()
        if cfg.client_auth == "basic":
            return SalesforceSession(
                cfg.token_url,
                form,
                basic=(cfg.client_id, secret),
                on_refresh_token=self._refresh_token_rotated,
                check_url=check_url,
            )
        form = {**form, "client_id": cfg.client_id, "client_secret": secret}
        return SalesforceSession(cfg.token_url, form, on_refresh_token=self._refresh_token_rotated, check_url=check_url)

    def _refresh_token_rotated(self, token: str) -> None:
        """Refresh token rotation: the old token is dead, so the new one must be stored (``auth.py``)."""
        if self.credentials_changed is None:
            log.warning("Salesforce rotated the refresh token and nothing stores it: the next run's refresh fails")
            return
        self.credentials_changed({"refresh_token": token})

    @property
    def api_usage(self) -> ApiUsage | None:
        """The org's API usage as of the last response (``Sforce-Limit-Info``), if any was seen."""
        return self.limits.last

    def close(self) -> None:
        if self._owns_client and self.client is not None:
            self.client.close()

    def unavailable_streams(self) -> dict[str, str]:
        """Streams this org cannot serve (objects of features it lacks) and why; they read as empty."""
        reasons = {stream: self.reader.unavailable(stream) for stream in SOBJECTS}
        return {stream: reason for stream, reason in reasons.items() if reason is not None}

    def check(self) -> None:
        """One cheap query proves the token, the instance and the API version."""
        # https://developer.salesforce.com/docs/platform/api-rest/guide/resources-query.md
        self.soql.rows("SELECT Id FROM Account LIMIT 1", all_rows=False)

    # --- reads ------------------------------------------------------------------------------------

    def read(self, stream: str, request: ReadRequest) -> Iterator[Page]:
        yield from self.reader.read(self.spec.stream(stream), request)

    def fetch(self, object_name: str, external_ids: list[str]) -> list[dict[str, Any]]:
        """Current records by Id through ``queryAll`` (deleted ones come back ``IsDeleted: true``)."""
        return self.reader.fetch(self._source(object_name).stream, external_ids)

    # --- write-back -------------------------------------------------------------------------------

    def write(
        self, object_name: str, records: list[WriteRecord], *, id_property: str | None = None
    ) -> list[WriteResult]:
        """Update by ``Id`` (the default) or upsert by an external-id field; per-record results.

        Where the org's describe lists ``Partner_Hub_Id__c`` (ADR 21), a record's ``hub_id`` is written
        to it, and a record without an ``external_id`` is upserted by it (created when no record holds
        that hub id); a record with an ``external_id`` is updated by that Id.
        """
        source = self._source(object_name)
        spec = next((w for w in self.spec.writes if w.object == source.stream), None)
        if spec is None:
            return super().write(object_name, records, id_property=id_property)
        field = id_property or spec.id_property
        hub_slot = any(r.hub_id for r in records) and self.has_hub_id_field(source.sobject)
        groups: dict[str, list[tuple[int, WriteRecord]]] = {}
        for n, record in enumerate(records):
            properties = dict(record.properties)
            if hub_slot and record.hub_id:
                properties.setdefault(HUB_ID_FIELD, record.hub_id)
            if record.external_id:
                routed = (ID_FIELD, replace(record, key=record.external_id, properties=properties))
            elif hub_slot and record.hub_id:
                properties.pop(HUB_ID_FIELD, None)
                routed = (HUB_ID_FIELD, replace(record, key=record.hub_id, properties=properties))
            else:
                routed = (field, replace(record, properties=properties))
            groups.setdefault(routed[0], []).append((n, routed[1]))
        results: dict[int, WriteResult] = {}
        for by, batch in groups.items():
            written = self.writer.write(source.sobject, [r for _, r in batch], by)
            for (n, _), result in zip(batch, written, strict=True):
                results[n] = replace(result, key=records[n].key)
        return [results[n] for n in range(len(records))]

    def has_hub_id_field(self, sobject: str) -> bool:
        """Whether this org's ``sobject`` has the hub-id field (describe, cached)."""
        return not self.reader.org.missing((sobject,)) and HUB_ID_FIELD.lower() in self.reader.org.fields(sobject)

    def _source(self, object_name: str) -> SObjectStream:
        """A stream by its name, or by its Salesforce object name (``Account``)."""
        found = SOBJECTS.get(object_name) or next((s for s in SOBJECTS.values() if s.sobject == object_name), None)
        if found is None:
            raise KeyError(f"salesforce has no object {object_name!r}; known: {', '.join(SOBJECTS)}")
        return found

    # --- push: Outbound Messages ------------------------------------------------------------------

    def webhook_verifier(self) -> Verifier:
        return OutboundMessageToken(self.config.outbound_message_org_id)

    def webhook_secrets(self) -> list[str]:
        cfg = self.config
        tokens = (cfg.outbound_message_token, cfg.outbound_message_token_previous)
        return [token.get_secret_value() for token in tokens if token is not None]

    def parse_webhook(self, request: InboundRequest, document: Any) -> list[WebhookEvent]:
        """Events of an Outbound Message (SOAP XML in ``request.body``; ``document`` is None)."""
        if document is not None:
            raise PayloadError("Salesforce Outbound Messages are SOAP XML, not JSON")
        envelope = outbound.parse(request.body)
        registration_type = self.reader.deal_registration_type_id(lookup=False)
        return push.events(envelope, self.config.fields, registration_type)

    def webhook_response(self, stored: int, duplicates: int) -> tuple[int, bytes, str]:
        """The SOAP acknowledgement; without it Salesforce redelivers for up to 24 hours."""
        return 200, outbound.ACK_BODY, outbound.ACK_CONTENT_TYPE
