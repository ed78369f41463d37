"""Configuration of one simulated Salesforce org: credentials, limits and API versions."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from sandbox.salesforce.features import FEATURES
from sandbox.salesforce.gen_base import INTEGRATION_USER_ID, ORGANIZATION_ID

SEASONS = ("Winter", "Spring", "Summer")


def version_label(major: int) -> str:
    """Release name of API version ``major`` (20 = Winter '11, 59 = Winter '24, 67 = Summer '26)."""
    offset = major - 20
    return f"{SEASONS[offset % 3]} '{11 + offset // 3:02d}"


@dataclass
class SalesforceConfig:
    """Credentials, limits and identifiers of the simulated org.

    ``session_ids`` are pre-issued sessions for direct use (``Salesforce(instance_url=...,
    session_id=...)``); they never expire.  Sessions issued by the OAuth/SOAP endpoints expire after
    ``session_ttl`` seconds without use (Salesforce's inactivity timeout; fractions allowed).
    ``daily_api_limit`` is the org's 24-hour API request allowance (0 = unlimited).
    ``instance_url`` overrides the URL returned by the token endpoints (default: the URL the
    request came in on).  Versions ``min_version``..``max_version`` are served.
    ``features``: ``{"multicurrency": bool, "partner": bool}`` (both on by default); an org without
    one lacks its objects and fields (:mod:`.features`).  ``rotate_refresh_tokens``: the connected
    app's refresh token rotation: each refresh-token grant answers with a new refresh token and
    invalidates the one it was given.  Bulk API 2.0 query jobs answer ``InProgress`` to their first
    ``bulk_polls_to_complete`` status polls, then ``JobComplete``; the next ``bulk_fail_jobs`` jobs
    created end ``Failed`` instead (a test control, counted down).
    """

    consumer_key: str = "3MVG9sandbox.partnerhub.consumer.key"
    consumer_secret: str = "sandbox-consumer-secret"
    username: str = "integration@partnerhub.sandbox"
    password: str = "sandbox-password"
    security_token: str = "SandboxSecurityToken1"
    session_ids: tuple[str, ...] = (f"{ORGANIZATION_ID[:15]}!AQsandbox.static.session",)
    refresh_token: str = "5Aep861sandbox.refresh.token"
    authorization_code: str = "aPrxsandbox.authorization.code"
    redirect_uri: str = "http://localhost/oauth-callback"
    admin_token: str = "sandbox-admin"
    organization_id: str = ORGANIZATION_ID
    user_id: str = INTEGRATION_USER_ID
    session_ttl: float = 7200.0
    daily_api_limit: int = 100_000
    min_version: int = 31
    max_version: int = 66
    instance_url: str | None = None
    updated_window_days: int = 30
    deleted_window_days: int = 15
    replication_id_limit: int = 600_000
    query_locator_limit: int = 200
    features: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(FEATURES, True))
    rotate_refresh_tokens: bool = False
    bulk_polls_to_complete: int = 1
    bulk_fail_jobs: int = 0

    RUNTIME_FIELDS = ("session_ttl", "daily_api_limit", "replication_id_limit", "query_locator_limit",
                      "bulk_polls_to_complete", "bulk_fail_jobs")  # fmt: skip
    RUNTIME_FLAGS = ("rotate_refresh_tokens",)

    def update(self, changes: dict[str, Any]) -> None:
        """Change runtime-tunable fields (``POST /_sandbox/config``); ``ValueError`` on others."""
        known = {f.name for f in fields(self)}
        for key, value in changes.items():
            if key == "features":
                self.set_features(value)
                continue
            if key in self.RUNTIME_FLAGS:
                if not isinstance(value, bool):
                    raise ValueError(f"'{key}' must be true or false")
                setattr(self, key, value)
                continue
            if key not in self.RUNTIME_FIELDS or key not in known:
                raise ValueError(f"'{key}' cannot be changed at runtime")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"'{key}' must be a number")
            number = float(value) if key == "session_ttl" else int(value)
            if number < 0:
                raise ValueError(f"'{key}' must be >= 0")
            setattr(self, key, number)

    def set_features(self, value: Any) -> None:
        """Switch features on or off: ``{"multicurrency": false}`` (others keep their state)."""
        if not isinstance(value, dict):
            raise ValueError("'features' must be an object of feature names to true/false")
        unknown = sorted(set(value) - set(FEATURES))
        if unknown:
            raise ValueError(f"unknown features {', '.join(map(str, unknown))} (known: {', '.join(FEATURES)})")
        if not all(isinstance(flag, bool) for flag in value.values()):
            raise ValueError("each feature must be true or false")
        self.features = {**self.features, **value}

    def runtime_view(self) -> dict[str, Any]:
        """The runtime-tunable fields and their values."""
        view: dict[str, Any] = {k: getattr(self, k) for k in (*self.RUNTIME_FIELDS, *self.RUNTIME_FLAGS)}
        return {**view, "features": dict(self.features)}

    def versions(self) -> list[dict[str, str]]:
        """``GET /services/data/`` body, oldest first."""
        return [
            {"label": version_label(v), "url": f"/services/data/v{v}.0", "version": f"{v}.0"}
            for v in range(self.min_version, self.max_version + 1)
        ]

    def supports(self, version: str) -> bool:
        """Whether ``59.0``-style ``version`` is served."""
        major, dot, minor = version.partition(".")
        return dot == "." and minor == "0" and major.isdigit() and self.min_version <= int(major) <= self.max_version
