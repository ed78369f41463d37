"""Start the sandbox in its own process, so the hub process's CPU and memory are measured alone."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

import httpx


class SandboxProcess:
    def __init__(self, size: int, seed: int = 7, rate_limit: int = 0) -> None:
        self.command = [
            sys.executable, "-m", "sandbox", "--port", "0", "--size", str(size), "--seed", str(seed),
            "--rate-limit", str(rate_limit), "--search-rate-limit", "0", "--json",
        ]  # fmt: skip
        self.process: subprocess.Popen[str] | None = None
        self.info: dict[str, Any] = {}

    def __enter__(self) -> SandboxProcess:
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("sandbox process exited before printing its URLs")
        self.info = json.loads(line)
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(self.info["hubspot"]["base_url"] + "/crm/v3/objects/companies", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)

    @property
    def pid(self) -> int:
        """The sandbox server's process id (for its CPU time)."""
        assert self.process is not None
        return self.process.pid

    @property
    def hubspot(self) -> dict[str, Any]:
        return dict(self.info["hubspot"])

    def admin(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.hubspot["base_url"], headers={"X-Sandbox-Admin": self.hubspot["admin_token"]}, timeout=60
        )
