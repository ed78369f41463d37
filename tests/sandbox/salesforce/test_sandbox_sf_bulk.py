"""Bulk API 2.0 query jobs of the Salesforce sandbox: every route, its errors, and simple-salesforce's
``bulk2`` client against it unmodified."""

from __future__ import annotations

import base64
import csv
import io
from typing import Any

import httpx
import pytest
from simple_salesforce import Salesforce

from sandbox.salesforce import SalesforceSandbox

from .conftest import API, error_code, ok, query, tls_session

JOBS = f"{API}/jobs/query"


def create(api: httpx.Client, soql: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = ok(api.post(JOBS, json={"operation": "query", "query": soql, **extra}))
    return body


def complete(api: httpx.Client, job_id: str) -> dict[str, Any]:
    for _ in range(10):
        info: dict[str, Any] = ok(api.get(f"{JOBS}/{job_id}"))
        if info["state"] == "JobComplete":
            return info
    raise AssertionError("job never completed")


def rows(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def test_a_job_is_created_run_and_its_results_paged_by_locator(
    sf_sandbox: SalesforceSandbox, api: httpx.Client
) -> None:
    soql = "SELECT Id, Name, AnnualRevenue, IsPartner, SystemModstamp, Owner.Name FROM Account ORDER BY Id"
    job = create(api, soql, contentType="CSV", columnDelimiter="COMMA", lineEnding="LF")
    assert job["state"] == "UploadComplete" and job["id"].startswith("750") and len(job["id"]) == 18
    assert set(job) == {"id", "operation", "object", "createdById", "createdDate", "systemModstamp", "state",
                        "concurrencyMode", "contentType", "apiVersion", "lineEnding", "columnDelimiter"}  # fmt: skip
    assert (job["object"], job["operation"], job["apiVersion"], job["contentType"]) == ("Account", "query", 59.0, "CSV")
    first = ok(api.get(f"{JOBS}/{job['id']}"))
    assert first["state"] == "InProgress" and first["jobType"] == "V2Query" and first["numberRecordsProcessed"] == 0
    info = complete(api, job["id"])
    assert info["numberRecordsProcessed"] > 1000 and info["retries"] == 0 and info["totalProcessingTime"] > 0

    seen: list[dict[str, str]] = []
    locator: str | None = None
    while True:
        params: dict[str, str | int] = {"maxRecords": 1000, **({"locator": locator} if locator else {})}
        page = api.get(f"{JOBS}/{job['id']}/results", params=params)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/csv")
        assert page.text.startswith('"Id","Name","AnnualRevenue","IsPartner","SystemModstamp","Owner.Name"\n')
        batch = rows(page.text)
        assert int(page.headers["Sforce-NumberOfRecords"]) == len(batch) <= 1000
        seen += batch
        locator = page.headers["Sforce-Locator"]
        if locator == "null":
            break
        assert base64.b64decode(locator + "==").decode() == str(len(seen))  # like Salesforce's MTAwMDA
    assert len(seen) == info["numberRecordsProcessed"]
    rest = ok(query(api, soql))
    assert [r["Id"] for r in seen[: len(rest["records"])]] == [r["Id"] for r in rest["records"]]
    by_id = {r["Id"]: r for r in rest["records"]}
    for row in seen[:300]:
        want = by_id[row["Id"]]
        assert row["IsPartner"] == ("true" if want["IsPartner"] else "false")
        assert row["SystemModstamp"] == want["SystemModstamp"].replace("+0000", "Z")
        assert row["Owner.Name"] == (want["Owner"] or {}).get("Name", "")
        assert row["AnnualRevenue"] == ("" if want["AnnualRevenue"] is None else repr(float(want["AnnualRevenue"])))
    again = api.get(f"{JOBS}/{job['id']}/results", params={"maxRecords": 1000, "locator": "MTAwMA"})
    assert rows(again.text)[0] == seen[1000]  # a locator can be fetched again


def test_quoting_nulls_delimiters_and_line_endings(api: httpx.Client) -> None:
    job = create(api, "SELECT Id, Description, Website FROM Account", columnDelimiter="PIPE", lineEnding="CRLF")
    complete(api, job["id"])
    text = api.get(f"{JOBS}/{job['id']}/results").text
    assert "\r\n" in text and text.splitlines()[0] == '"Id"|"Description"|"Website"'
    assert any(line.endswith("|") or "||" in line for line in text.split("\r\n")[1:] if line)  # nulls: empty
    parsed = rows(text.replace("\r\n", "\n"), "|")
    assert parsed and all(r["Id"] for r in parsed)


def test_query_all_includes_the_recycle_bin(api: httpx.Client) -> None:
    for operation, want in (("query", False), ("queryAll", True)):
        job = ok(api.post(JOBS, json={"operation": operation, "query": "SELECT Id, IsDeleted FROM Contact"}))
        complete(api, job["id"])
        flags = {r["IsDeleted"] for r in rows(api.get(f"{JOBS}/{job['id']}/results").text)}
        assert ("true" in flags) is want, operation


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT COUNT() FROM Account",
        "SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry",
        "SELECT Id FROM Account LIMIT 10 OFFSET 5",
        "SELECT Id, (SELECT Id FROM Contacts) FROM Account",
        "SELECT TYPEOF What WHEN Account THEN Name END FROM Task",
    ],
)
def test_soql_bulk_refuses_is_refused_at_creation(api: httpx.Client, soql: str) -> None:
    assert error_code(api.post(JOBS, json={"operation": "query", "query": soql}), 400) == "API_ERROR"


def test_bad_requests_are_refused_with_error_arrays(api: httpx.Client) -> None:
    assert error_code(api.post(JOBS, json={"operation": "upsert", "query": "SELECT Id FROM Account"}), 400)
    assert error_code(api.post(JOBS, json={"operation": "query"}), 400) == "INVALIDJOB"
    bad = {"operation": "query", "query": "SELECT Id FROM Account", "columnDelimiter": "COLON"}
    assert error_code(api.post(JOBS, json=bad), 400) == "INVALIDJOB"
    assert error_code(api.post(JOBS, json={"operation": "query", "query": "SELECT Nope FROM Account"}), 400) == (
        "INVALID_FIELD"
    )
    assert error_code(api.post(JOBS, content=b"not json"), 400) == "JSON_PARSER_ERROR"
    unknown = "7505g000000ZZZZAAA"
    for response in (
        api.get(f"{JOBS}/{unknown}"),
        api.get(f"{JOBS}/{unknown}/results"),
        api.delete(f"{JOBS}/{unknown}"),
    ):
        assert error_code(response, 404) == "NOT_FOUND"


def test_results_before_completion_and_from_another_version_fail(api: httpx.Client) -> None:
    job = create(api, "SELECT Id FROM Account")
    assert error_code(api.get(f"{JOBS}/{job['id']}/results"), 400) == "INVALIDJOBSTATE"
    complete(api, job["id"])
    assert error_code(api.get(f"/services/data/v60.0/jobs/query/{job['id']}/results"), 409) == "CONFLICT"
    assert error_code(api.get(f"{JOBS}/{job['id']}/results", params={"locator": "%%%"}), 400) == "INVALIDLOCATOR"
    assert error_code(api.get(f"{JOBS}/{job['id']}/results", params={"maxRecords": "0"}), 400) == "INVALIDREQUEST"


def test_abort_delete_and_list(api: httpx.Client) -> None:
    job = create(api, "SELECT Id FROM Contact")
    aborted = ok(api.patch(f"{JOBS}/{job['id']}", json={"state": "Aborted"}))
    assert aborted["state"] == "Aborted" and ok(api.get(f"{JOBS}/{job['id']}"))["state"] == "Aborted"
    assert error_code(api.patch(f"{JOBS}/{job['id']}", json={"state": "Aborted"}), 400) == "INVALIDJOBSTATE"
    assert error_code(api.get(f"{JOBS}/{job['id']}/results"), 400) == "INVALIDJOBSTATE"
    other = create(api, "SELECT Id FROM Contact")
    assert error_code(api.patch(f"{JOBS}/{other['id']}", json={"state": "JobComplete"}), 400) == "INVALIDJOBSTATE"
    ok(api.get(f"{JOBS}/{other['id']}"))  # InProgress now: not deletable
    assert error_code(api.delete(f"{JOBS}/{other['id']}"), 400) == "INVALIDJOBSTATE"
    listing = ok(api.get(JOBS))
    assert listing["done"] is True and {job["id"], other["id"]} <= {j["id"] for j in listing["records"]}
    assert all(j["jobType"] == "V2Query" for j in listing["records"])
    assert ok(api.get(JOBS, params={"jobType": "V2Ingest"}))["records"] == []
    assert api.delete(f"{JOBS}/{job['id']}").status_code == 204
    assert error_code(api.get(f"{JOBS}/{job['id']}"), 404) == "NOT_FOUND"


def test_failed_jobs_and_faults(api: httpx.Client, admin: httpx.Client) -> None:
    ok(admin.post("/_sandbox/config", json={"bulk_fail_jobs": 1, "bulk_polls_to_complete": 0}))
    failed = create(api, "SELECT Id FROM Account")
    info = ok(api.get(f"{JOBS}/{failed['id']}"))
    assert info["state"] == "Failed" and info["errorMessage"]
    assert error_code(api.get(f"{JOBS}/{failed['id']}/results"), 400) == "INVALIDJOBSTATE"
    fine = create(api, "SELECT Id FROM Account")
    assert ok(api.get(f"{JOBS}/{fine['id']}"))["state"] == "JobComplete"  # the count went down to 0
    ok(admin.post("/_sandbox/faults", json={"kind": "status", "status": 503, "path_prefix": JOBS}), 201)
    assert error_code(api.get(f"{JOBS}/{fine['id']}/results"), 503) == "SERVER_UNAVAILABLE"
    assert api.get(f"{JOBS}/{fine['id']}/results").status_code == 200
    assert api.get(JOBS, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_simple_salesforce_bulk2_query_works_unmodified(sf_sandbox: SalesforceSandbox, creds: dict[str, str]) -> None:
    client = Salesforce(
        instance_url=creds["base_url"], session_id=creds["session_id"], session=tls_session(creds["cert_path"]),
        version="59.0",
    )  # fmt: skip
    soql = "SELECT Id, Name, Account.Name FROM Contact"
    bulk2: Any = client.bulk2  # typed as a union of the three handlers
    pages = list(bulk2.Contact.query(soql, max_records=1000, wait=0.01))
    assert len(pages) > 1
    got = [row for page in pages for row in rows(page)]
    expected = client.query_all(soql)["records"]
    assert [r["Id"] for r in got] == [r["Id"] for r in expected]
    assert got[0]["Account.Name"] == (expected[0]["Account"] or {}).get("Name", "")
    results = bulk2.Account.download("SELECT Id FROM Account", path=str(sf_sandbox.cert_path.parent),
                                            max_records=5000, wait=0.01)  # fmt: skip
    assert sum(r["number_of_records"] for r in results) == client.query("SELECT COUNT() FROM Account")["totalSize"]


def test_values_with_quotes_delimiters_and_newlines_round_trip(api: httpx.Client, restore_world: None) -> None:
    name = 'Say "hi", world\nsecond line'
    created = ok(api.post(f"{API}/sobjects/Account/", json={"Name": name, "NumberOfEmployees": 12}), 201)
    job = create(api, f"SELECT Id, Name, NumberOfEmployees, Website FROM Account WHERE Id = '{created['id']}'")
    complete(api, job["id"])
    text = api.get(f"{JOBS}/{job['id']}/results").text
    assert '"Say ""hi"", world\nsecond line","12",\n' in text  # quotes doubled, the null Website empty
    assert rows(text) == [{"Id": created["id"], "Name": name, "NumberOfEmployees": "12", "Website": ""}]
