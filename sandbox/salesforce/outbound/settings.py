"""Outbound-message settings (``PUT /_sandbox/salesforce/outbound``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import urlparse

MAX_PER_MESSAGE = 100


class SettingsError(ValueError):
    """Invalid settings."""


@dataclass(frozen=True)
class OutboundSettings:
    """Where and what to send, and the retry schedule.

    ``objects`` are sObject names; ``fields`` optionally restricts the fields sent per object
    (default: every non-null field; ``Id`` always).  A failed message (no ``<Ack>true</Ack>``) is
    retried after ``retry_base_s * 2**n`` seconds, at most ``retry_max_s`` apart (Salesforce: up to 2 h),
    until ``max_age_s`` after its first attempt (Salesforce: 24 h) or ``max_attempts`` (0 = no cap).
    """

    enabled: bool = False
    target_url: str = ""
    objects: tuple[str, ...] = ()
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    batch_size: int = MAX_PER_MESSAGE
    batch_window_s: float = 0.05
    timeout_s: float = 10.0
    retry_base_s: float = 15.0
    retry_max_s: float = 7200.0
    max_age_s: float = 86_400.0
    max_attempts: int = 0
    send_session_id: bool = False
    api_version: str = "59.0"

    def merged(self, body: dict[str, Any], known_objects: dict[str, str]) -> OutboundSettings:
        """New settings with ``body`` applied; ``known_objects`` maps lower-case names to API names."""
        if not isinstance(body, dict):
            raise SettingsError("body must be a JSON object")
        changes: dict[str, Any] = {}
        for key, value in body.items():
            if key == "target_url":
                changes[key] = check_url(value)
            elif key == "objects":
                changes[key] = tuple(_object(known_objects, v) for v in _strings(value, key))
            elif key == "fields":
                if not isinstance(value, dict):
                    raise SettingsError("'fields' must map object names to field lists")
                changes[key] = {_object(known_objects, k): tuple(_strings(v, "fields")) for k, v in value.items()}
            elif key in ("enabled", "send_session_id"):
                if not isinstance(value, bool):
                    raise SettingsError(f"'{key}' must be true or false")
                changes[key] = value
            elif key in ("batch_size", "max_attempts"):
                changes[key] = _int(
                    value, key, 1 if key == "batch_size" else 0, MAX_PER_MESSAGE if key == "batch_size" else 10**6
                )
            elif key in ("batch_window_s", "timeout_s", "retry_base_s", "retry_max_s", "max_age_s"):
                if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                    raise SettingsError(f"'{key}' must be a non-negative number")
                changes[key] = float(value)
            elif key == "api_version":
                changes[key] = str(value)
            else:
                raise SettingsError(f"unknown setting '{key}'")
        new = replace(self, **changes)
        if new.enabled and not new.target_url:
            raise SettingsError("'target_url' is required to enable outbound messages")
        return new

    def retry_delay(self, attempt: int) -> float:
        """Seconds before retrying after failed attempt number ``attempt`` (0-based)."""
        return float(min(self.retry_base_s * (2**attempt), self.retry_max_s))

    def view(self) -> dict[str, Any]:
        """JSON view."""
        out = asdict(self)
        out["objects"] = list(self.objects)
        out["fields"] = {k: list(v) for k, v in self.fields.items()}
        return out


def check_url(value: Any) -> str:
    """An http(s) URL or ``""``."""
    if not isinstance(value, str):
        raise SettingsError("'target_url' must be a string")
    if value and urlparse(value).scheme not in ("http", "https"):
        raise SettingsError("'target_url' must be an http(s) URL")
    return value


def _strings(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SettingsError(f"'{key}' must be a list of strings")
    return value


def _object(known: dict[str, str], name: str) -> str:
    canonical = known.get(name.lower())
    if canonical is None:
        raise SettingsError(f"unknown object '{name}'")
    return canonical


def _int(value: Any, key: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SettingsError(f"'{key}' must be an integer between {low} and {high}")
    return value
