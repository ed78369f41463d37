"""Configuration of one simulated HubSpot portal."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

DEFAULT_SCOPES = (
    "oauth",
    "crm.objects.companies.read",
    "crm.objects.companies.write",
    "crm.objects.contacts.read",
    "crm.objects.contacts.write",
    "crm.objects.deals.read",
    "crm.objects.deals.write",
)


@dataclass
class HubSpotConfig:
    """Credentials, limits and identifiers of the simulated portal.

    ``rate_limit`` is requests per ``rate_limit_interval_ms`` per token (0 disables limiting and
    its headers); ``search_rate_limit`` is search requests per second per token (0 = off);
    ``daily_limit`` applies to private-app tokens only (0 = off).  ``token_ttl`` is the OAuth access
    token lifetime in seconds (fractions allowed, for tests).  ``retry_after`` (1/0): whether 429s
    carry a ``Retry-After`` header (HubSpot does not document one; clients must cope without).

    Paging: ``search_result_cap`` results per search query (HubSpot: 10,000; paging beyond is a
    400); ``association_page_size`` associations per record and object type in v3 responses (inline
    ``associations`` and the v3 associations list; HubSpot: 100, with ``paging.next.after``);
    ``association_batch_page_size`` per input of the v4 / 2026-03 association batch read (HubSpot
    does not state it; the v4 list endpoint's maximum, 500, is assumed).
    """

    private_app_tokens: tuple[str, ...] = ("pat-na1-sandbox",)
    client_id: str = "sandbox-client-id"
    client_secret: str = "sandbox-client-secret"
    refresh_token: str = "sandbox-refresh-token"
    authorization_code: str = "sandbox-auth-code"
    redirect_uri: str = "http://localhost/oauth-callback"
    admin_token: str = "sandbox-admin"
    developer_api_key: str = "sandbox-developer-key"
    token_ttl: float = 1800.0
    rate_limit: int = 190
    rate_limit_interval_ms: int = 10_000
    daily_limit: int = 1_000_000
    search_rate_limit: int = 5
    search_result_cap: int = 10_000
    association_page_size: int = 100
    association_batch_page_size: int = 500
    retry_after: int = 1
    hub_id: int = 24_681_357
    user_id: int = 13_579_246
    app_id: int = 1_234_567
    hub_domain: str = "sandbox-partner-hub.hubspot.local"
    scopes: tuple[str, ...] = field(default=DEFAULT_SCOPES)

    RUNTIME_FIELDS = (
        "token_ttl", "rate_limit", "daily_limit", "search_rate_limit", "rate_limit_interval_ms", "retry_after",
        "search_result_cap", "association_page_size", "association_batch_page_size",
    )  # fmt: skip
    POSITIVE_FIELDS = ("search_result_cap", "association_page_size", "association_batch_page_size")

    def update(self, changes: dict[str, Any]) -> None:
        """Change runtime-tunable fields (``POST /_sandbox/config``); ``ValueError`` on others."""
        known = {f.name: f for f in fields(self)}
        for key, value in changes.items():
            if key not in self.RUNTIME_FIELDS or key not in known:
                raise ValueError(f"'{key}' cannot be changed at runtime")
            number = float(value) if key == "token_ttl" else int(value)
            if number < 0 or (key in self.POSITIVE_FIELDS and number < 1):
                raise ValueError(f"'{key}' must be >= {1 if key in self.POSITIVE_FIELDS else 0}")
            setattr(self, key, number)

    def runtime_view(self) -> dict[str, Any]:
        """The runtime-tunable fields and their values."""
        return {k: getattr(self, k) for k in self.RUNTIME_FIELDS}
