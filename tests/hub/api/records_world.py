"""A small three-system world written through the real ledger write path, for the records and
reconciliation API tests.

HubSpot (instance ``hs``), Salesforce (``sf``) and PartnerStack (``ps``) each send a few records,
mapped by the real ``mappings/*.yaml``; every canonical entity type gets at least one golden record.
Names, domains and emails differ (registrable domains too) so the matcher links nothing by itself;
:func:`merge` then writes a merge decision through ``hub.identity.decisions`` (a ``hub``/``match``
ledger entry whose moves set the records' ``golden_id``) and refreshes the golden records, putting
the partner's three records into one cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from connectors.salesforce.normalise import normalise
from hub.db.schema import source_records
from hub.identity import decisions
from hub.ledger import Origin, mint_canonical_id, write_page
from hub.ledger import golden as golden_projection
from hub.ledger.keys import SourceKey
from hub.mappers import MapperSet
from hub.settings import REPO_ROOT

MAPPERS = MapperSet(REPO_ROOT / "mappings")
HS = Origin(system="hubspot", instance="hs", run_id="run-hs")
SF = Origin(system="salesforce", instance="sf", run_id="run-sf")
PS = Origin(system="partnerstack", instance="ps", run_id="run-ps")
CREATED = "2024-05-02T08:15:00.000Z"  # the same instant in each system's own format below
CREATED_SF = "2024-05-02T08:15:00.000+0000"
CREATED_MS = int(datetime(2024, 5, 2, 8, 15, tzinfo=UTC).timestamp() * 1000)


def rid(origin: Origin, object_name: str, external_id: str) -> str:
    """The record id (canonical id) of a source record."""
    return mint_canonical_id(SourceKey(origin.instance, object_name, external_id))


def _ms(day: int) -> int:
    return int(datetime(2026, 2, day, 12, tzinfo=UTC).timestamp() * 1000)


def _hs_company(cid: str, name: str, domain: str, kind: str, modified: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": cid,
        "properties": {
            "name": name, "domain": domain, "type": kind, "createdate": CREATED,
            "hs_lastmodifieddate": modified, "hs_object_id": cid, **extra,
        },
        "createdAt": CREATED, "updatedAt": modified, "archived": False,
    }  # fmt: skip


def hubspot_pages() -> dict[str, list[dict[str, Any]]]:
    return {
        "companies": [
            _hs_company("512", "Acme Cloud Partners", "acmecloudpartners.com", "PARTNER", "2026-03-01T10:00:00.000Z",
                        city="San Francisco", partner_tier="Gold"),
            _hs_company("77", "Globex Manufacturing", "globexmfg.com", "CUSTOMER", "2026-03-01T11:00:00.000Z"),
            _hs_company("900", "Initech Holdings", "initechholdings.io", "CUSTOMER", "2026-03-01T12:00:00.000Z"),
        ],
        "contacts": [
            {
                "id": "5",
                "properties": {
                    "email": "john.doe@acmecloudpartners.com", "firstname": "John", "lastname": "Doe",
                    "jobtitle": "Partner Manager", "createdate": CREATED,
                    "lastmodifieddate": "2026-03-01T12:30:00.000Z",
                },
                "createdAt": CREATED, "updatedAt": "2026-03-01T12:30:00.000Z", "archived": False,
                "associations": {"companies": [{"id": "512", "types": ["contact_to_company"]}]},
            }
        ],
        "deals": [
            {
                "id": "1001",
                "properties": {
                    "dealname": "Globex platform renewal", "amount": "12500.00", "deal_currency_code": "usd",
                    "dealstage": "closedwon", "pipeline": "default", "closedate": "2026-03-31T00:00:00Z",
                    "createdate": CREATED, "hs_lastmodifieddate": "2026-03-31T17:20:00.000Z",
                },
                "createdAt": CREATED, "updatedAt": "2026-03-31T17:20:00.000Z", "archived": False,
                "associations": {
                    "companies": [
                        {"id": "77", "types": ["deal_to_company"]}, {"id": "512", "types": ["sourcing_partner"]},
                    ],
                    "contacts": [{"id": "5", "types": ["deal_to_contact"]}],
                },
            }
        ],
    }  # fmt: skip


def salesforce_pages() -> dict[str, list[dict[str, Any]]]:
    modstamp = "2026-03-05T09:00:00.000+0000"  # the newest: its values win the partner's golden fields
    pages = {
        "accounts": [
            {"Id": "001A", "Name": "Zenith Reseller Group", "Website": "https://zenithresellergroup.org",
             "Type": "Channel Partner / Reseller", "IsPartner": True, "CreatedDate": CREATED_SF,
             "SystemModstamp": modstamp},
        ],
        "channel_program_members": [
            {"Id": "0cm1", "PartnerId": "001A", "Program": {"Name": "Global Partner Program"},
             "Level": {"Name": "Gold", "Rank": 3}, "CreatedDate": "2025-01-02T08:00:00.000+0000",
             "SystemModstamp": modstamp},
        ],
        "deal_registrations": [
            {"Id": "00Q1", "Company": "Orbit Foods", "Status": "Submitted", "PartnerAccountId": "001A",
             "CurrencyIsoCode": "USD", "CreatedDate": CREATED_SF, "SystemModstamp": modstamp},
        ],
    }  # fmt: skip
    return {stream: [normalise(stream, dict(r)) for r in rows] for stream, rows in pages.items()}


def partnerstack_pages() -> dict[str, list[dict[str, Any]]]:
    partner = {"partnerships": [{"id": "part_1", "types": ["partner"]}]}
    return {
        "partnerships": [
            {"key": "part_1", "company": {"name": "Nimbus Referrals"}, "email_domain": "nimbusreferrals.net",
             "partnership_status": "joined", "joined_at": CREATED_MS, "created_at": CREATED_MS, "updated_at": _ms(1)},
        ],
        "customers": [
            {"key": "cust_1", "name": "Orbit Foods", "email_domain": "orbitfoods.org",
             "created_at": CREATED_MS, "updated_at": _ms(2)},
        ],
        "deals": [
            {"key": "deal_1", "name": "Orbit Foods rollout", "account_name": "Orbit Foods", "amount_decimal": "5000.00",
             "stage": "Registered", "created_at": CREATED_MS, "updated_at": _ms(3), "associations": partner},
        ],
        "transactions": [
            {"key": "txn_1", "amount_decimal": "120.00", "currency": "USD", "approved": "true",
             "created_at": _ms(4), "updated_at": _ms(4),
             "associations": {**partner, "customers": [{"id": "cust_1", "types": ["customer"]}]}},
        ],
    }  # fmt: skip


def write(engine: Engine, origin: Origin, object_name: str, raws: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        outcome = write_page(conn, origin, object_name, raws, MAPPERS.get(origin.system), datetime.now(UTC))
    assert outcome.dead_lettered == 0, f"{origin.system}/{object_name} did not map"


def merge(engine: Engine, into: str, records: list[str], entity_type: str = "organization", whole: bool = True) -> int:
    """Move ``records`` (with their whole clusters unless not ``whole``) into the cluster ``into``
    through the hub's decision writer (a ``hub``/``match`` ledger entry with its moves), then
    refresh the golden records, as a merge (or, ``whole=False``, an unmerge) does."""
    with engine.begin() as conn:
        clusters = dict(
            conn.execute(
                select(source_records.c.canonical_id, source_records.c.golden_id).where(
                    source_records.c.canonical_id.in_(records)
                )
            ).all()
        )
        moved = conn.execute(
            select(source_records.c.canonical_id, source_records.c.golden_id).where(
                source_records.c.golden_id.in_(set(clusters.values()))
            )
        ).all()
        moves = [
            (record_id, golden_id, into)
            for record_id, golden_id in sorted(moved)
            if golden_id != into and (whole or record_id in records)
        ]
        entry_id = decisions.record(
            conn, entity_type=entity_type, op="merge" if whole else "unmerge", golden_id=into,
            now=datetime.now(UTC), moves=moves, details={"rule": "test", "actor": "test"},
        )  # fmt: skip
        golden_projection.refresh(conn, {into, *records, *clusters.values()})
    return entry_id


def open_review(engine: Engine, a: str, b: str, entity_type: str = "organization") -> None:
    """A pair sent to a steward (what the matcher does with a middling score)."""
    pair = decisions.pair_row(
        entity_type, a, b, state="review", band="review", rule="test", score=0.7, evidence=[], decided_by=None
    )
    with engine.begin() as conn:
        decisions.record(conn, entity_type=entity_type, op="review", golden_id=a, now=datetime.now(UTC), pair=pair)


@dataclass(frozen=True)
class World:
    partner: str  # the partner cluster's golden id: the Salesforce account's record id
    hs_partner: str  # HubSpot company 512, merged into it
    ps_partner: str  # PartnerStack partnership part_1, merged into it
    customer: str  # HubSpot company 77
    ps_customer: str
    deleted: str  # HubSpot company 900, archived
    person: str
    opportunity: str
    sf_registration: str
    ps_registration: str
    enrollment: str
    transaction: str
    merge_entry: int


def build(engine: Engine) -> World:
    for origin, pages in ((HS, hubspot_pages()), (SF, salesforce_pages()), (PS, partnerstack_pages())):
        for object_name, raws in pages.items():
            write(engine, origin, object_name, raws)
    archived = _hs_company("900", "Initech Holdings", "initechholdings.io", "CUSTOMER", "2026-03-02T12:00:00.000Z")
    write(engine, HS, "companies", [{**archived, "archived": True}])
    world = World(
        partner=rid(SF, "accounts", "001A"),
        hs_partner=rid(HS, "companies", "512"),
        ps_partner=rid(PS, "partnerships", "part_1"),
        customer=rid(HS, "companies", "77"),
        ps_customer=rid(PS, "customers", "cust_1"),
        deleted=rid(HS, "companies", "900"),
        person=rid(HS, "contacts", "5"),
        opportunity=rid(HS, "deals", "1001"),
        sf_registration=rid(SF, "deal_registrations", "00Q1"),
        ps_registration=rid(PS, "deals", "deal_1"),
        enrollment=rid(SF, "channel_program_members", "0cm1"),
        transaction=rid(PS, "transactions", "txn_1"),
        merge_entry=0,
    )
    entry = merge(engine, world.partner, [world.hs_partner, world.ps_partner])
    return World(**{**world.__dict__, "merge_entry": entry})
