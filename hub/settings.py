"""Typed settings of the hub, read from ``HUB_*`` environment variables (and a ``.env`` file).

Build one with ``Settings()`` at the edge (CLI, app factory) and pass it down; nothing reads the
environment anywhere else.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from connectors.sdk.outbound import OutboundPolicy

REPO_ROOT = Path(__file__).resolve().parent.parent
_REFUSED_TOKENS = {"", "changeme", "change-me", "admin", "secret", "token"}


class Settings(BaseSettings):
    """Everything the hub process needs to start."""

    model_config = SettingsConfigDict(env_prefix="HUB_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/hub.db",
        description="SQLAlchemy URL: a SQLite file by default, postgresql+psycopg://... for PostgreSQL.",
    )
    data_dir: Path = Field(default=Path("var"), description="Where the SQLite file and the key file live.")
    admin_token: SecretStr | None = Field(
        default=None, description="Bearer token for /api/v1; generated and printed at start if unset."
    )
    secret_key: SecretStr | None = Field(
        default=None, description="Fernet key encrypting connector credentials at rest."
    )
    mappings_dir: Path = Field(default=REPO_ROOT / "mappings")
    config_file: Path | None = Field(default=None, description="YAML file declaring connectors (config as code).")
    survivorship_file: Path | None = Field(
        default=None,
        description="YAML survivorship policy (which source supplies each golden field); None = the shipped default.",
    )
    scheduler_enabled: bool = True
    max_request_bytes: int = Field(default=1_048_576, ge=1024)
    lease_seconds: int = Field(default=120, ge=5, description="A running sync's lease; renewed every page.")
    sync_prefetch: int = Field(
        default=1, ge=0, le=8, description="Pages a sync reads ahead while it writes the current one (0 = none)."
    )
    sync_concurrency: int = Field(
        default=1, ge=1, le=16, description="Streams of one connector a sync runs at once (threads; 1 = in turn)."
    )
    log_level: str = "INFO"
    db_read_lock_timeout_seconds: float = Field(
        default=5.0, gt=0, le=600, description="PostgreSQL: an API read waits this long for a lock, then 503."
    )
    db_read_statement_timeout_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="PostgreSQL: an API read runs at most this long, then 503."
    )
    public_url: str | None = Field(
        default=None,
        description="The hub's URL as senders call it (behind a proxy); signatures over the URI use it.",
    )
    webhook_max_bytes: int = Field(default=1_048_576, ge=1024, description="Largest webhook body accepted.")
    webhook_workers: int = Field(default=1, ge=0, le=16, description="Inbox worker threads in hub serve.")
    writeback_interval_seconds: float = Field(
        default=0, ge=0, le=86_400,
        description="hub serve / hub worker push due outbox rows this often; 0 = only on demand (API, CLI).",
    )  # fmt: skip
    webhook_max_attempts: int = Field(default=8, ge=1, description="Attempts before an event is dead.")
    webhook_retry_base_seconds: float = Field(default=2.0, gt=0, description="First retry delay; doubles.")
    webhook_store_timeout_seconds: float = Field(
        default=2.0, gt=0, description="How long a delivery waits for the database before answering 503."
    )
    matching_file: Path | None = Field(
        default=None, description="YAML overriding the matcher's band thresholds and blocking caps."
    )
    request_body_timeout_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="A request body that takes longer to arrive is answered 408."
    )
    header_timeout_seconds: float = Field(
        default=10.0, gt=0, le=3600, description="A connection whose request headers take longer is closed."
    )
    keep_alive_seconds: float = Field(default=5.0, gt=0, le=3600, description="An idle connection is closed after.")
    webhook_claim_seconds: float = Field(default=60.0, ge=1, description="A worker's claim on an event.")
    mass_delete_share: float = Field(
        default=0.2,
        gt=0,
        le=1,
        description="Mass-delete guard: a complete full read that would tombstone more than this share of a "
        "stream's live records is held until an operator confirms it (a connector's config may override).",
    )
    mass_delete_min: int = Field(
        default=10, ge=0, le=1_000_000, description="Mass-delete guard: fewer tombstones than this are never held."
    )
    outbound_allow: str = Field(
        default="",
        description="Internal destinations connectors may call anyway (and over plain http): comma-separated "
        "host names, IP addresses, CIDR networks, each optionally :port, e.g. 127.0.0.1,localhost,::1 for the "
        "sandbox. Everything else private, loopback, link-local or reserved is refused (docs/security.md).",
    )

    @field_validator("outbound_allow")
    @classmethod
    def _valid_allow_list(cls, value: str) -> str:
        try:
            OutboundPolicy.parse(value)
        except ValueError as exc:
            raise ValueError(f"HUB_OUTBOUND_ALLOW: {exc}") from exc
        return value

    def outbound_policy(self) -> OutboundPolicy:
        """The policy every connector's HTTP client applies (``connectors.sdk.outbound``)."""
        return OutboundPolicy.parse(self.outbound_allow)

    @field_validator("admin_token")
    @classmethod
    def _refuse_default_tokens(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and (value.get_secret_value().strip().lower() in _REFUSED_TOKENS):
            raise ValueError("HUB_ADMIN_TOKEN is a well-known default; set a real secret")
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("HUB_ADMIN_TOKEN must be at least 16 characters")
        return value

    @field_validator("secret_key")
    @classmethod
    def _valid_fernet_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            try:
                Fernet(value.get_secret_value().encode())
            except ValueError as exc:
                raise ValueError(
                    "HUB_SECRET_KEY must be the Fernet key itself (44 urlsafe-base64 characters, e.g. from "
                    "Fernet.generate_key()), not a path; unset it to use HUB_DATA_DIR/secret.key"
                ) from exc
        return value

    def resolved_secret_key(self) -> bytes:
        """The Fernet key: from settings, else from ``data_dir/secret.key`` (created 0600 on first use)."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.data_dir / "secret.key"
        if path.exists():
            return path.read_bytes().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = Fernet.generate_key()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        return key

    def resolved_admin_token(self) -> tuple[str, bool]:
        """The admin token, and whether it was generated just now (so the caller can print it once)."""
        if self.admin_token is not None:
            return self.admin_token.get_secret_value(), False
        return secrets.token_urlsafe(24), True
