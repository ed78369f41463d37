"""The peer (dlt's rest_api source) on a tiny world: the connector's streams, counts checked, figures returned."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import peer_dlt
from bench.upstream import SandboxProcess
from connectors.hubspot.streams import ASSOCIATIONS


def test_config_asks_for_what_the_connector_reads() -> None:
    config = peer_dlt.rest_api_config("http://127.0.0.1:1", "token")
    resources = {r["name"]: r["endpoint"] for r in config["resources"]}
    assert sorted(resources) == sorted([*peer_dlt.OBJECTS, *(f"{o}_archived" for o in peer_dlt.OBJECTS)])
    contacts = resources["contacts"]
    assert contacts["path"] == "crm/objects/2026-03/contacts"
    assert contacts["params"]["limit"] == 100 and contacts["params"]["associations"] == "companies"
    assert "associations" not in resources["companies"]["params"]
    assert resources["deals"]["params"]["associations"] == ",".join(ASSOCIATIONS["deals"])
    for name in peer_dlt.OBJECTS:
        asked = resources[name]["params"]["properties"].split(",")
        assert asked == peer_dlt.properties(name) and "hs_merged_object_ids" in asked
        assert resources[f"{name}_archived"]["params"]["archived"] == "true"
    assert config["client"]["paginator"]["cursor_path"] == "paging.next.after"


def test_peer_loads_the_sandbox_counts(tmp_path: Path) -> None:
    pytest.importorskip("dlt")
    with SandboxProcess(300) as sandbox:
        upstream = sandbox.hubspot
        result = peer_dlt.run_peer(
            upstream["base_url"], upstream["private_app_token"], tmp_path, sandbox_pid=sandbox.pid
        )
        assert result["counts"] == peer_dlt.sandbox_counts(upstream["base_url"], upstream["private_app_token"])
    assert (
        result["records"] == sum(result["counts"].values()) == 300
        and result["tables"]["contacts__associations__companies__results"] > 0
    )
    assert result["seconds"] > 0 and result["cpu_seconds"] > 0 and result["peak_rss_mb"] > 10
    assert result["records_per_s"] > 0 and result["sandbox_cpu_seconds"] >= 0
    assert (tmp_path / "peer.duckdb").exists()
    assert upstream["private_app_token"] not in (tmp_path / "peer-spec.json").read_text()


def test_cli_without_dlt_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(peer_dlt, "available", lambda: False)
    with pytest.raises(SystemExit, match=r"pip install -e '\.\[bench\]'"):
        peer_dlt.main(["--size", "10"])
    with pytest.raises(peer_dlt.PeerUnavailable, match="make bench"):
        peer_dlt.run_peer("http://127.0.0.1:1", "token", Path("unused"))
