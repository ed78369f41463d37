"""``hub ledger verify`` against a ledger synced from the sandbox: intact, then tampered with."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from hub.cli import app
from hub.context import Hub


@pytest.fixture
def cli_env(connected: Hub, monkeypatch: pytest.MonkeyPatch) -> Hub:
    settings = connected.settings
    assert settings.secret_key is not None
    monkeypatch.setenv("HUB_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("HUB_SECRET_KEY", settings.secret_key.get_secret_value())
    monkeypatch.setenv("HUB_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HUB_OUTBOUND_ALLOW", settings.outbound_allow)
    return connected


def test_verify_passes_then_names_the_first_tampered_entry(cli_env: Hub) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["sync", "hs", "--full"]).exit_code == 0

    intact = runner.invoke(app, ["ledger", "verify"], env={"COLUMNS": "200"})
    assert intact.exit_code == 0, intact.output
    assert "ledger intact" in intact.output
    report = orjson.loads(runner.invoke(app, ["ledger", "verify", "--json"]).stdout)
    assert report["ok"] is True and report["entries"] > 10 and report["problem"] is None
    head = report["last_hash"]
    assert runner.invoke(app, ["ledger", "verify", "--head", head]).exit_code == 0
    stale = runner.invoke(app, ["ledger", "verify", "--head", "0" * 64, "--json"])
    assert stale.exit_code == 1 and orjson.loads(stale.stdout)["problem"]["kind"] == "head"

    with cli_env.engine.begin() as conn:
        ids = list(conn.execute(text("SELECT id FROM ledger_entries ORDER BY id")).scalars())
        conn.execute(text("UPDATE ledger_entries SET external_id = 'tampered' WHERE id = :id"), {"id": ids[5]})
        conn.execute(text("DELETE FROM ledger_entries WHERE id = :id"), {"id": ids[9]})
    broken = runner.invoke(app, ["ledger", "verify"], env={"COLUMNS": "200"})
    assert broken.exit_code == 1
    assert f"entry #{ids[5]}" in broken.output and "edited" in broken.output
    as_json = runner.invoke(app, ["ledger", "verify", "--json"])
    assert as_json.exit_code == 1
    problem = orjson.loads(as_json.stdout)["problem"]
    assert (problem["kind"], problem["entry_id"]) == ("edited", ids[5])  # the first bad one, not the removal
