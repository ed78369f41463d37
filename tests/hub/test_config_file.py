"""The example configuration applies as documented; a missing variable is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub import config_file
from hub.context import Hub
from hub.settings import REPO_ROOT
from sandbox.kit.tls import generate_self_signed_cert

EXAMPLE = REPO_ROOT / "config" / "hub.example.yaml"
ENV = {
    "HUBSPOT_CLIENT_SECRET": "s", "HUBSPOT_REFRESH_TOKEN": "r", "SALESFORCE_CLIENT_SECRET": "c",
    "SALESFORCE_CA_BUNDLE": "/tmp/ca.pem", "SALESFORCE_OUTBOUND_TOKEN": "o" * 20,
    "PARTNERSTACK_SECRET_KEY": "k", "PARTNERSTACK_WEBHOOK_TOKEN": "w" * 20,
}  # fmt: skip


def test_the_example_config_applies_and_reapplies(hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    # verify_tls must be a CA bundle that loads (docs/security.md): the sandbox's kind of certificate
    monkeypatch.setenv("SALESFORCE_CA_BUNDLE", str(generate_self_signed_cert(tmp_path).cert_path))
    applied = config_file.apply(EXAMPLE, hub.store)
    assert [c.id for c in applied] == ["hubspot-main", "salesforce-main", "partnerstack-main"]
    assert all(c.credentials_set and c.schedules for c in applied)
    again = config_file.apply(EXAMPLE, hub.store)  # idempotent: config as code
    assert [c.id for c in again] == [c.id for c in applied]


def test_a_missing_variable_is_named(hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    path = tmp_path / "hub.yaml"
    path.write_text(
        "connectors:\n  - id: x\n    kind: hubspot\n    credentials:\n      access_token: ${NOT_SET_ANYWHERE}\n"
    )
    with pytest.raises(ValueError, match="NOT_SET_ANYWHERE is not set"):
        config_file.apply(path, hub.store)
