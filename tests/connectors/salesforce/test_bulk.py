"""Full reads through Bulk API 2.0 query jobs, over HTTPS against the Salesforce sandbox.

The records a bulk read yields must equal the REST read's exactly (types, ``attributes``, folded-in
partner rows), page by page sizes aside; resumes, failed jobs, faults and the threshold are covered.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from connectors.salesforce import SalesforceConfig, SalesforceConnector
from connectors.salesforce.bulk import BulkJobFailed, json_value, rest_datetime
from connectors.sdk import Page, ReadRequest
from sandbox.salesforce import SalesforceSandbox
from tests.policy import SANDBOX_OUTBOUND

VERSION = "59.0"
STREAMS = ("accounts", "contacts", "opportunities", "deal_registrations", "channel_program_members")
BULK = {"bulk_threshold": 1, "bulk_max_records": 250}


@pytest.fixture(scope="module")
def org() -> Iterator[SalesforceSandbox]:
    with SalesforceSandbox(seed=5, size=1200) as sandbox:
        yield sandbox


@pytest.fixture
def admin(org: SalesforceSandbox) -> Iterator[httpx.Client]:
    headers = {"X-Sandbox-Admin": org.credentials["admin_token"]}
    with httpx.Client(base_url=org.base_url, verify=str(org.cert_path), headers=headers) as client:
        client.delete("/_sandbox/stats")
        yield client
        client.delete("/_sandbox/faults").raise_for_status()
        client.post("/_sandbox/config", json={"bulk_fail_jobs": 0, "bulk_polls_to_complete": 1}).raise_for_status()


def connect(org: SalesforceSandbox, **overrides: Any) -> SalesforceConnector:
    creds = org.credentials
    values: dict[str, Any] = {
        "login_url": org.base_url, "api_version": VERSION, "client_id": creds["consumer_key"],
        "client_secret": SecretStr(creds["consumer_secret"]), "verify_tls": str(org.cert_path), "page_size": 200,
        "max_retries": 3, **overrides,
    }  # fmt: skip
    return SalesforceConnector(SalesforceConfig(**values), sleep=lambda _s: None, outbound=SANDBOX_OUTBOUND)


def pages(connector: SalesforceConnector, stream: str, resume: dict[str, Any] | None = None) -> list[Page]:
    return list(connector.read(stream, ReadRequest(mode="full", resume=resume)))


def records(connector: SalesforceConnector, stream: str) -> list[dict[str, Any]]:
    return [record for page in pages(connector, stream) for record in page.records]


def calls(admin: httpx.Client, fragment: str) -> int:
    rows = admin.get("/_sandbox/stats").json()["requests"]
    return sum(int(r["count"]) for r in rows if fragment in str(r["path"]))


@pytest.mark.parametrize("stream", STREAMS)
def test_a_bulk_full_read_yields_the_rest_records_exactly(
    org: SalesforceSandbox, admin: httpx.Client, stream: str
) -> None:
    rest = records(connect(org, bulk_threshold=0), stream)
    bulk_pages = pages(connect(org, **BULK), stream)
    bulk = [record for page in bulk_pages for record in page.records]
    assert rest and bulk == rest
    assert all(len(page.records) <= 200 for page in bulk_pages)
    assert bulk_pages[-1].resume is None
    if len(rest) > 200:
        assert [p.resume["bulk"]["job"] for p in bulk_pages[:-1] if p.resume]  # paged by the job's chunks


def test_types_come_back_as_rest_json(org: SalesforceSandbox, admin: httpx.Client) -> None:
    accounts = records(connect(org, **BULK), "accounts")
    assert any(isinstance(a["AnnualRevenue"], float) for a in accounts)
    assert any(isinstance(a["NumberOfEmployees"], int) for a in accounts)
    assert all(isinstance(a["IsPartner"], bool) and isinstance(a["IsDeleted"], bool) for a in accounts)
    assert all(a["SystemModstamp"].endswith("+0000") for a in accounts)
    assert json_value("date", "2024-12-31") == "2024-12-31" and json_value("string", "") is None
    assert rest_datetime("2024-05-01T10:00:00Z") == "2024-05-01T10:00:00.000+0000"


def test_below_the_threshold_and_incremental_reads_stay_on_rest(org: SalesforceSandbox, admin: httpx.Client) -> None:
    connector = connect(org, bulk_threshold=1_000_000)
    assert records(connector, "accounts")
    incremental = ReadRequest(mode="incremental", cursor="2020-01-01T00:00:00+00:00")
    assert [r for p in connect(org, bulk_threshold=1).read("accounts", incremental) for r in p.records]
    assert calls(admin, "jobs/query") == 0


def test_a_bulk_read_resumes_from_its_page_position(org: SalesforceSandbox, admin: httpx.Client) -> None:
    everything = pages(connect(org, **BULK), "contacts")  # 480 rows: chunks of 250, pages of 200
    assert [len(p.records) for p in everything] == [200, 50, 200, 30]
    connector = connect(org, **BULK)
    first = next(iter(connector.read("contacts", ReadRequest(mode="full"))))
    assert first.resume and first.resume["bulk"]["skip"] == 200
    rest = pages(connector, "contacts", first.resume)
    assert first.records + [r for p in rest for r in p.records] == [r for p in everything for r in p.records]


def test_a_resume_whose_job_is_gone_starts_over(org: SalesforceSandbox, admin: httpx.Client) -> None:
    connector = connect(org, **BULK)
    gone = {"bulk": {"job": "7505g000000AbCdAAK", "locator": "MjUw", "skip": 0}}
    again = [r for p in pages(connector, "contacts", gone) for r in p.records]
    assert again == records(connect(org, bulk_threshold=0), "contacts")


def test_a_failed_job_is_replaced_then_the_read_fails(org: SalesforceSandbox, admin: httpx.Client) -> None:
    admin.post("/_sandbox/config", json={"bulk_fail_jobs": 1}).raise_for_status()
    assert records(connect(org, **BULK), "contacts") == records(connect(org, bulk_threshold=0), "contacts")
    admin.post("/_sandbox/config", json={"bulk_fail_jobs": 2}).raise_for_status()
    with pytest.raises(BulkJobFailed, match="Failed"):
        records(connect(org, **BULK), "contacts")


def test_a_job_that_never_completes_is_aborted(org: SalesforceSandbox, admin: httpx.Client) -> None:
    admin.post("/_sandbox/config", json={"bulk_polls_to_complete": 1000}).raise_for_status()
    with pytest.raises(BulkJobFailed, match="aborted"):
        records(connect(org, **BULK, bulk_poll_timeout_seconds=5), "accounts")
    jobs = admin.get("/_sandbox/config").json()
    assert jobs["bulk_query_jobs"] >= 1


def test_5xx_and_dropped_connections_are_retried(org: SalesforceSandbox, admin: httpx.Client) -> None:
    expected = records(connect(org, bulk_threshold=0), "accounts")
    jobs = f"/services/data/v{VERSION}/jobs/query"
    for fault in ({"kind": "status", "status": 503}, {"kind": "drop"}):
        queued = admin.post("/_sandbox/faults", json={**fault, "path_prefix": jobs, "method": "GET", "times": 2})
        assert queued.status_code in (200, 201), queued.text
        assert records(connect(org, **BULK), "accounts") == expected
    failed = [r for r in admin.get("/_sandbox/stats").json()["requests"] if "jobs/query" in r["path"]]
    assert {r["status"] for r in failed} >= {503, 0}
