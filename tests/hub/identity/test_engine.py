"""The pure matcher (no database): each deterministic rule family, the bands, and the chaining guard."""

from __future__ import annotations

from hub.identity.engine import MatchInput, cluster_records, cluster_with_outcomes


def org(rid: str, system: str = "hubspot", **fields: object) -> MatchInput:
    return MatchInput(rid, system, system, "companies", dict(fields), rid)


def test_hub_id_in_an_external_id_slot_links_whatever_else_differs() -> None:
    clusters = cluster_records("organization", [
        org("a", name="Acme", hub_id="0b9c-golden"),
        org("b", "salesforce", name="Totally Renamed", hub_id="0b9c-golden"),
    ])  # fmt: skip
    assert clusters["a"] == clusters["b"]


def test_conflicting_hub_ids_never_merge_even_with_one_domain() -> None:
    clusters = cluster_records("organization", [
        org("a", name="Acme", primary_domain="acme.com", hub_id="h1"),
        org("b", "salesforce", name="Acme", primary_domain="acme.com", hub_id="h2"),
    ])  # fmt: skip
    assert clusters["a"] != clusters["b"]


def test_a_cloud_account_links_marketplace_buyers() -> None:
    clusters = cluster_records("organization", [
        org("a", name="Globex", cloud_accounts=["aws:123456789012"]),
        org("b", "aws_marketplace", name="GLOBEX LLC (buyer)", cloud_accounts=["aws:123456789012", "azure:t-1"]),
        org("c", "aws_marketplace", name="Globex", cloud_accounts=["aws:999999999999"]),
    ])  # fmt: skip
    assert clusters["a"] == clusters["b"] != clusters["c"]


def test_a_registration_round_trip_by_external_id() -> None:
    registrations = [
        MatchInput("r1", "partnerstack", "ps", "deals", {"name": "Orbit rollout", "external_key": "00Q001"}, "deal_1"),
        MatchInput("r2", "salesforce", "sf", "deal_registrations", {"name": "Orbit Foods"}, "00Q001"),
        MatchInput("r3", "salesforce", "sf", "deal_registrations", {"name": "Orbit rollout"}, "00Q002"),
    ]
    clusters = cluster_records("deal_registration", registrations)
    assert clusters["r1"] == clusters["r2"] != clusters["r3"]  # a like name alone never merges deals


def test_bands_and_the_review_queue() -> None:
    _, outcomes = cluster_with_outcomes("organization", [
        org("a", name="Initech Digital", country="AU", city="melbourne"),
        org("b", "salesforce", name="Initech Digital Pty Ltd", country="AU", city="Melbourne", phone="+61398765432"),
        org("c", "partnerstack", name="Initech Digital", country="AU"),
    ])  # fmt: skip
    actions = {(o.link.a, o.link.b): o.action for o in outcomes}
    assert actions[("b", "a")] == "merged"
    assert "review" in {actions.get(("c", "a")), actions.get(("c", "b"))}


def test_free_mail_and_a_partners_own_domain_are_no_keys() -> None:
    clusters = cluster_records("organization", [
        org("p", name="Northwind Resellers", primary_domain="northwind.io", roles=["partner"]),
        org("c", "partnerstack", name="Contoso Pharma", primary_domain="northwind.io", roles=["customer"]),
        org("g1", name="Jane Doe", primary_domain="gmail.com"),
        org("g2", "salesforce", name="Bob Roe", primary_domain="gmail.com"),
    ])  # fmt: skip
    assert len({clusters[k] for k in ("p", "c", "g1", "g2")}) == 4
