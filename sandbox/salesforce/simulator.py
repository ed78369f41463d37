"""Salesforce as a peer of the other simulated systems (see :mod:`sandbox.simulator`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.ecosystem.truth import TruthPart
from sandbox.salesforce.app import create_salesforce_app
from sandbox.salesforce.config import SalesforceConfig
from sandbox.salesforce.server import credentials, load_salesforce_world
from sandbox.salesforce.state import SalesforceState
from sandbox.salesforce.truth import salesforce_truth
from sandbox.simulator import BuildContext, Endpoint, Simulator


class SalesforceSimulator(Simulator[SalesforceState]):
    """REST API, Bulk API 2.0 query jobs, OAuth, SOAP login and Outbound Messages; over HTTPS (its
    official client needs it)."""

    name = "salesforce"
    tls = True

    def build(self, context: BuildContext) -> SalesforceState:
        """The org from the fixture's ``salesforce`` section, else projected from the ecosystem."""
        world = load_salesforce_world(context.fixture, context.seed, context.size, ecosystem=context.ecosystem)
        return SalesforceState(world, SalesforceConfig(admin_token=context.admin_token))

    def app(self, state: SalesforceState) -> Any:
        """The FastAPI app."""
        return create_salesforce_app(state)

    def started(self, state: SalesforceState, endpoint: Endpoint) -> None:
        """The org learns its instance URL (used in ``instance_url`` and outbound envelopes)."""
        state.base_url = endpoint.base_url

    def stopping(self, state: SalesforceState) -> None:
        """Stop the outbound-message thread."""
        state.outbound.stop()

    def credentials(self, state: SalesforceState, endpoint: Endpoint) -> dict[str, str]:
        """Instance URL, OAuth client, user, session, admin token and the certificate path."""
        return credentials(state.config, endpoint.base_url, endpoint.cert_path)

    def truth(self, doc: Mapping[str, Any]) -> TruthPart:
        """Its records and ground-truth links (:mod:`sandbox.salesforce.truth`)."""
        return salesforce_truth(doc)


SIMULATOR = SalesforceSimulator()
