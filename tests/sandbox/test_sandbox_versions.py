"""The simulator serves the legacy paths and their 2026-03 successors alike, and pages associations
as HubSpot does (v3 inline lists at 100 per record and type, batch reads per input)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.hubspot.versions import dated_path, legacy_path

PAGING_DEFAULTS = {"association_page_size": 100, "association_batch_page_size": 500, "retry_after": 1}


@pytest.fixture
def paging(admin: httpx.Client) -> Iterator[httpx.Client]:
    yield admin
    admin.post("/_sandbox/config", json=PAGING_DEFAULTS).raise_for_status()


def _without_links(document: Any) -> Any:
    if isinstance(document, dict):
        return {k: _without_links(v) for k, v in document.items() if k not in ("link", "startedAt", "completedAt",
                                                                                "requestedAt")}  # fmt: skip
    if isinstance(document, list):
        return [_without_links(v) for v in document]
    return document


def _a_deal_with_contacts(api: httpx.Client) -> str:
    """A deal with at least two contacts (paging needs a second one)."""
    deals = api.get("/crm/v3/objects/deals", params={"limit": 100, "associations": "contacts"}).json()["results"]
    return next(
        d["id"]
        for d in deals
        if len({r["id"] for r in d.get("associations", {}).get("contacts", {}).get("results", [])}) >= 2
    )


@pytest.mark.parametrize(
    ("method", "legacy", "body"),
    [
        ("GET", "/crm/v3/objects/companies?limit=5&properties=name", None),
        ("GET", "/crm/v3/objects/deals?limit=5&associations=companies&associations=contacts", None),
        ("POST", "/crm/v3/objects/contacts/search",
         {"filterGroups": [{"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}]}], "limit": 3}),
        ("POST", "/crm/v3/objects/companies/batch/read", {"inputs": [{"id": "1"}], "properties": ["name"]}),
        ("GET", "/crm/v4/associations/deals/companies/labels", None),
    ],
)  # fmt: skip
def test_dated_paths_answer_like_the_legacy_ones(api: httpx.Client, method: str, legacy: str, body: Any) -> None:
    path, _, query = legacy.partition("?")
    dated = dated_path(path, "2026-03")
    assert dated is not None and "2026-03" in dated
    old = api.request(method, legacy, json=body)
    new = api.request(method, dated + (f"?{query}" if query else ""), json=body)
    assert old.status_code == new.status_code
    assert _without_links(old.json()) == _without_links(new.json())


def test_dated_association_routes(api: httpx.Client) -> None:
    deal = _a_deal_with_contacts(api)
    old = api.post("/crm/v4/associations/deals/contacts/batch/read", json={"inputs": [{"id": deal}]})
    new = api.post("/crm/associations/2026-03/deals/contacts/batch/read", json={"inputs": [{"id": deal}]})
    assert _without_links(old.json()) == _without_links(new.json())
    listed = api.get(f"/crm/objects/2026-03/deals/{deal}/associations/contacts").json()
    assert [t["toObjectId"] for t in listed["results"]] == [t["toObjectId"] for t in new.json()["results"][0]["to"]]


def test_legacy_path_of_each_dated_path() -> None:
    assert legacy_path("/crm/objects/2026-03/companies/batch/read") == "/crm/v3/objects/companies/batch/read"
    assert (
        legacy_path("/crm/objects/2026-03/deals/1/associations/contacts")
        == "/crm/v4/objects/deals/1/associations/contacts"
    )
    assert (
        legacy_path("/crm/associations/2026-03/deals/contacts/batch/read")
        == "/crm/v4/associations/deals/contacts/batch/read"
    )
    assert legacy_path("/oauth/2026-03/token") == "/oauth/v1/token"
    assert legacy_path("/crm/v3/objects/companies") == "/crm/v3/objects/companies"


def test_inline_associations_are_cut_and_the_link_and_batch_read_page_on(
    api: httpx.Client, paging: httpx.Client
) -> None:
    deal = _a_deal_with_contacts(api)
    everything = api.post("/crm/v4/associations/deals/contacts/batch/read", json={"inputs": [{"id": deal}]}).json()
    ids = [str(t["toObjectId"]) for t in everything["results"][0]["to"]]
    assert len(ids) >= 2
    paging.post("/_sandbox/config", json={"association_page_size": 1, "association_batch_page_size": 1})
    inline = api.get(f"/crm/objects/2026-03/deals/{deal}", params={"associations": "contacts"}).json()
    block = inline["associations"]["contacts"]
    assert len({r["id"] for r in block["results"]}) == 1 and block["paging"]["next"]["after"]
    # the v3 link continues the list
    seen = [r["id"] for r in block["results"]]
    link: str | None = block["paging"]["next"]["link"]
    while link:
        page = httpx.get(link, headers=api.headers).json()
        seen += [r["id"] for r in page["results"]]
        link = page.get("paging", {}).get("next", {}).get("link")
    assert list(dict.fromkeys(seen)) == ids
    # the batch read pages per input; the input's after continues it
    got: list[str] = []
    after: str | None = None
    while True:
        item = {"id": deal, **({"after": after} if after else {})}
        result = api.post("/crm/associations/2026-03/deals/contacts/batch/read", json={"inputs": [item]}).json()
        got += [str(t["toObjectId"]) for t in result["results"][0]["to"]]
        after = result["results"][0].get("paging", {}).get("next", {}).get("after")
        if not after:
            break
    assert got == ids


def test_association_batch_read_takes_1000_inputs(api: httpx.Client) -> None:
    path = "/crm/associations/2026-03/deals/companies/batch/read"
    ok = api.post(path, json={"inputs": [{"id": str(n)} for n in range(1, 1001)]})
    assert ok.status_code in (200, 207)
    refused = api.post(path, json={"inputs": [{"id": str(n)} for n in range(1, 1002)]})
    assert refused.status_code == 400 and refused.json()["category"] == "VALIDATION_ERROR"
    deal = _a_deal_with_contacts(api)
    bad_cursor = api.post(path, json={"inputs": [{"id": deal, "after": "not-a-cursor"}]})
    assert bad_cursor.status_code == 400


def test_dated_oauth_endpoints(base_url: str, creds: dict[str, str]) -> None:
    form = {"grant_type": "refresh_token", "client_id": creds["client_id"], "client_secret": creds["client_secret"],
            "refresh_token": creds["refresh_token"]}  # fmt: skip
    token = httpx.post(f"{base_url}/oauth/2026-03/token", data=form)
    assert token.status_code == 200 and token.json()["expires_in"] > 0
    access = token.json()["access_token"]
    secret = {"client_id": creds["client_id"], "client_secret": creds["client_secret"]}
    info = httpx.post(f"{base_url}/oauth/2026-03/token/introspect", data={**secret, "token": access}).json()
    assert info["active"] is True and info["token_use"] == "access_token"
    bad = httpx.post(f"{base_url}/oauth/2026-03/token", data={**form, "refresh_token": "nope"})
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_grant" and bad.json()["status"] == "BAD_REFRESH_TOKEN"
    assert bad.json()["error_description"]
    assert httpx.post(f"{base_url}/oauth/2026-03/token/revoke", data={**secret, "token": "unknown"}).status_code == 200
    assert httpx.post(f"{base_url}/oauth/2026-03/token/introspect", data={**secret, "token": "x"}).json() == {
        "active": False
    }


def test_a_legacy_fault_prefix_also_hits_the_dated_path(api: httpx.Client, admin: httpx.Client) -> None:
    admin.post("/_sandbox/faults", json={"kind": "status", "status": 503, "path_prefix": "/crm/v3/objects/companies"})
    assert api.get("/crm/objects/2026-03/companies").status_code == 503
    assert api.get("/crm/objects/2026-03/companies").status_code == 200


def test_429_without_retry_after_when_configured(api: httpx.Client, paging: httpx.Client) -> None:
    paging.post("/_sandbox/config", json={"retry_after": 0})
    paging.post("/_sandbox/faults", json={"kind": "rate_limit", "path_prefix": "/crm/"})
    limited = api.get("/crm/objects/2026-03/companies")
    assert limited.status_code == 429 and "retry-after" not in limited.headers
    assert limited.json()["policyName"] == "TEN_SECONDLY_ROLLING"


def test_v3_batch_read_cuts_each_input_and_links_the_rest(api: httpx.Client, paging: httpx.Client) -> None:
    deal = _a_deal_with_contacts(api)
    full = api.get(f"/crm/v3/objects/deals/{deal}/associations/contacts", params={"limit": 100}).json()["results"]
    paging.post("/_sandbox/config", json={"association_page_size": 1})
    result = api.post("/crm/v3/associations/deals/contacts/batch/read", json={"inputs": [{"id": deal}]}).json()
    first = result["results"][0]
    assert first["to"] == full[:1]
    link = first["paging"]["next"]["link"]
    assert f"/crm/v3/objects/deals/{deal}/associations/contacts?after=1" in link
    assert httpx.get(link, headers=api.headers).json()["results"] == full[1:2]
