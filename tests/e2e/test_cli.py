"""The CLI against a synced sandbox world: sync, status, ledger rebuild, writeback."""

from __future__ import annotations

import pytest
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


def test_sync_status_rebuild_and_writeback_commands(cli_env: Hub) -> None:
    runner = CliRunner()
    synced = runner.invoke(app, ["sync", "hs", "--full"])
    assert synced.exit_code == 0, synced.output
    assert "succeeded hs/companies full" in synced.output

    status = runner.invoke(app, ["status"], env={"COLUMNS": "200"})
    assert status.exit_code == 0 and "companies" in status.output and "idle" in status.output

    rebuilt = runner.invoke(app, ["ledger", "rebuild"])
    assert rebuilt.exit_code == 0 and "golden records" in rebuilt.output

    preview = runner.invoke(app, ["writeback", "hs", "companies", "--dry-run"])
    assert preview.exit_code == 0 and "(dry run)" in preview.output and "written 0" in preview.output

    unknown = runner.invoke(app, ["sync", "nope"])
    assert unknown.exit_code != 0
