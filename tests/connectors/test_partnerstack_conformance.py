"""PartnerStack passes the connector conformance suite against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from connectors.partnerstack import PartnerStackConfig, PartnerStackConnector
from hub.mapping import Mapper
from hub.settings import REPO_ROOT
from hub.testing.conformance import ConnectorConformance
from sandbox.server import SandboxServer
from tests.policy import SANDBOX_OUTBOUND


class TestPartnerStackConformance(ConnectorConformance):
    @pytest.fixture
    def connector(self, sandbox: SandboxServer) -> Iterator[PartnerStackConnector]:
        creds = sandbox.credentials["partnerstack"]
        config = PartnerStackConfig(
            base_url=sandbox.base_urls["partnerstack"], public_key=creds["public_key"],
            secret_key=SecretStr(creds["secret_key"]), page_size=20,
            webhook_token=SecretStr("a-webhook-token-of-some-length"),
        )  # fmt: skip
        connector = PartnerStackConnector(config, outbound=SANDBOX_OUTBOUND)
        yield connector
        connector.close()

    @pytest.fixture
    def mapper(self) -> Mapper:
        return Mapper.from_file(REPO_ROOT / "mappings" / "partnerstack.yaml")
