"""The connector speaks the date-versioned API (2026-03) by default and the legacy paths on request."""

from __future__ import annotations

import httpx
import pytest

from connectors.hubspot.paths import ApiPaths
from connectors.sdk import ReadRequest, WriteRecord
from sandbox.server import SandboxServer
from tests.connectors.hubspot.conftest import EPOCH, connector


def _paths_used(hubspot: httpx.Client) -> set[str]:
    return {r["path"] for r in hubspot.get("/_sandbox/stats").json()["requests"]}


def _exercise(sandbox: SandboxServer, **config: object) -> None:
    hs = connector(sandbox, page_size=20, **config)
    try:
        hs.check()
        next(iter(hs.read("deals", ReadRequest(mode="full"))))
        next(iter(hs.read("deals", ReadRequest(mode="incremental", cursor=EPOCH))))
        companies = next(iter(hs.read("companies", ReadRequest(mode="full")))).records
        hs.fetch("companies", [companies[0]["id"]])
        domain = companies[0]["properties"]["domain"]
        assert hs.write("companies", [WriteRecord(key=domain, properties={"phone": "+1 555 0100"})])[0].ok
    finally:
        hs.close()


def test_the_default_is_2026_03_for_every_call(sandbox: SandboxServer, hubspot: httpx.Client) -> None:
    hubspot.delete("/_sandbox/stats")
    _exercise(sandbox)
    used = _paths_used(hubspot)
    assert "/oauth/2026-03/token" in used
    assert "/crm/objects/2026-03/{objectType}/search" in used
    assert "/crm/associations/2026-03/{fromObjectType}/{toObjectType}/batch/read" in used
    assert "/crm/objects/2026-03/{objectType}/batch/upsert" in used
    assert not [p for p in used if "/v1/" in p or "/v3/" in p or "/v4/" in p], used


def test_v3_keeps_the_legacy_paths(sandbox: SandboxServer, hubspot: httpx.Client) -> None:
    hubspot.delete("/_sandbox/stats")
    _exercise(sandbox, api_version="v3")
    used = _paths_used(hubspot)
    assert "/oauth/v1/token" in used
    assert "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read" in used
    assert not [p for p in used if "2026-03" in p], used


@pytest.mark.parametrize("version", ["2026-03", "v3"])
def test_paths_of_each_version(version: str) -> None:
    paths = ApiPaths(version)
    dated = version != "v3"
    assert paths.objects("deals") == ("/crm/objects/2026-03/deals" if dated else "/crm/v3/objects/deals")
    assert paths.association_batch_read("deals", "companies").startswith(
        "/crm/associations/2026-03/" if dated else "/crm/v4/associations/"
    )
    assert paths.token() == ("/oauth/2026-03/token" if dated else "/oauth/v1/token")
