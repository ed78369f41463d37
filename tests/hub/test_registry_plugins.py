"""A separately installed package adds a connector through the ``hub.connectors`` entry points."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hub.registry import ConnectorRegistry, UnknownConnector

PLUGIN_PYPROJECT = """
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "hub-tiny-connector"
version = "0.0.1"

[project.entry-points."hub.connectors"]
tiny = "tiny_connector:TinyConnector"
broken = "tiny_connector_missing:Nope"
"""

PLUGIN_MODULE = """
from collections.abc import Iterator
from pydantic import BaseModel
from connectors.sdk import Connector, ConnectorSpec, OffsetPaginator, Page, ReadRequest, StreamSpec


class TinyConfig(BaseModel):
    greeting: str = "hi"


class TinyConnector(Connector):
    spec = ConnectorSpec(
        kind="tiny", title="Tiny",
        streams=(StreamSpec(name="things", object="things", path="/things", paginator=OffsetPaginator()),),
    )
    config_model = TinyConfig

    def read(self, stream: str, request: ReadRequest) -> Iterator[Page]:
        yield Page(records=[{"id": "1"}], resume=None)
"""

LIST_KINDS = """
import json
from hub.registry import ConnectorRegistry
registry = ConnectorRegistry()
kinds = registry.kinds()
print(json.dumps({"kinds": kinds, "broken": [b.name for b in registry.broken],
                  "streams": [s.name for s in registry.get("tiny").spec.streams]}))
"""


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("plugin")
    (source / "pyproject.toml").write_text(PLUGIN_PYPROJECT)
    (source / "tiny_connector.py").write_text(textwrap.dedent(PLUGIN_MODULE))
    site = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--target", str(site),
         str(source)],
        check=True,
    )  # fmt: skip
    return site


def test_installed_plugin_is_listed_and_broken_one_reported(plugin_site: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", LIST_KINDS],
        env={"PYTHONPATH": str(plugin_site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    listed = json.loads(result.stdout.strip().splitlines()[-1])
    assert "tiny" in listed["kinds"]
    assert "hubspot" in listed["kinds"]
    assert listed["broken"] == ["broken"]
    assert listed["streams"] == ["things"]


def test_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(UnknownConnector, match=r"known: .*hubspot"):
        ConnectorRegistry().get("nosuch")
