"""PartnerStack as a peer of the other simulated systems (see :mod:`sandbox.simulator`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.ecosystem.truth import TruthPart
from sandbox.partnerstack.app import create_partnerstack_app
from sandbox.partnerstack.config import PartnerStackConfig
from sandbox.partnerstack.runner import load_partnerstack_world
from sandbox.partnerstack.state import PartnerStackState
from sandbox.partnerstack.truth import partnerstack_truth
from sandbox.simulator import BuildContext, Endpoint, Simulator


class PartnerStackSimulator(Simulator[PartnerStackState]):
    """Vendor API v2 under ``/api/v2``, HTTP Basic keys, webhooks; plain HTTP."""

    name = "partnerstack"
    api_path = "/api/v2"

    def build(self, context: BuildContext) -> PartnerStackState:
        """The program from the fixture's ``partnerstack`` section, else projected from the ecosystem."""
        world = load_partnerstack_world(context.fixture, context.seed, context.size, ecosystem=context.ecosystem)
        return PartnerStackState(world, PartnerStackConfig(admin_token=context.admin_token))

    def app(self, state: PartnerStackState) -> Any:
        """The FastAPI app."""
        return create_partnerstack_app(state)

    def started(self, state: PartnerStackState, endpoint: Endpoint) -> None:
        """Start webhook delivery."""
        state.webhooks.start()

    def stopping(self, state: PartnerStackState) -> None:
        """Stop webhook delivery."""
        state.webhooks.stop()

    def credentials(self, state: PartnerStackState, endpoint: Endpoint) -> dict[str, str]:
        """Live and test key pairs and the admin token."""
        return state.config.credentials()

    def truth(self, doc: Mapping[str, Any]) -> TruthPart:
        """Its records and ground-truth links (:mod:`sandbox.partnerstack.truth`)."""
        return partnerstack_truth(doc)


SIMULATOR = PartnerStackSimulator()
