"""Write-back against the Salesforce and PartnerStack sandboxes: per-record results, partial failure."""

from __future__ import annotations

import httpx
from pydantic import SecretStr
from sqlalchemy import select

from connectors.partnerstack import PartnerStackConfig, PartnerStackConnector
from connectors.sdk import WriteRecord
from hub.context import Hub
from hub.db.schema import dead_letters, write_log
from hub.writeback.run import writeback
from sandbox.server import SandboxServer
from tests.policy import SANDBOX_OUTBOUND


def test_salesforce_golden_values_are_written_back_and_a_deleted_account_fails_alone(
    sf: Hub, sf_admin: httpx.Client
) -> None:
    sf.runner.run_all("sf", mode="full", streams=["accounts"])
    preview = writeback(sf, "sf", "accounts", dry_run=True)
    assert preview.planned >= 2, preview
    victim = preview.sample[0]["key"]
    deleted = _delete_account(sf, victim)
    assert deleted in (200, 204), deleted
    report = writeback(sf, "sf", "accounts")
    assert report.failed == 1 and report.written == report.planned - 1
    with sf.reader.connect() as conn:
        failed = conn.execute(select(write_log).where(write_log.c.status == "rejected")).one()
        dead = conn.execute(select(dead_letters).where(dead_letters.c.stage == "write")).one()
    assert failed.external_id == victim == dead.external_id and dead.reason
    again = writeback(sf, "sf", "accounts")
    # the rejected write is held (dead-lettered), not sent again until its value changes or an operator asks
    assert again.planned == 0 and again.rejected == 1, again
    retried = writeback(sf, "sf", "accounts", retry_rejected=True)
    assert retried.planned == 1 and retried.rejected == 1 and retried.written == 0


def _delete_account(hub: Hub, account_id: str) -> int:
    connector = hub.store.build("sf")
    try:
        response = connector.requester.request(  # type: ignore[attr-defined]
            "DELETE", f"/services/data/v59.0/sobjects/Account/{account_id}"
        )
        return int(response.status_code)
    finally:
        connector.close()


def test_partnerstack_write_back_is_per_record(sandbox: SandboxServer) -> None:
    creds = sandbox.credentials["partnerstack"]
    connector = PartnerStackConnector(
        PartnerStackConfig(base_url=sandbox.base_urls["partnerstack"], public_key=creds["public_key"],
                           secret_key=SecretStr(creds["secret_key"])),
        outbound=SANDBOX_OUTBOUND,
    )  # fmt: skip
    try:
        auth = (creds["public_key"], creds["secret_key"])
        groups = httpx.get(f"{sandbox.base_urls['partnerstack']}/groups", auth=auth).json()["data"]["items"]
        partners = httpx.get(f"{sandbox.base_urls['partnerstack']}/partnerships", auth=auth, params={"limit": 2})
        first, second = partners.json()["data"]["items"]
        tiers = next(g for g in groups if g["key"] == first["group"]["key"])["tiers"]
        gold = next(t for t in tiers if t["name"] != (first.get("tier") or {}).get("name"))
        results = connector.write(
            "partnerships",
            [WriteRecord(key=first["key"], properties={"tier_key": gold["key"]}),
             WriteRecord(key="part_doesnotexist", properties={"tier_key": gold["key"]}),
             WriteRecord(key=second["key"], properties={"tags": ["hub"]})],
        )  # fmt: skip
        assert [r.ok for r in results] == [True, False, False]
        assert results[1].error and results[2].error  # unknown key; a property PartnerStack does not take
        after = httpx.get(f"{sandbox.base_urls['partnerstack']}/partnerships/{first['key']}", auth=auth).json()
        assert after["data"]["tier"]["key"] == gold["key"]
    finally:
        connector.close()
