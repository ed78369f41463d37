"""Write-back (one PATCH per record, failures alone) and fetch by key (archived/404 left out)."""

from __future__ import annotations

import json

import pytest
import respx

from connectors.sdk import WriteRecord

from .conftest import BASE, error, make_connector, ok


@respx.mock
def test_each_record_is_patched_and_fails_alone() -> None:
    good = respx.patch(f"{BASE}/partnerships/part_1").mock(return_value=ok({"key": "part_1", "tier": {"key": "t2"}}))
    respx.patch(f"{BASE}/partnerships/part_404").mock(return_value=error(404, "Partnership not found"))
    respx.patch(f"{BASE}/partnerships/part_bad").mock(return_value=error(422, "tier_key does not exist"))
    records = [
        WriteRecord(key="part_1", properties={"tier_key": "t2", "group_key": "grup_2"}),
        WriteRecord(key="part_404", properties={"tier_key": "t2"}),
        WriteRecord(key="part_bad", properties={"tier_key": "nope"}),
        WriteRecord(key="part_2", properties={"email": "x@y.com"}),
    ]
    results = make_connector().write("partnerships", records)
    assert [(r.key, r.ok) for r in results] == [("part_1", True), ("part_404", False), ("part_bad", False),
                                                ("part_2", False)]  # fmt: skip
    assert results[0].external_id == "part_1" and results[0].created is False
    assert json.loads(good.calls.last.request.content) == {"tier_key": "t2", "group_key": "grup_2"}
    assert "404" in (results[1].error or "") and results[1].details == {"status": 404}
    assert "tier_key does not exist" in (results[2].error or "")
    assert "not writable on partnerships: email" in (results[3].error or "")


@respx.mock
def test_deals_take_stage_lost_reason_and_fields() -> None:
    route = respx.patch(f"{BASE}/deals/deal_1").mock(return_value=ok({"key": "deal_1"}))
    body = {"stage": "Closed Lost", "lost_reason": "Budget", "fields": [{"key": "region", "value": "NA"}]}
    [result] = make_connector().write("deals", [WriteRecord(key="deal_1", properties=body)])
    assert result.ok and json.loads(route.calls.last.request.content) == body


@respx.mock
def test_an_authentication_failure_fails_the_rest_unsent() -> None:
    route = respx.patch(url__regex=rf"{BASE}/deals/.*").mock(return_value=error(401, "bad key"))
    records = [WriteRecord(key=f"deal_{n}", properties={"stage": "Approved"}) for n in range(3)]
    results = make_connector().write("deals", records)
    assert [r.ok for r in results] == [False, False, False]
    assert route.call_count == 1


def test_records_are_addressed_by_key_only() -> None:
    results = make_connector().write("deals", [WriteRecord(key="x", properties={})], id_property="external_key")
    assert not results[0].ok and "by key" in (results[0].error or "")


def test_objects_without_write_are_refused() -> None:
    with pytest.raises(NotImplementedError):
        make_connector().write("customers", [WriteRecord(key="c", properties={"name": "x"})])


@respx.mock
def test_fetch_leaves_out_missing_and_archived_records() -> None:
    respx.get(f"{BASE}/deals/deal_live").mock(return_value=ok({"key": "deal_live", "partner_key": None, "amount": 1}))
    respx.get(f"{BASE}/deals/deal_gone").mock(return_value=error(404, "Deal not found"))
    respx.get(f"{BASE}/deals/deal_arch").mock(return_value=ok({"key": "deal_arch", "archived": True}))
    records = make_connector().fetch("deals", ["deal_live", "deal_gone", "deal_arch", "deal_live"])
    assert [r["key"] for r in records] == ["deal_live"]
    assert records[0]["amount_decimal"] == "0.01" and records[0]["deleted"] is False


@respx.mock
def test_fetch_raises_other_errors() -> None:
    respx.get(f"{BASE}/customers/c1").mock(side_effect=[error(500)] * 6)
    with pytest.raises(Exception, match="HTTP 500"):
        make_connector(max_retries=1).fetch("customers", ["c1"])


def test_rewards_cannot_be_fetched_by_key() -> None:
    with pytest.raises(NotImplementedError):
        make_connector().fetch("rewards", ["rew_1"])


@respx.mock
def test_keys_are_escaped_in_paths() -> None:
    route = respx.get(f"{BASE}/deals/a%2Fb").mock(return_value=error(404))
    assert make_connector().fetch("deals", ["a/b"]) == []
    assert route.called


def test_write_spec_declares_both_objects() -> None:
    objects = {w.object: w for w in make_connector().spec.writes}
    assert set(objects) == {"partnerships", "deals"}
    assert all(w.id_property == "key" and w.operation == "update" for w in objects.values())
