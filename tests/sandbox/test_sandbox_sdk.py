"""The official ``hubspot-api-client`` 12.0.0 works against the simulator unchanged."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from hubspot import HubSpot
from hubspot.crm.associations.v4 import (
    BatchInputPublicFetchAssociationsBatchRequest,
    PublicFetchAssociationsBatchRequest,
)
from hubspot.crm.companies import (
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchReadInputSimplePublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInputUpsert,
    SimplePublicObjectId,
)
from hubspot.crm.companies.exceptions import ApiException as CompaniesApiException
from hubspot.crm.contacts import BatchInputSimplePublicObjectBatchInputUpsert as ContactUpsertBatch
from hubspot.crm.contacts import SimplePublicObjectBatchInputUpsert as ContactUpsert
from hubspot.crm.contacts.exceptions import ApiException as ContactsApiException
from urllib3.util.retry import Retry

from sandbox.world import HubSpotWorld


@pytest.fixture(scope="module")
def client(base_url: str, creds: dict[str, str]) -> Iterator[HubSpot]:
    yield HubSpot(access_token=creds["private_app_token"], host=base_url, client_side_validation=True)


def test_get_page_lists_with_requested_properties(client: HubSpot, world: HubSpotWorld) -> None:
    page = client.crm.companies.basic_api.get_page(limit=5, properties=["name", "domain"], archived=False)
    assert [r.id for r in page.results] == [c["id"] for c in world.companies[:5]]
    assert set(page.results[0].properties) == {
        "name",
        "domain",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    }
    assert page.paging.next.after


def test_get_all_pages_everything(client: HubSpot, world: HubSpotWorld) -> None:
    contacts = client.crm.contacts.get_all(properties=["email"])
    assert [c.id for c in contacts] == [c["id"] for c in world.contacts]
    deals = client.crm.objects.get_all("deals", properties=["amount"])
    assert len(deals) == len(world.deals)


def test_read_by_id_with_associations(client: HubSpot, world: HubSpotWorld) -> None:
    row = next(
        r for r in world.associations if r["fromType"] == "deals" and any(t["typeId"] == 101 for t in r["types"])
    )
    deal = client.crm.deals.basic_api.get_by_id(
        row["fromId"], properties=["dealname", "amount"], associations=["companies", "contacts"]
    )
    assert deal.id == row["fromId"] and deal.properties["dealname"]
    types = {(a.id, a.type) for a in deal.associations["companies"].results}
    assert (row["toId"], "sourcing_partner") in types
    assert any(t == "deal_to_company" for _, t in types)


def test_search_incremental_by_last_modified(client: HubSpot, world: HubSpotWorld) -> None:
    cursor = "1735689600000"  # 2025-01-01
    expected = sorted(
        (c["updatedAt"], int(c["id"])) for c in world.companies if c["updatedAt"] >= "2025-01-01T00:00:00.000Z"
    )
    seen: list[tuple[str, int]] = []
    after: str | None = "0"
    while after is not None:
        request = PublicObjectSearchRequest(
            filter_groups=[{"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": cursor}]}],
            sorts=[{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
            properties=["name"],
            limit=25,
            after=after,
        )
        page = client.crm.companies.search_api.do_search(public_object_search_request=request)
        assert page.total == len(expected)
        seen += [(r.properties["hs_lastmodifieddate"], int(r.id)) for r in page.results]
        after = page.paging.next.after if page.paging else None
    assert seen == expected


def test_batch_upsert_by_domain_is_refused_and_by_email_works(
    client: HubSpot, world: HubSpotWorld, restore_world: None
) -> None:
    existing = next(c for c in world.companies if c["properties"].get("domain", "").islower())
    batch = BatchInputSimplePublicObjectBatchInputUpsert(
        inputs=[
            SimplePublicObjectBatchInputUpsert(
                id=existing["properties"]["domain"],
                id_property="domain",
                properties={"phone": "+1 415 555 0100"},
            ),
            SimplePublicObjectBatchInputUpsert(
                id="new-partner.example", id_property="domain", properties={"name": "New Partner"}
            ),
        ]
    )
    with pytest.raises(CompaniesApiException) as refused:
        client.crm.companies.batch_api.upsert(batch_input_simple_public_object_batch_input_upsert=batch)
    assert refused.value.status == 400
    assert "Unable to perform update/upsert by non-unique 0-2 property domain" in str(refused.value.body)
    email = next(c["properties"]["email"] for c in world.contacts if "@" in c["properties"].get("email", ""))
    contacts = ContactUpsertBatch(
        inputs=[ContactUpsert(id=email.strip().upper(), id_property="email", properties={"jobtitle": "CTO"})]
    )
    out = client.crm.contacts.batch_api.upsert(batch_input_simple_public_object_batch_input_upsert=contacts)
    assert out.results[0].new is False and out.results[0].properties["jobtitle"] == "CTO"


def test_batch_upsert_invalid_email_is_a_207(client: HubSpot, restore_world: None) -> None:
    batch = ContactUpsertBatch(
        inputs=[
            ContactUpsert(id="ok.person@example.com", id_property="email", properties={"firstname": "Ok"}),
            ContactUpsert(id="broken@@address", id_property="email", properties={"firstname": "Bad"}),
        ]
    )
    result = client.crm.contacts.batch_api.upsert(batch_input_simple_public_object_batch_input_upsert=batch)
    assert type(result).__name__ == "BatchResponseSimplePublicUpsertObjectWithErrors"
    assert [r.new for r in result.results] == [True] and result.num_errors == 1
    assert result.errors[0].category == "VALIDATION_ERROR" and "INVALID_EMAIL" in result.errors[0].message


def test_batch_read_partial_failure_parses(client: HubSpot, world: HubSpotWorld) -> None:
    request = BatchReadInputSimplePublicObjectId(
        inputs=[SimplePublicObjectId(id=world.companies[0]["id"]), SimplePublicObjectId(id="999")],
        properties=["name"],
        properties_with_history=[],
    )
    result = client.crm.companies.batch_api.read(batch_read_input_simple_public_object_id=request)
    assert type(result).__name__ == "BatchResponseSimplePublicObjectWithErrors"
    assert [r.id for r in result.results] == [world.companies[0]["id"]]
    error = result.errors[0]
    assert (error.status, error.category, error.context, error.links, error.errors) == (
        "error",
        "OBJECT_NOT_FOUND",
        {"ids": ["999"]},
        {},
        [],
    )


def test_api_errors_surface_as_exceptions(client: HubSpot) -> None:
    with pytest.raises(ContactsApiException) as info:
        client.crm.contacts.basic_api.get_by_id("424242")
    assert info.value.status == 404 and "OBJECT_NOT_FOUND" in info.value.body


def test_oauth_refresh_then_call(base_url: str, creds: dict[str, str]) -> None:
    anonymous = HubSpot(host=base_url)
    token = anonymous.oauth.tokens_api.create(
        grant_type="refresh_token",
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        refresh_token=creds["refresh_token"],
    )
    assert token.token_type == "bearer" and token.expires_in == 1800 and token.refresh_token == creds["refresh_token"]
    oauth_client = HubSpot(access_token=token.access_token, host=base_url)
    assert len(oauth_client.crm.deals.basic_api.get_page(limit=3).results) == 3
    info = anonymous.oauth.access_tokens_api.get(token.access_token)
    assert info.token == token.access_token and 0 < info.expires_in <= 1800


def test_v4_batch_association_read(client: HubSpot, world: HubSpotWorld) -> None:
    deal_id = world.deals[0]["id"]
    request = BatchInputPublicFetchAssociationsBatchRequest(inputs=[PublicFetchAssociationsBatchRequest(id=deal_id)])
    result = client.crm.associations.v4.batch_api.get_page(
        "deals", "companies", batch_input_public_fetch_associations_batch_request=request
    )
    labels = {(t.type_id, t.label) for to in result.results[0].to for t in to.association_types}
    assert (5, "Primary") in labels and (341, None) in labels


def test_sdk_retry_honours_retry_after(base_url: str, creds: dict[str, str], admin: httpx.Client) -> None:
    admin.post("/_sandbox/faults", json={"kind": "rate_limit", "times": 1, "retry_after": 1}).raise_for_status()
    retrying = HubSpot(
        access_token=creds["private_app_token"], host=base_url, retry=Retry(total=3, status_forcelist=(429,))
    )
    started = time.monotonic()
    page = retrying.crm.companies.basic_api.get_page(limit=1)
    assert len(page.results) == 1 and time.monotonic() - started >= 0.9
