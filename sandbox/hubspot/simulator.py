"""HubSpot as a peer of the other simulated systems (see :mod:`sandbox.simulator`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.ecosystem.truth import TruthPart
from sandbox.hubspot.app import create_hubspot_app
from sandbox.hubspot.config import HubSpotConfig
from sandbox.hubspot.project import world_from_ecosystem
from sandbox.hubspot.state import HubSpotState
from sandbox.hubspot.truth import hubspot_truth
from sandbox.hubspot.world import HubSpotWorld
from sandbox.simulator import BuildContext, Endpoint, Simulator


class HubSpotSimulator(Simulator[HubSpotState]):
    """CRM v3/v4 and their date-versioned successors, OAuth, webhooks; plain HTTP at the root."""

    name = "hubspot"

    def build(self, context: BuildContext) -> HubSpotState:
        """The portal from the fixture's ``hubspot`` section, else projected from the ecosystem.

        Options: ``hubspot_config`` (a :class:`HubSpotConfig`, overrides the rest),
        ``private_app_token``, ``rate_limit``, ``search_rate_limit``, ``token_ttl``, ``webhook_url``.
        """
        options = context.options
        config = options.get("hubspot_config") or HubSpotConfig(
            private_app_tokens=(options.get("private_app_token", "pat-na1-sandbox"),),
            admin_token=context.admin_token,
            rate_limit=options.get("rate_limit", 190),
            search_rate_limit=options.get("search_rate_limit", 5),
            token_ttl=options.get("token_ttl", 1800.0),
        )
        if context.fixture is None:
            world = world_from_ecosystem(context.ecosystem)
        else:
            world = HubSpotWorld.from_json(context.fixture)
        state = HubSpotState(world, config)
        if options.get("webhook_url"):
            state.webhooks.configure({"target_url": options["webhook_url"]})
        return state

    def app(self, state: HubSpotState) -> Any:
        """The FastAPI app."""
        return create_hubspot_app(state)

    def started(self, state: HubSpotState, endpoint: Endpoint) -> None:
        """Start webhook delivery."""
        state.webhooks.start()

    def stopping(self, state: HubSpotState) -> None:
        """Stop webhook delivery."""
        state.webhooks.stop()

    def credentials(self, state: HubSpotState, endpoint: Endpoint) -> dict[str, str]:
        """Private-app token, OAuth client and codes, admin token, developer API key and app id."""
        cfg = state.config
        return {
            "private_app_token": cfg.private_app_tokens[0],
            "client_id": cfg.client_id,
            "client_secret": cfg.client_secret,
            "refresh_token": cfg.refresh_token,
            "authorization_code": cfg.authorization_code,
            "redirect_uri": cfg.redirect_uri,
            "admin_token": cfg.admin_token,
            "developer_api_key": cfg.developer_api_key,
            "app_id": str(cfg.app_id),
        }

    def truth(self, doc: Mapping[str, Any]) -> TruthPart:
        """Its records and ground-truth links (:mod:`sandbox.hubspot.truth`)."""
        return hubspot_truth(doc)


SIMULATOR = HubSpotSimulator()
