"""The record shape the mapping expects: associations, deleted, ``_hub.*``."""

from __future__ import annotations

from connectors.sdk import Associations, association, hub_record, link
from connectors.sdk.records import with_parent


def test_hub_record_adds_the_members_and_copies() -> None:
    raw = {"key": "deal_1", "amount": 5}
    out = hub_record(raw, associations={"partnerships": [association("part_1", "partner")]}, deleted=True)
    assert out == {
        "key": "deal_1", "amount": 5, "deleted": True,
        "associations": {"partnerships": [{"id": "part_1", "types": ["partner"]}]},
    }  # fmt: skip
    assert raw == {"key": "deal_1", "amount": 5}
    assert hub_record(raw) == {**raw, "associations": {}, "deleted": False}


def test_link_skips_empty_ids_and_merges_labels() -> None:
    associations: Associations = {}
    link(associations, "companies", None, "x")
    link(associations, "companies", "", "x")
    link(associations, "companies", "c1", "partner")
    link(associations, "companies", "c1", "partner", "reseller")
    link(associations, "contacts", "p1")
    assert associations == {
        "companies": [{"id": "c1", "types": ["partner", "reseller"]}],
        "contacts": [{"id": "p1", "types": []}],
    }


def test_parent_goes_under_hub_without_touching_other_hub_members() -> None:
    parent = {"stream": "courses", "object": "courses", "id": "7"}
    out = hub_record({"id": "e1", "_hub": {"note": "kept"}}, parent=parent)  # type: ignore[arg-type]
    assert out["_hub"] == {"note": "kept", "parent": parent}
    marked = with_parent([{"id": "e2"}, "not a record"], parent)  # type: ignore[arg-type]
    assert marked == [{"id": "e2", "_hub": {"parent": parent}}, "not a record"]
