"""Association lists are paged; full (list) and incremental (search + batch) reads name them alike.

HubSpot cuts v3 inline associations at 100 per record and object type (``paging.next``), and pages
each input of the association batch read; the sandbox does both (500 per batch-read page).
"""

from __future__ import annotations

from typing import Any

import httpx

from connectors.hubspot import HubSpotConnector
from connectors.sdk import ReadRequest
from hub.mapping import Mapper
from hub.settings import REPO_ROOT
from sandbox.server import SandboxServer
from tests.connectors.hubspot.conftest import EPOCH, connector, put_world, requests_to

DEAL = "5001"
CONTACTS = 620  # > 100 (v3 inline page) and > 500 (batch-read page)


def _world() -> dict[str, Any]:
    companies = [
        {"id": "1", "properties": {"name": "Customer Co", "domain": "customer.example"}},
        {"id": "2", "properties": {"name": "Partner Co", "domain": "partner.example", "type": "PARTNER"}},
    ]
    contacts = [{"id": str(1000 + n), "properties": {"email": f"p{n}@customer.example"}} for n in range(CONTACTS)]
    deals = [{"id": DEAL, "properties": {"dealname": "Big deal", "amount": "1000", "dealstage": "closedwon"}},
             {"id": "5002", "properties": {"dealname": "Small deal", "amount": "10"}}]  # fmt: skip
    associations = [
        {"fromType": "deals", "fromId": DEAL, "toType": "companies", "toId": "1", "types": [{"typeId": 5}]},
        {"fromType": "deals", "fromId": DEAL, "toType": "companies", "toId": "2", "types": [{"typeId": 101}]},
        {"fromType": "deals", "fromId": "5002", "toType": "companies", "toId": "1", "types": [{"typeId": 5}]},
        *({"fromType": "deals", "fromId": DEAL, "toType": "contacts", "toId": c["id"], "types": [{"typeId": 3}]}
          for c in contacts),
        *({"fromType": "contacts", "fromId": c["id"], "toType": "companies", "toId": "1", "types": [{"typeId": 1}]}
          for c in contacts),
    ]  # fmt: skip
    return {"companies": companies, "contacts": contacts, "deals": deals, "associations": associations}


def _deal(hs: HubSpotConnector, request: ReadRequest) -> dict[str, Any]:
    found = [r for page in hs.read("deals", request) for r in page.records if r["id"] == DEAL]
    assert len(found) == 1
    return found[0]


def _canonical(record: dict[str, Any]) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    return {obj: sorted((t["id"], tuple(sorted(t["types"]))) for t in targets)
            for obj, targets in record["associations"].items()}  # fmt: skip


def test_full_and_incremental_reads_yield_every_association_with_the_same_names(
    sandbox: SandboxServer, hubspot: httpx.Client
) -> None:
    put_world(hubspot, **_world())
    hubspot.delete("/_sandbox/stats")
    hs = connector(sandbox)
    try:
        full = _deal(hs, ReadRequest(mode="full"))
        cut_inline = requests_to(hubspot, "/{fromObjectType}/{toObjectType}/batch/read")
        incremental = _deal(hs, ReadRequest(mode="incremental", cursor=EPOCH))
    finally:
        hs.close()
    contacts = {t["id"]: t["types"] for t in full["associations"]["contacts"]}
    assert len(contacts) == CONTACTS and set(map(tuple, contacts.values())) == {("deal_to_contact",)}
    companies = {t["id"]: sorted(t["types"]) for t in full["associations"]["companies"]}
    assert companies == {"1": ["deal_to_company", "deal_to_company_unlabeled"],
                         "2": ["deal_to_company_unlabeled", "sourcing_partner"]}  # fmt: skip
    assert cut_inline >= 2  # the inline contacts list was cut at 100: read in full, over two batch pages
    assert _canonical(incremental) == _canonical(full)

    mapper = Mapper.from_file(REPO_ROOT / "mappings" / "hubspot.yaml")
    mapped = [mapper.map_page("deals", [r], lambda ref: f"{ref.object}:{ref.id}")[0] for r in (full, incremental)]
    assert mapped[0] == mapped[1] and len(mapped[0]) == 1
    canonical = mapped[0][0]
    text = repr(canonical)
    assert "companies:1" in text and "companies:2" in text and "sourced" in text


def test_batch_read_follows_each_inputs_paging(sandbox: SandboxServer, hubspot: httpx.Client) -> None:
    put_world(hubspot, **_world())
    hubspot.post("/_sandbox/config", json={"association_batch_page_size": 50})
    hubspot.delete("/_sandbox/stats")
    hs = connector(sandbox)
    try:
        deal = _deal(hs, ReadRequest(mode="incremental", cursor=EPOCH))
    finally:
        hs.close()
    assert len(deal["associations"]["contacts"]) == CONTACTS
    pages = requests_to(hubspot, "/crm/associations/2026-03/{fromObjectType}/{toObjectType}/batch/read")
    assert pages >= CONTACTS // 50 + 1  # contacts: 13 pages for the big deal, companies: one
    assert requests_to(hubspot, "/crm/v4/") == 0  # the date-versioned API only
