"""HubSpot CRM connector (companies, contacts, deals). Registered as ``hubspot``."""

from connectors.hubspot.config import HubSpotConfig
from connectors.hubspot.connector import HubSpotConnector

__all__ = ["HubSpotConfig", "HubSpotConnector"]
