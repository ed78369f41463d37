"""PartnerStack connector configuration. Secrets are ``SecretStr`` and stored encrypted by the hub."""

from __future__ import annotations

from pydantic import ConfigDict, Field, SecretStr, model_validator

from connectors.sdk import DeleteGuardConfig, OutboundUrl

# A webhook token is the only thing that authenticates a PartnerStack delivery (they are unsigned),
# so it must be unguessable: 16 characters is the floor, 32+ random characters is the advice.
MIN_TOKEN_LENGTH = 16


class PartnerStackConfig(DeleteGuardConfig):
    """Vendor API keys (HTTP Basic: public key = username, secret key = password) and options.

    Keys: PartnerStack → Settings → Integrations → PartnerStack API Keys. Test keys work the same way
    (customers they create are flagged ``test``).
    """

    model_config = ConfigDict(extra="forbid")

    base_url: OutboundUrl = Field(
        default="https://api.partnerstack.com/api/v2",
        description="https; an internal host only if HUB_OUTBOUND_ALLOW names it.",
    )
    public_key: str = Field(min_length=1, description="Vendor API public key (the Basic-auth username).")
    secret_key: SecretStr = Field(description="Vendor API secret key (the Basic-auth password).")
    page_size: int = Field(default=250, ge=1, le=250, description="List page size (`limit`, PartnerStack max 250).")
    timeout_seconds: float = Field(default=30.0, gt=0, le=600, description="Per-request timeout (at most 10 minutes).")
    max_retries: int = Field(default=5, ge=0, le=20, description="Retries of a 429/5xx/transport failure per call.")
    incremental_lookback_seconds: int = Field(
        default=300,
        ge=0,
        le=2_592_000,
        description="Re-read this much before the cursor on incremental reads. Customers and deals are "
        "listed in creation order (their lists take no order_by), so a record updated while a read is under "
        "way may sit behind the reader; re-reading a few minutes catches it (unchanged records cost no write).",
    )
    reward_recheck_days: int = Field(
        default=90,
        ge=0,
        le=3650,
        description="Incremental reward reads also re-read the rewards created in this many days, so status "
        "changes (pending → approved → paid) arrive; 0 reads only rewards created since the cursor.",
    )
    resolve_transaction_partners: bool = Field(
        default=True,
        description="Transactions name only their customer: look each new customer up (one GET, cached) "
        "to link the transaction to the customer's partner.",
    )
    webhook_token: SecretStr | None = Field(
        default=None,
        description="Secret the webhook URL must carry as ?token=... (URL-safe, e.g. secrets.token_urlsafe(32)); "
        "without one the connector takes no webhooks.",
    )
    webhook_token_previous: SecretStr | None = Field(
        default=None, description="The token being rotated out: both are accepted until this is removed."
    )

    @model_validator(mode="after")
    def _tokens_are_strong(self) -> PartnerStackConfig:
        for name in ("webhook_token", "webhook_token_previous"):
            token: SecretStr | None = getattr(self, name)
            if token is not None and len(token.get_secret_value().strip()) < MIN_TOKEN_LENGTH:
                raise ValueError(f"{name} must be at least {MIN_TOKEN_LENGTH} characters (use a random value)")
        if self.webhook_token_previous is not None and self.webhook_token is None:
            raise ValueError("webhook_token_previous needs webhook_token (the new token)")
        return self
