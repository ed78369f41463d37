"""Salesforce passes the connector conformance suite against the (HTTPS) sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from connectors.salesforce import SalesforceConfig, SalesforceConnector
from hub.mapping import Mapper
from hub.settings import REPO_ROOT
from hub.testing.conformance import ConnectorConformance
from sandbox.server import SandboxServer
from tests.policy import SANDBOX_OUTBOUND


def salesforce_config(sandbox: SandboxServer, **extra: object) -> SalesforceConfig:
    creds = sandbox.credentials["salesforce"]
    return SalesforceConfig(
        login_url=creds["base_url"], api_version="59.0", auth_type="client_credentials",
        client_id=creds["consumer_key"], client_secret=SecretStr(creds["consumer_secret"]),
        verify_tls=creds["cert_path"], page_size=200, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


class TestSalesforceConformance(ConnectorConformance):
    max_failure_share = 0.06

    @pytest.fixture
    def connector(self, sandbox: SandboxServer) -> Iterator[SalesforceConnector]:
        connector = SalesforceConnector(salesforce_config(sandbox), outbound=SANDBOX_OUTBOUND)
        yield connector
        connector.close()

    @pytest.fixture
    def mapper(self) -> Mapper:
        return Mapper.from_file(REPO_ROOT / "mappings" / "salesforce.yaml")
