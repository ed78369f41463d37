"""Simulated PartnerStack webhooks: registrations via ``/api/v2/webhooks``, unsigned JSON POSTs.

Every write (API and ``/_sandbox/mutate``) calls :meth:`WebhookService.emit`; a background
:class:`~sandbox.partnerstack.webhooks.worker.DeliveryWorker` POSTs ``{...object, "event": name}``
to each registered target, one event per request, retrying 5xx/429/timeouts.  Test controls
(settings, chaos, flush, deliveries log) live under ``/_sandbox/webhooks``.
"""

from sandbox.partnerstack.webhooks.events import EVENTS, Registration, WebhookSpecError
from sandbox.partnerstack.webhooks.service import WebhookService
from sandbox.partnerstack.webhooks.settings import WebhookSettings

__all__ = ["EVENTS", "Registration", "WebhookService", "WebhookSettings", "WebhookSpecError"]
