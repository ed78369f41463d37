"""Identity resolution through the real write path: rules, bands, guards, steward decisions, unmerge,
decisions in the ledger, rebuild with merges. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from hub.db.schema import golden_records, ledger_entries, match_pairs, source_records
from hub.identity import steward
from hub.identity.config import MatchConfig, set_active
from hub.ledger import Origin, write_page
from hub.ledger.keys import SourceKey, mint_canonical_id
from hub.ledger.rebuild import rebuild
from hub.mappers import MapperSet
from hub.settings import REPO_ROOT

MAPPERS = MapperSet(REPO_ROOT / "mappings")
HS = Origin(system="hubspot", instance="hs", run_id="run-hs")
SF = Origin(system="salesforce", instance="sf", run_id="run-sf")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _default_config() -> Any:
    set_active(MatchConfig())
    yield
    set_active(MatchConfig())


def _ts(n: int = 0) -> str:
    return (T0 + timedelta(minutes=n)).isoformat().replace("+00:00", "Z")


def company(cid: str, n: int = 0, **props: Any) -> dict[str, Any]:
    return {"id": cid, "properties": {"hs_lastmodifieddate": _ts(n), **props}, "archived": False}


def contact(cid: str, company_id: str | None = None, n: int = 0, **props: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"id": cid, "properties": {"lastmodifieddate": _ts(n), **props}, "archived": False}
    if company_id:
        record["associations"] = {"companies": {"results": [{"id": company_id, "type": "contact_to_company"}]}}
    return record


def account(aid: str, n: int = 0, **fields: Any) -> dict[str, Any]:
    return {"attributes": {"type": "Account"}, "Id": aid, "SystemModstamp": _ts(n), "IsDeleted": False, **fields}


def write(engine: Engine, origin: Origin, obj: str, raws: list[dict[str, Any]]) -> None:
    system = "hubspot" if origin.system == "hubspot" else "salesforce"
    with engine.begin() as conn:
        outcome = write_page(conn, origin, obj, raws, MAPPERS.get(system), datetime.now(UTC))
    assert outcome.dead_lettered == 0


def rid(origin: Origin, obj: str, external_id: str) -> str:
    return mint_canonical_id(SourceKey(origin.instance, obj, external_id))


def golden_of(engine: Engine, record_id: str) -> str:
    with engine.connect() as conn:
        query = select(source_records.c.golden_id).where(source_records.c.canonical_id == record_id)
        return str(conn.execute(query).scalar_one())


def goldens(engine: Engine, entity: str = "organization") -> list[Any]:
    with engine.connect() as conn:
        return conn.execute(select(golden_records).where(golden_records.c.entity_type == entity)).fetchall()


def decisions(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return conn.execute(
            select(ledger_entries).where(ledger_entries.c.source_system == "hub").order_by(ledger_entries.c.id)
        ).fetchall()


def pairs(engine: Engine, state: str | None = None) -> list[Any]:
    with engine.connect() as conn:
        query = select(match_pairs)
        if state:
            query = query.where(match_pairs.c.state == state)
        return conn.execute(query).fetchall()


def test_same_domain_across_systems_merges_with_the_rule_in_the_ledger(engine: Engine) -> None:
    write(engine, HS, "companies", [company("1", name="Acme Corp", domain="acme.com", country="United States")])
    write(engine, SF, "accounts", [account("001A", Name="ACME Corporation", Website="https://www.acme.com/about",
                                           BillingCountry="US")])  # fmt: skip
    a, b = rid(HS, "companies", "1"), rid(SF, "accounts", "001A")
    assert golden_of(engine, a) == golden_of(engine, b) == a  # the first-seen record's id survives
    (golden,) = goldens(engine)
    assert golden.source_count == 2
    (entry,) = decisions(engine)
    assert entry.op == "merge" and entry.run_id == "run-sf"
    assert entry.raw["pair"]["rule"] == "domain"
    assert entry.changes["moves"] == [[b, b, a]]
    assert entry.raw["pair"]["evidence"][0]["field"] == "domain"


def test_free_mail_domain_never_links_organisations(engine: Engine) -> None:
    write(engine, HS, "companies", [company("1", name="Jane Doe Consulting", domain="gmail.com")])
    write(engine, SF, "accounts", [account("001A", Name="Totally Other Ltd", Website="gmail.com")])
    assert len(goldens(engine)) == 2 and not decisions(engine)


def test_conflicting_duns_blocks_the_merge_and_opens_review(engine: Engine) -> None:
    write(engine, HS, "companies", [company("1", name="Acme Corp", domain="acme.com", duns="123456789")])
    write(engine, SF, "accounts", [account("001A", Name="Acme Corp", Website="acme.com", DUNS__c="987654321")])
    assert len(goldens(engine)) == 2
    (pair,) = pairs(engine)
    assert pair.state == "review" and pair.rule == "conflict:duns"


def test_same_duns_merges_different_names(engine: Engine) -> None:
    write(engine, HS, "companies", [company("1", name="Globex", duns="123-456-789")])
    write(engine, SF, "accounts", [account("001A", Name="Globex Holdings International", DUNS__c="123456789")])
    assert len(goldens(engine)) == 1
    assert decisions(engine)[0].raw["pair"]["rule"] == "duns"


def test_scored_match_bands(engine: Engine) -> None:
    # No shared key but name, city, country and phone: a scored auto-merge.
    write(engine, HS, "companies", [company("1", name="Initech Digital Pty Ltd", city="Melbourne",
                                            country="Australia", phone="+61 3 9876 5432")])  # fmt: skip
    write(engine, SF, "accounts", [account("001A", Name="Initech Digital", BillingCity="Melbourne",
                                           BillingCountry="AU", Phone="+61398765432")])  # fmt: skip
    assert golden_of(engine, rid(SF, "accounts", "001A")) == rid(HS, "companies", "1")
    (entry,) = decisions(engine)
    assert entry.raw["pair"]["rule"] == "score" and entry.raw["pair"]["score"] >= 0.95
    # A namesake in another country with its own domain: no match at all.
    write(engine, HS, "companies", [company("2", name="Initech Digital GmbH", city="Berlin", country="Germany",
                                            domain="initech.de")])  # fmt: skip
    assert golden_of(engine, rid(HS, "companies", "2")) == rid(HS, "companies", "2")
    # The same name and country, nothing else known: uncertain, so it waits for a steward.
    write(engine, SF, "accounts", [account("001B", Name="Initech Digital Corp.", BillingCountry="Australia")])
    assert golden_of(engine, rid(SF, "accounts", "001B")) == rid(SF, "accounts", "001B")
    assert any(p.state == "review" for p in pairs(engine))


def test_people_match_by_email_and_by_name_at_the_same_employer(engine: Engine) -> None:
    write(engine, HS, "companies", [company("1", name="Acme Corp", domain="acme.com")])
    write(engine, HS, "contacts", [contact("10", "1", email="Robert.Smith@acme.com ", firstname="Robert",
                                           lastname="Smith")])  # fmt: skip
    write(engine, HS, "contacts", [contact("11", "1", email="jane@acme.com", firstname="Jane", lastname="Roe")])
    # Salesforce: Bob Smith (nickname, alias address) at the same company; Jane by e-mail.
    write(engine, SF, "accounts", [account("001A", Name="Acme", Website="acme.com")])
    write(engine, SF, "contacts", [
        {"attributes": {"type": "Contact"}, "Id": "003A", "SystemModstamp": _ts(), "IsDeleted": False,
         "AccountId": "001A", "FirstName": "Bob", "LastName": "Smith", "Email": "bsmith@acme.com"},
        {"attributes": {"type": "Contact"}, "Id": "003B", "SystemModstamp": _ts(), "IsDeleted": False,
         "AccountId": "001A", "FirstName": "JANE", "LastName": "Roe", "Email": "JANE@acme.com"},
        # A namesake of Robert Smith at another company: not him.
        {"attributes": {"type": "Contact"}, "Id": "003C", "SystemModstamp": _ts(), "IsDeleted": False,
         "FirstName": "Robert", "LastName": "Smith", "Email": "robert.smith@initech.com"},
    ])  # fmt: skip
    assert golden_of(engine, rid(SF, "contacts", "003A")) == rid(HS, "contacts", "10")
    assert golden_of(engine, rid(SF, "contacts", "003B")) == rid(HS, "contacts", "11")
    assert golden_of(engine, rid(SF, "contacts", "003C")) == rid(SF, "contacts", "003C")
    rules = {e.raw["pair"]["rule"] for e in decisions(engine) if e.entity_type == "person" and e.op == "merge"}
    assert rules == {"email", "score"}


def test_one_scored_link_does_not_chain_two_clusters(engine: Engine) -> None:
    # Two clusters of two records each, joined by domain; then a record scoring well against both.
    write(engine, HS, "companies", [company("1", name="Northwind Traders", domain="northwind.com", city="Seattle"),
                                    company("2", name="Northwind", domain="northwind.com")])  # fmt: skip
    write(engine, SF, "accounts", [account("001A", Name="Northwind Traders", Website="northwind.co.uk",
                                           BillingCity="Seattle", BillingCountry="US"),
                                   account("001B", Name="Northwind Ltd", Website="northwind.co.uk")])  # fmt: skip
    a = golden_of(engine, rid(HS, "companies", "1"))
    b = golden_of(engine, rid(SF, "accounts", "001A"))
    assert a != b  # the scored link between the two clusters went to review
    assert any(p.state == "review" for p in pairs(engine))


def test_steward_reject_sticks_and_unmerge_restores_the_prior_golden_records(engine: Engine) -> None:
    write(engine, HS, "companies", [company("1", name="Acme Corp", domain="acme.com", city="Boston")])
    write(engine, SF, "accounts", [account("001X", Name="Zenith Partners", Website="zenith.io")])
    before = {g.canonical_id: dict(g._mapping) for g in goldens(engine)}
    write(engine, SF, "accounts", [account("001X", n=5, Name="Acme", Website="acme.com")])
    # Salesforce's record now claims acme.com: merged.
    a, x = rid(HS, "companies", "1"), rid(SF, "accounts", "001X")
    assert golden_of(engine, x) == a
    with engine.begin() as conn:
        result = steward.unmerge(conn, "organization", a, "steward@example.com", datetime.now(UTC))
    assert result["restored"] == [x]
    after = {g.canonical_id: dict(g._mapping) for g in goldens(engine)}
    assert after[a] == before[a]  # HubSpot's golden record exactly as before the merge
    assert after[x]["fields"]["name"] == "Acme"
    # Automatic matching never merges them again, even when the record changes.
    write(engine, SF, "accounts", [account("001X", n=9, Name="Acme Corp", Website="acme.com", BillingCity="Boston")])
    assert golden_of(engine, x) == x
    ops = [e.op for e in decisions(engine)]
    assert ops[:2] == ["merge", "unmerge"]
    (pair,) = [p for p in pairs(engine) if {p.record_a, p.record_b} == {a, x}]
    assert pair.state == "unmerged" and pair.decided_by == "steward@example.com"


def test_accept_from_review_merges_and_reject_is_final(engine: Engine) -> None:
    write(engine, HS, "companies", [company("1", name="Fabrikam Inc", country="France")])
    write(engine, SF, "accounts", [account("001A", Name="Fabrikam", BillingCountry="FR")])
    write(engine, SF, "accounts", [account("001B", Name="Fabrikam Incorporated", BillingCountry="France")])
    review = pairs(engine, "review")
    assert len(review) >= 2
    with engine.begin() as conn:
        steward.accept(conn, review[0].id, "ann", datetime.now(UTC))
        steward.reject(conn, review[1].id, "ann", datetime.now(UTC))
    assert golden_of(engine, review[0].record_a) == golden_of(engine, review[0].record_b)
    assert golden_of(engine, review[1].record_a) != golden_of(engine, review[1].record_b)
    # A full re-clustering honours both decisions.
    with engine.begin() as conn:
        steward.recluster(conn, "organization", datetime.now(UTC))
    assert golden_of(engine, review[0].record_a) == golden_of(engine, review[0].record_b)
    assert golden_of(engine, review[1].record_a) != golden_of(engine, review[1].record_b)
    states = {p.id: p.state for p in pairs(engine)}
    assert states[review[0].id] == "accepted" and states[review[1].id] == "rejected"


def test_explain_shows_each_comparison(engine: Engine) -> None:
    write(engine, HS, "companies", [company("1", name="Acme Corp", city="Boston", country="US")])
    write(engine, SF, "accounts", [account("001A", Name="Acme Corporation", BillingCity="Boston")])
    a, b = rid(HS, "companies", "1"), rid(SF, "accounts", "001A")
    with engine.connect() as conn:
        found = steward.explain(conn, "organization", a, b)
    fields = {e["field"]: e for e in found["evidence"]}
    assert fields["name"]["level"] == "exact" and fields["name"]["weight"] > 0
    assert fields["city"]["level"] == "exact" and fields["country"]["level"] == "unknown"
    assert found["band"] in ("auto", "review", "none") and 0 <= found["probability"] <= 1


def test_rebuild_equals_live_with_merges_unmerges_and_steward_decisions(engine: Engine) -> None:
    write(engine, HS, "companies", [company("1", name="Acme Corp", domain="acme.com"),
                                    company("2", name="Fabrikam Inc")])  # fmt: skip
    write(engine, SF, "accounts", [account("001A", Name="Acme", Website="acme.com"), account("001B", Name="Fabrikam")])
    write(engine, HS, "contacts", [contact("10", "1", email="a@acme.com", firstname="Al", lastname="Ray")])
    write(engine, SF, "contacts", [{"attributes": {"type": "Contact"}, "Id": "003A", "SystemModstamp": _ts(),
                                    "IsDeleted": False, "AccountId": "001A", "Email": "A@acme.com"}])  # fmt: skip
    review = pairs(engine, "review")
    with engine.begin() as conn:
        if review:
            steward.accept(conn, review[0].id, "ann", datetime.now(UTC))
        steward.unmerge(conn, "organization", rid(HS, "companies", "1"), "ann", datetime.now(UTC))

    def state() -> dict[str, Any]:
        tables = {
            "golden": (golden_records, golden_records.c.canonical_id),
            "sources": (source_records, source_records.c.canonical_id),
            "pairs": (match_pairs, match_pairs.c.id),
        }
        with engine.connect() as conn:
            return {
                name: [dict(r._mapping) for r in conn.execute(select(table).order_by(order))]
                for name, (table, order) in tables.items()
            }

    live = state()
    assert len({s["golden_id"] for s in live["sources"]}) < len(live["sources"])  # merges present
    with engine.begin() as conn:
        rebuild(conn)
    assert state() == live


def test_kept_key_counts_and_totals_equal_a_count_of_the_index(engine: Engine) -> None:
    """``match_key_counts`` and ``match_totals`` (read per page instead of counting ``match_keys`` and
    ``match_profiles``) stay equal to those counts through new records, changes, deletes and a rebuild."""
    from sqlalchemy import func

    from hub.db.schema import match_key_counts, match_keys, match_profiles, match_totals

    def kept_equal_counted() -> None:
        with engine.connect() as conn:
            counted = {
                (e, k, v): n
                for e, k, v, n in conn.execute(
                    select(match_keys.c.entity_type, match_keys.c.kind, match_keys.c.value, func.count()).group_by(
                        match_keys.c.entity_type, match_keys.c.kind, match_keys.c.value
                    )
                )
            }
            kept = {(r.entity_type, r.kind, r.value): r.n for r in conn.execute(select(match_key_counts)) if r.n}
            totals = dict(conn.execute(select(match_totals.c.entity_type, match_totals.c.total)).all())
            profiles = dict(
                conn.execute(
                    select(match_profiles.c.entity_type, func.count()).group_by(match_profiles.c.entity_type)
                ).all()
            )
        assert kept == counted and counted
        assert {e: t for e, t in totals.items() if t} == profiles

    write(engine, HS, "companies", [company("1", name="Acme Corp", domain="acme.com"),
                                    company("2", name="Initech", domain="initech.com")])  # fmt: skip
    write(engine, HS, "contacts", [
        contact("10", "1", email="r.smith@acme.com", firstname="Robert", lastname="Smith"),
        contact("11", "2", email="jane@initech.com", firstname="Jane", lastname="Smith"),
    ])  # fmt: skip
    write(engine, SF, "accounts", [account("001A", Name="Acme", Website="acme.com")])
    kept_equal_counted()
    # a change replaces a record's keys; a delete removes them
    write(engine, HS, "contacts", [contact("11", "2", n=1, email="jane.roe@initech.com", firstname="Jane",
                                           lastname="Roe")])  # fmt: skip
    write(engine, HS, "companies", [{**company("2", n=2, name="Initech"), "archived": True}])
    kept_equal_counted()
    with engine.begin() as conn:
        rebuild(conn)
    kept_equal_counted()
