"""The PartnerStack connector: partnerships, customers, deals, transactions and rewards.

* read: the streams of ``streams.py`` (data: path, documented params, the SDK's
  ``LastRecordKeyPaginator``) through the SDK driver; incremental reads filter on ``min_updated``
  (customers, deals) or ``min_created`` (transactions, rewards) in epoch ms; partnerships have no
  modification filter and are read in full every time;
* archived records are polled, not only announced: partnerships and deals are listed with
  ``include_archived=true`` and come back flagged ``deleted`` (ADR 16);
* reward status (hold → pending → approved → paid, or declined) changes without any filter to find
  it by (rewards have ``min_created`` only): every incremental rewards read re-reads the rewards
  created in the last ``reward_recheck_days`` (default 90) as well as those since the cursor, so a
  status change of a reward up to that age arrives with the next run; older ones with the next full
  run. Unchanged re-read rewards cost a read, not a ledger write (the ledger skips equal content);
* records: the envelope's items as they are, plus the members listed in ``records.py``;
* write-back: ``PATCH /partnerships/{key}`` and ``PATCH /deals/{key}``, one request per record;
* fetch: ``GET /{object}/{key}``; archived and missing records are left out (the hub tombstones them);
* auth: HTTP Basic, public key as username and secret key as password;
* webhooks: unsigned upstream, so a secret ``?token=`` in the URL (the SDK's ``UrlToken``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from connectors.partnerstack import webhooks
from connectors.partnerstack.config import PartnerStackConfig
from connectors.partnerstack.directory import Directory
from connectors.partnerstack.envelope import call, fetch
from connectors.partnerstack.records import key_of, normalise
from connectors.partnerstack.streams import FETCHABLE, INCREMENTAL_FILTER, SPEC, WRITABLE
from connectors.sdk import (
    AuthError,
    Connector,
    InboundRequest,
    OutboundPolicy,
    Page,
    ReadRequest,
    Requester,
    RequestRejected,
    RetryPolicy,
    UpstreamError,
    UrlToken,
    Verifier,
    WebhookEvent,
    WriteRecord,
    WriteResult,
    read_pages,
)

USER_AGENT = "partner-hub/0.1 (+https://github.com/partner-hub)"


def to_epoch_ms(value: str) -> int:
    """The hub's cursor (ISO-8601, or epoch-ms digits) as epoch milliseconds; a naive time is UTC."""
    text = value.strip()
    if text.isdigit():
        return int(text)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


class PartnerStackConnector(Connector):
    """Reads the PartnerStack Vendor API v2 and writes partnership and deal updates back.

    ``client`` is the test seam: give it ``base_url`` and ``auth`` (``httpx.BasicAuth``) yourself;
    without one the connector builds its own from the config. ``sleep`` is the retry wait and
    ``clock`` the wall clock in epoch seconds (the reward re-check window), both for tests.
    """

    spec = SPEC
    config_model: ClassVar[type[PartnerStackConfig]] = PartnerStackConfig

    def __init__(
        self,
        config: PartnerStackConfig,
        client: httpx.Client | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        outbound: OutboundPolicy | None = None,
    ) -> None:
        super().__init__(config, client, outbound=outbound)
        self.config: PartnerStackConfig = config
        self.clock = clock
        self._owns_client = client is None
        if client is None:
            client = self.http_client(
                base_url=config.base_url,
                timeout=config.timeout_seconds,
                headers={"Accept": "application/json", "User-Agent": USER_AGENT},
                auth=httpx.BasicAuth(config.public_key, config.secret_key.get_secret_value()),
            )
        self.client = client
        self.requester = Requester(client, RetryPolicy(attempts=config.max_retries + 1), sleep=sleep)
        self.directory = Directory(self.requester)

    def close(self) -> None:
        if self._owns_client and self.client is not None:
            self.client.close()

    def check(self) -> None:
        # https://docs.partnerstack.com/reference (GET /partnerships)
        call(self.requester, "GET", "/partnerships", params={"limit": 1})

    # --- read -------------------------------------------------------------------------------------

    def read(self, stream: str, request: ReadRequest) -> Iterator[Page]:
        spec = self.spec.stream(stream)
        spec = spec.model_copy(update={"paginator": spec.paginator.with_page_size(self.config.page_size)})
        pages = read_pages(self.requester, spec, request.resume, params=self._params(stream, request), fetch=fetch)
        for page, _document in pages:
            page.records = self.normalise_page(spec.object, page.records)
            yield page

    def _params(self, stream: str, request: ReadRequest) -> dict[str, Any]:
        """In incremental mode, the stream's filter from the cursor (inclusive); the stream's own
        params (``streams.py``) come with every request.

        Lists keep a fixed order while they are read (creation order: ascending where ``order_by`` is
        documented, the default newest-first elsewhere), and the hub commits the cursor only when a
        read ends, so the filter's bound never passes a record that was not read.
        """
        spec = self.spec.stream(stream)
        filter_param = INCREMENTAL_FILTER.get(stream)
        if not (request.mode == "incremental" and request.cursor and filter_param and spec.cursor_field):
            return {}
        since = to_epoch_ms(request.cursor) - self.config.incremental_lookback_seconds * 1000
        if stream == "rewards" and self.config.reward_recheck_days:
            # rewards change status after creation and no filter finds the changed ones: re-read the
            # recent ones (see the module docstring)
            since = min(since, int(self.clock() * 1000) - self.config.reward_recheck_days * 86_400_000)
        return {filter_param: max(0, since)}

    @property
    def _via_customer(self) -> bool:
        return self.config.resolve_transaction_partners

    def normalise_page(self, object_name: str, records: list[Any]) -> list[Any]:
        """Raw items → mappable records (``records.py``), translating partner references on the way."""
        raws = [record for record in records if isinstance(record, dict)]
        if object_name == "partnerships":
            self.directory.learn(raws)
        self.directory.prepare(object_name, raws, via_customer=self._via_customer)
        return [
            normalise(object_name, record, self.directory, via_customer=self._via_customer)
            if isinstance(record, dict)
            else record  # the mapper dead-letters it: "record is not a JSON object"
            for record in records
        ]

    # --- fetch ------------------------------------------------------------------------------------

    def fetch(self, object_name: str, external_ids: list[str]) -> list[dict[str, Any]]:
        """Live records by key; archived and missing (404/410) ones are left out, so the hub tombstones them."""
        if object_name not in FETCHABLE:
            raise NotImplementedError(f"PartnerStack has no GET /{object_name}/{{key}}")
        found: list[dict[str, Any]] = []
        for key in dict.fromkeys(external_ids):
            try:
                # https://docs.partnerstack.com/reference (GET /{object}/{key})
                document = call(self.requester, "GET", f"/{object_name}/{quote(key, safe='')}")
            except RequestRejected as exc:
                if exc.status in (404, 410):
                    continue
                raise
            if isinstance(document.get("data"), dict):
                found.append(document["data"])
        return [record for record in self.normalise_page(object_name, found) if not record["deleted"]]

    # --- write ------------------------------------------------------------------------------------

    def write(
        self, object_name: str, records: list[WriteRecord], *, id_property: str | None = None
    ) -> list[WriteResult]:
        """``PATCH /{object}/{key}`` per record (there is no batch API); each record succeeds or fails alone.

        Writable: partnerships ``group_key``, ``tier_key``, ``manager_email``, ``fields``; deals ``stage``,
        ``lost_reason``, ``fields``. After an authentication failure the rest are failed unsent.
        A record is addressed by its ``external_id`` when given, else by its ``key``. Its ``hub_id`` is
        not written: PartnerStack documents no external key on update (``external_key`` and
        ``customer_key`` are set at create), ADR 21.
        """
        if object_name not in WRITABLE:
            return super().write(object_name, records, id_property=id_property)
        if id_property not in (None, "key"):
            error = f"PartnerStack addresses {object_name} by key, not {id_property!r}"
            return [WriteResult(key=record.key, ok=False, error=error) for record in records]
        results: list[WriteResult] = []
        auth_failure: str | None = None
        for record in records:
            if auth_failure is not None:
                results.append(WriteResult(key=record.key, ok=False, error=auth_failure))
                continue
            try:
                results.append(self._patch(object_name, record))
            except AuthError as exc:
                auth_failure = str(exc)
                results.append(WriteResult(key=record.key, ok=False, error=auth_failure))
        return results

    def _patch(self, object_name: str, record: WriteRecord) -> WriteResult:
        unknown = sorted(set(record.properties) - WRITABLE[object_name])
        if unknown:
            allowed = ", ".join(sorted(WRITABLE[object_name]))
            error = f"not writable on {object_name}: {', '.join(unknown)} (writable: {allowed})"
            return WriteResult(key=record.key, ok=False, error=error)
        key = record.external_id or record.key  # the record's PartnerStack key
        if not key.strip():
            return WriteResult(key=record.key, ok=False, error="no key")
        try:
            # https://docs.partnerstack.com/reference (PATCH /partnerships/{key}, PATCH /deals/{key})
            path = f"/{object_name}/{quote(key, safe='')}"
            document = call(self.requester, "PATCH", path, json=record.properties)
        except AuthError:
            raise
        except UpstreamError as exc:
            return WriteResult(key=record.key, ok=False, error=str(exc), details={"status": exc.status})
        data = document.get("data")
        external_id = key_of(data.get("key")) if isinstance(data, dict) else None
        return WriteResult(key=record.key, ok=True, external_id=external_id or key, created=False)

    # --- webhooks ---------------------------------------------------------------------------------

    def webhook_verifier(self) -> Verifier | None:
        """A ``?token=`` check (the SDK's ``UrlToken``); None (no webhooks taken) until
        ``webhook_token`` is configured."""
        return UrlToken() if self.config.webhook_token is not None else None

    def webhook_secrets(self) -> list[str]:
        cfg = self.config
        return [t.get_secret_value() for t in (cfg.webhook_token, cfg.webhook_token_previous) if t is not None]

    def parse_webhook(self, request: InboundRequest, document: Any) -> list[WebhookEvent]:
        return webhooks.parse(document, self._carry)

    def _carry(self, object_name: str, record: dict[str, Any], deleted: bool) -> dict[str, Any] | None:
        """The record an event carries, normalised from the cache alone (no network in the receiver).

        An update whose partner the cache cannot translate yet is named instead (None), so the worker
        fetches it with full translation rather than storing it without its partner link.
        """
        if object_name == "partnerships":
            self.directory.learn([record])
        if (
            not deleted
            and object_name in FETCHABLE
            and self.directory.missing(object_name, record, via_customer=self._via_customer)
        ):
            return None
        return normalise(object_name, record, self.directory, deleted=deleted, via_customer=self._via_customer)
