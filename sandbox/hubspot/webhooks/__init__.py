"""Simulated HubSpot webhook delivery (reference A8): events, signatures, batching, retries, chaos.

Every write (REST API, batch endpoints, ``/_sandbox/mutate``) reports to the portal's
:class:`WebhookService`, which turns changes into events for the active subscriptions and queues
them; a background :class:`~sandbox.hubspot.webhooks.worker.DeliveryWorker` POSTs signed JSON
arrays to the configured target URL.  Configure through ``/_sandbox/webhooks`` (see
:mod:`.routes_admin`) or HubSpot's management API (:mod:`.routes_api`).
"""

from sandbox.hubspot.webhooks.service import WebhookService
from sandbox.hubspot.webhooks.settings import WebhookSettings
from sandbox.hubspot.webhooks.signing import sign_v1, sign_v2, sign_v3

__all__ = ["WebhookService", "WebhookSettings", "sign_v1", "sign_v2", "sign_v3"]
