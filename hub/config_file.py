"""Connectors as code: a YAML file of connector definitions, applied at start-up.

Credentials should not sit in the file: write ``${ENV_VAR}`` and the value is read from the
environment when the file is applied. A variable that is not set is an error naming it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from hub.connector_store import ConnectorCreate, ConnectorPublic, ConnectorStore

_VAR = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")


class HubConfigFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    connectors: list[ConnectorCreate] = []


def _expand(node: Any, path: Path) -> Any:
    if isinstance(node, str):

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in os.environ:
                raise ValueError(f"{path}: environment variable {name} is not set")
            return os.environ[name]

        return _VAR.sub(substitute, node)
    if isinstance(node, list):
        return [_expand(item, path) for item in node]
    if isinstance(node, dict):
        return {key: _expand(value, path) for key, value in node.items()}
    return node


def load(path: Path) -> HubConfigFile:
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return HubConfigFile.model_validate(_expand(document, path))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"{path}: {where}: {first['msg']}") from exc


def apply(path: Path, store: ConnectorStore) -> list[ConnectorPublic]:
    """Create or update every connector the file declares."""
    return [store.upsert(item) for item in load(path).connectors]
