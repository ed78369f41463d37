"""Prometheus metrics (``GET /metrics``). Counters live in prometheus-client's process registry,
the conventional place a scraper reads them from; they only ever count, so sharing is harmless."""

from __future__ import annotations

from prometheus_client import Counter

SYNC_RECORDS = Counter(
    "hub_sync_records_total", "Records handled by syncs, by outcome", ["connector", "stream", "outcome"]
)
SYNC_RUNS = Counter("hub_sync_runs_total", "Finished sync runs, by status", ["connector", "stream", "status"])
WEBHOOK_DELIVERIES = Counter(
    "hub_webhook_deliveries_total", "Webhook deliveries received, by result", ["connector", "result"]
)
INBOX_EVENTS = Counter("hub_inbox_events_total", "Inbox events processed, by outcome", ["connector", "outcome"])
