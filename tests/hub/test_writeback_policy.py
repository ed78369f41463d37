"""The write-back policy in the survivorship table: which canonical fields each system receives."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.ledger.policy import PolicyFileError, load_policy


def test_the_default_policy_names_the_fields_each_system_receives() -> None:
    policy = load_policy(None)
    assert policy.for_entity("organization").writes_to("hubspot") == ("name", "primary_domain", "phone")
    assert policy.for_entity("organization").writes_to("partnerstack") == ()  # not listed: nothing
    assert policy.for_entity("deal_registration").writes_to("partnerstack") == ("reject_reason",)


def test_a_bad_writeback_block_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(
        "version: 1\n"
        "entities:\n"
        "  organization:\n"
        "    writeback:\n"
        "      hubspot: [name, colour, name]\n"
        "      Sales/Force: [name]\n"
        "      salesforce: phone\n"
    )
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path)
    text = str(caught.value)
    assert "unknown canonical field 'colour'" in text
    assert "'name' is listed twice" in text
    assert "not a connector kind: 'Sales/Force'" in text
    assert "writeback.salesforce: must be a list" in text
    assert all(line.startswith(f"{path}:") for line in text.splitlines())
