"""Encryption of connector credentials at rest (Fernet: AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretBox:
    """Encrypts dicts of credentials. Give several keys to rotate: the first encrypts, all decrypt."""

    def __init__(self, *keys: bytes) -> None:
        if not keys:
            raise ValueError("SecretBox needs at least one key")
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def seal(self, secrets: dict[str, Any]) -> bytes:
        return self._fernet.encrypt(orjson.dumps(secrets))

    def open(self, token: bytes | None) -> dict[str, Any]:
        if not token:
            return {}
        try:
            value = orjson.loads(self._fernet.decrypt(token))
        except InvalidToken as exc:
            raise ValueError("stored credentials cannot be decrypted with the configured key") from exc
        if not isinstance(value, dict):
            raise ValueError("stored credentials are not an object")
        return value
