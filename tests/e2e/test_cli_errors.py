"""Expected failures of ``hub`` print one line saying what is wrong and what to do, exit code 2,
no traceback (real subprocesses)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest


def _hub(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    environment = {**base, "HUB_DATA_DIR": str(tmp_path), "COLUMNS": "300", **env}
    return subprocess.run(
        [sys.executable, "-m", "hub.cli", *args], env=environment, cwd=tmp_path,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 2, output
    assert "Traceback" not in output and "╭" not in output, output
    assert len(output.splitlines()) == 1, output
    return output


def test_sandbox_on_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = _one_line(_hub(["sandbox", "--port", str(port), "--size", "10"], tmp_path))
    assert f"127.0.0.1:{port}" in line and "in use" in line and "--port" in line


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param(
            {"HUB_SECRET_KEY": "var/secret.key"}, "HUB_SECRET_KEY must be the Fernet key itself", id="key_path"
        ),
        pytest.param({"HUB_SECRET_KEY": "short"}, "not a path", id="key_malformed"),
        pytest.param({"HUB_OUTBOUND_ALLOW": "10.0.0.0/33"}, "HUB_OUTBOUND_ALLOW", id="allow_list"),
        pytest.param({"HUB_LEASE_SECONDS": "soon"}, "HUB_LEASE_SECONDS", id="not_a_number"),
    ],
)
def test_a_malformed_setting(tmp_path: Path, env: dict[str, str], expected: str) -> None:
    line = _one_line(_hub(["status"], tmp_path, **env))
    assert expected in line and line.startswith("error:")
    if "HUB_SECRET_KEY" in env:
        assert env["HUB_SECRET_KEY"] not in line.replace(expected, "")  # a secret's value is never echoed
