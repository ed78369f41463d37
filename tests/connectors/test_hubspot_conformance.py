"""HubSpot passes the connector conformance suite against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from connectors.hubspot import HubSpotConfig, HubSpotConnector
from hub.mapping import Mapper
from hub.settings import REPO_ROOT
from hub.testing.conformance import ConnectorConformance
from sandbox.server import SandboxServer
from tests.policy import SANDBOX_OUTBOUND


class TestHubSpotConformance(ConnectorConformance):
    @pytest.fixture
    def connector(self, sandbox: SandboxServer) -> Iterator[HubSpotConnector]:
        creds = sandbox.credentials["hubspot"]
        config = HubSpotConfig(
            base_url=sandbox.base_urls["hubspot"], auth_type="oauth", client_id=creds["client_id"],
            client_secret=SecretStr(creds["client_secret"]), refresh_token=SecretStr(creds["refresh_token"]),
            page_size=50,
        )  # fmt: skip
        connector = HubSpotConnector(config, outbound=SANDBOX_OUTBOUND)
        yield connector
        connector.close()

    @pytest.fixture
    def mapper(self) -> Mapper:
        return Mapper.from_file(REPO_ROOT / "mappings" / "hubspot.yaml")
