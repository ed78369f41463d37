"""Configuration of one simulated PartnerStack program (vendor account)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PartnerStackConfig:
    """Credentials of the simulated vendor account.

    The Vendor API uses HTTP Basic auth with ``public_key`` as user name and ``secret_key`` as
    password.  The ``test_*`` pair authenticates too, but customers created with it are flagged
    ``test: true`` and their transactions earn no rewards (as PartnerStack's test keys).
    ``admin_token`` guards the ``/_sandbox`` control endpoints (header ``X-Sandbox-Admin``).
    """

    public_key: str = "pk_sandbox_partnerstack"
    secret_key: str = "sk_sandbox_partnerstack"
    test_public_key: str = "pk_test_sandbox_partnerstack"
    test_secret_key: str = "sk_test_sandbox_partnerstack"
    admin_token: str = "sandbox-admin"

    def credentials(self) -> dict[str, str]:
        """What a test or the ``serve`` banner prints."""
        return {
            "public_key": self.public_key,
            "secret_key": self.secret_key,
            "test_public_key": self.test_public_key,
            "test_secret_key": self.test_secret_key,
            "admin_token": self.admin_token,
        }
