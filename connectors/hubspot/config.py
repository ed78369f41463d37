"""HubSpot connector configuration. Secrets are ``SecretStr`` and stored encrypted by the hub."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ConfigDict, Field, SecretStr, field_validator, model_validator

from connectors.sdk import DeleteGuardConfig, OutboundUrl


class HubSpotConfig(DeleteGuardConfig):
    """Private-app token auth (``auth_type: private_app``) or OAuth2 refresh (``auth_type: oauth``)."""

    model_config = ConfigDict(extra="forbid")

    base_url: OutboundUrl = Field(
        default="https://api.hubapi.com", description="https; an internal host only if HUB_OUTBOUND_ALLOW names it."
    )
    api_version: Literal["2026-03", "v3"] = Field(
        default="2026-03",
        description="2026-03: the date-versioned paths (/crm/objects/2026-03/..., /oauth/2026-03/token); "
        "v3: the legacy /crm/v3, /crm/v4 and /oauth/v1 paths, unsupported from 2027 (see paths.py).",
    )
    portal_timezone: str = Field(
        default="UTC", description="The portal's time zone (IANA): HubSpot resets the daily API limit at its midnight."
    )
    auth_type: Literal["private_app", "oauth"] = "private_app"
    access_token: SecretStr | None = Field(default=None, description="Private-app token (pat-...).")
    client_id: str | None = None
    client_secret: SecretStr | None = None
    refresh_token: SecretStr | None = None
    page_size: int = Field(default=100, ge=1, le=100, description="List page size (HubSpot max 100).")
    search_page_size: int = Field(default=200, ge=1, le=200, description="Search page size (max 200).")
    incremental_lookback_seconds: int = Field(
        default=30, ge=0, le=2_592_000, description="Re-read this much before the cursor: the search index lags."
    )
    timeout_seconds: float = Field(default=30.0, gt=0, le=600, description="Per-request timeout (at most 10 minutes).")
    max_retries: int = Field(default=5, ge=0, le=20, description="Retries of a 429/5xx/transport failure per call.")
    webhook_signature: Literal["hubspot_v3", "standard_webhooks"] = Field(
        default="hubspot_v3",
        description="hubspot_v3 for HubSpot's own deliveries; standard_webhooks when a gateway re-signs them.",
    )
    webhook_secret: SecretStr | None = Field(
        default=None, description="Signing secret; HubSpot signs with the app's client secret (the default)."
    )
    webhook_secret_previous: SecretStr | None = Field(
        default=None, description="The secret being rotated out: both verify until this is removed."
    )
    hub_id_property: str = Field(
        default="partner_hub_id",
        pattern=r"^[a-z][a-z0-9_]{0,99}$",
        description="The custom property (unique values) holding the hub's id of each record; the connector "
        "creates it through the properties API when the portal lacks it, and upserts new records by it.",
    )
    extra_properties: dict[str, list[str]] = Field(
        default_factory=dict, description="More properties to read per object, e.g. {companies: [my_prop]}."
    )

    @field_validator("portal_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Berlin)") from None
        return value

    @model_validator(mode="after")
    def _auth_complete(self) -> HubSpotConfig:
        if self.auth_type == "private_app" and self.access_token is None:
            raise ValueError("auth_type private_app needs access_token")
        if self.auth_type == "oauth" and not (self.client_id and self.client_secret and self.refresh_token):
            raise ValueError("auth_type oauth needs client_id, client_secret and refresh_token")
        return self
