"""PartnerStack and the hub id (ADR 21), against the sandbox: a record is addressed by its
``external_id``; its ``hub_id`` is never written (PartnerStack documents ``external_key`` and
``customer_key`` on create only), so an existing deal's external key is left as it is."""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from connectors.partnerstack import PartnerStackConfig, PartnerStackConnector
from connectors.sdk import WriteRecord
from sandbox.server import SandboxServer
from tests.policy import SANDBOX_OUTBOUND

HUB_A = "0f8fad5b-d9cb-469f-a165-70867728950e"


def test_a_deal_is_written_by_its_key_and_its_external_key_left_alone(sandbox: SandboxServer) -> None:
    creds = sandbox.credentials["partnerstack"]
    base, auth = sandbox.base_urls["partnerstack"], (creds["public_key"], creds["secret_key"])
    deal = httpx.get(f"{base}/deals", auth=auth, params={"limit": 1}).json()["data"]["items"][0]
    sent: list[dict[str, object]] = []
    connector = PartnerStackConnector(
        PartnerStackConfig(base_url=base, public_key=creds["public_key"], secret_key=SecretStr(creds["secret_key"])),
        outbound=SANDBOX_OUTBOUND,
    )
    assert connector.client is not None
    connector.client.event_hooks["request"] = [lambda r: sent.append({"method": r.method, "path": r.url.path})]
    try:
        record = WriteRecord(key="ignored", properties={"lost_reason": "Budget"}, external_id=deal["key"], hub_id=HUB_A)
        [result] = connector.write("deals", [record])
    finally:
        connector.close()
    assert result.ok and result.key == "ignored" and result.external_id == deal["key"]
    assert [s["method"] for s in sent] == ["PATCH"] and str(sent[0]["path"]).endswith(f"/deals/{deal['key']}")
    after = httpx.get(f"{base}/deals/{deal['key']}", auth=auth).json()["data"]
    assert after["lost_reason"] == "Budget" and after.get("external_key") == deal.get("external_key")
