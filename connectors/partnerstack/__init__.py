"""PartnerStack connector (Vendor API v2). Registered as ``partnerstack``.

Streams: partnerships, customers, deals, transactions, rewards, declared as data in ``streams.py``
(the documented params of each list, paged by the SDK's ``LastRecordKeyPaginator``). Archived
partnerships and deals are polled (``include_archived=true``); incremental reward reads re-read the
last ``reward_recheck_days`` of rewards so that status changes arrive (``connector.py``, ADR 16).
Write-back: partnerships and deals by ``PATCH``. Records keep PartnerStack's items as they are, plus the members
listed in ``records.py`` (associations, deleted, amount_decimal, email_domain, partnership_status).

Webhooks. PartnerStack does not sign its deliveries and documents no authentication for them, so the
endpoint is protected by a per-connector secret in the URL: set ``webhook_token`` (a random value,
16+ characters) and register ``POST https://<hub>/webhooks/<connector id>?token=<webhook_token>``
with PartnerStack's Webhooks API. The verifier (the SDK's ``UrlToken``) compares the ``token`` query
parameter in constant time with ``webhook_token`` and, during a rotation, ``webhook_token_previous``;
a missing or wrong token is a ``SignatureError`` (401). Without ``webhook_token`` the connector takes
no webhooks. Anyone who learns the URL can post, so keep it out of logs and rotate it when in doubt.
"""

from connectors.partnerstack.config import PartnerStackConfig
from connectors.partnerstack.connector import PartnerStackConnector
from connectors.partnerstack.records import normalise

__all__ = ["PartnerStackConfig", "PartnerStackConnector", "normalise"]
