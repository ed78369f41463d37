"""Salesforce connector configuration. Secrets are ``SecretStr`` (the hub seals them at rest).

Two OAuth 2.0 grants against ``{login_url}/services/oauth2/token``: ``client_credentials`` (a connected
app with a run-as user; needs the org's My Domain host as ``login_url``) and ``refresh_token`` (from a
web-server flow done once outside the hub). Every later call goes to the ``instance_url`` the token
response names. https://help.salesforce.com/s/articleView?id=000886201
"""

from __future__ import annotations

import re
import ssl
from typing import Literal

from pydantic import ConfigDict, Field, SecretStr, field_validator, model_validator

from connectors.salesforce.streams import REQUIRED_FIELDS, SOBJECTS
from connectors.sdk import DeleteGuardConfig, OutboundUrl

# API names only (letters, digits, underscores; custom ones end in __c): they are pasted into SOQL.
_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_RECORD_ID = r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$"


# The ?token= is all that authenticates an Outbound Message (they are unsigned): unguessable, 16+.
MIN_TOKEN_LENGTH = 16


class SalesforceConfig(DeleteGuardConfig):
    """Connection, read and push settings of one Salesforce org."""

    model_config = ConfigDict(extra="forbid")

    login_url: OutboundUrl = Field(
        default="https://login.salesforce.com",
        pattern=r"^https?://[^/?#]+/?$",
        description="Token endpoint host: login/test.salesforce.com or https://<MyDomain>.my.salesforce.com "
        "(https; an internal host only if HUB_OUTBOUND_ALLOW names it).",
    )
    api_version: str = Field(default="62.0", pattern=r"^\d{2,3}\.0$", description="REST API version, no 'v'.")
    auth_type: Literal["client_credentials", "refresh_token"] = "client_credentials"
    client_id: str = Field(min_length=1, description="The connected app's consumer key.")
    client_secret: SecretStr = Field(description="The connected app's consumer secret.")
    refresh_token: SecretStr | None = Field(default=None, description="auth_type refresh_token only.")
    client_auth: Literal["body", "basic"] = Field(
        default="body",
        description="How the token request carries client_id/secret: form fields, or an HTTP Basic header.",
    )
    page_size: int = Field(
        default=2000, ge=200, le=2000, description="Sforce-Query-Options batchSize (Salesforce may send fewer)."
    )
    bulk_threshold: int | None = Field(
        default=10_000,
        ge=0,
        description="A full read of a stream with more rows than this (SELECT COUNT()) runs as a Bulk API 2.0 "
        "query job (CSV results); 0 or null: always REST queries. Incremental reads are always REST.",
    )
    bulk_max_records: int = Field(
        default=50_000, ge=200, le=1_000_000, description="maxRecords of each Bulk API results chunk."
    )
    bulk_poll_timeout_seconds: float = Field(
        default=1800.0, ge=1.0, le=86400.0, description="How long a read waits for a query job to complete."
    )
    bulk_poll_max_interval_seconds: float = Field(
        default=10.0, ge=0.5, le=300.0, description="Longest wait between two status polls of a query job."
    )
    bulk_job_attempts: int = Field(
        default=2, ge=1, le=5, description="Query jobs tried (a Failed/Aborted one is replaced) before the read fails."
    )
    incremental_lookback_seconds: int = Field(
        default=60,
        ge=0,
        le=2_592_000,
        description="Re-read this much before the cursor: SystemModstamp is stamped before a transaction "
        "commits, so a slow transaction can surface behind the newest record already read.",
    )
    timeout_seconds: float = Field(default=30.0, gt=0, le=600, description="Per-request timeout (at most 10 minutes).")
    max_retries: int = Field(default=5, ge=0, le=20, description="Retries of a 5xx/transport failure per call.")
    verify_tls: bool | str = Field(
        default=True,
        description="false, or the path of a readable PEM CA bundle (e.g. a test sandbox's self-signed cert).",
    )
    api_limit_pause_seconds: float = Field(
        default=3600.0,
        ge=60.0,
        le=86400.0,
        description="retry_after of the error raised on REQUEST_LIMIT_EXCEEDED (the daily quota is a "
        "rolling 24-hour window; the run stops instead of hammering it).",
    )
    concurrent_limit_retries: int = Field(
        default=4,
        ge=0,
        le=10,
        description="Retries of a call refused by the concurrent long-running request limit (quota left).",
    )
    concurrent_limit_wait_seconds: float = Field(
        default=20.0,
        ge=0.0,
        le=300.0,
        description="First wait before such a retry; doubled each time (requests of 20 s or more count "
        "towards the limit, so a wait of that order lets some finish).",
    )
    deal_registration_record_type: str = Field(
        default="Deal_Registration", description="DeveloperName of the Lead record type of deal registrations."
    )
    deal_registration_record_type_id: str | None = Field(
        default=None, pattern=_RECORD_ID, description="Its Id, to skip the RecordType lookup."
    )
    extra_fields: dict[str, list[str]] = Field(
        default_factory=dict, description="More fields to read per stream, e.g. {accounts: [DUNS__c]}."
    )
    omit_fields: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Default fields this org lacks, e.g. {opportunities: [CurrencyIsoCode]} without multi-currency.",
    )
    outbound_message_token: SecretStr | None = Field(
        default=None, description="Secret expected as ?token= on the Outbound Message endpoint URL."
    )
    outbound_message_token_previous: SecretStr | None = Field(
        default=None, description="The token being rotated out: both verify until this is removed."
    )
    outbound_message_org_id: str | None = Field(
        default=None, pattern=_RECORD_ID, description="Accept Outbound Messages of this org (00D...) only."
    )

    @field_validator("deal_registration_record_type")
    @classmethod
    def _developer_name(cls, value: str) -> str:
        if not _FIELD.match(value):
            raise ValueError("a DeveloperName has letters, digits and underscores only")
        return value

    @field_validator("verify_tls")
    @classmethod
    def _ca_bundle(cls, value: bool | str) -> bool | str:
        """A path must be a CA bundle that loads (PEM certificates), not any file the hub can read:
        the error says only that it is not one, never what the file holds."""
        if isinstance(value, str):
            try:
                context = ssl.create_default_context(cafile=value)
            except (OSError, ssl.SSLError, ValueError):
                raise ValueError(f"{value!r} is not a readable PEM CA bundle") from None
            if not context.cert_store_stats().get("x509"):
                raise ValueError(f"{value!r} holds no certificate")
        return value

    @field_validator("extra_fields", "omit_fields")
    @classmethod
    def _known_streams_and_names(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for stream, fields in value.items():
            if stream not in SOBJECTS:
                raise ValueError(f"unknown stream {stream!r} (streams: {', '.join(SOBJECTS)})")
            bad = [name for name in fields if not _FIELD.match(name)]
            if bad:
                raise ValueError(f"{stream}: not field API names: {', '.join(bad)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SalesforceConfig:
        if self.auth_type == "refresh_token" and self.refresh_token is None:
            raise ValueError("auth_type refresh_token needs refresh_token")
        for name in ("outbound_message_token", "outbound_message_token_previous"):
            token: SecretStr | None = getattr(self, name)
            if token is not None and len(token.get_secret_value().strip()) < MIN_TOKEN_LENGTH:
                raise ValueError(f"{name} must be at least {MIN_TOKEN_LENGTH} characters (use a random value)")
        for stream, fields in self.omit_fields.items():
            needed = sorted(set(fields) & REQUIRED_FIELDS)
            if needed:
                raise ValueError(f"{stream}: {', '.join(needed)} cannot be omitted")
        return self

    @property
    def token_url(self) -> str:
        return f"{self.login_url.rstrip('/')}/services/oauth2/token"

    def fields(self, stream: str) -> tuple[str, ...]:
        """The fields a stream reads: defaults minus ``omit_fields`` plus ``extra_fields``, in order."""
        omitted = set(self.omit_fields.get(stream, ()))
        chosen = [name for name in SOBJECTS[stream].fields if name not in omitted]
        chosen += [name for name in self.extra_fields.get(stream, ()) if name not in chosen]
        return tuple(chosen)
