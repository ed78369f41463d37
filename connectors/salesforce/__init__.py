"""Salesforce connector (accounts, contacts, opportunities with partner roles, deal registrations,
channel program members; Outbound Messages). Registered as ``salesforce``."""

from connectors.salesforce.config import SalesforceConfig
from connectors.salesforce.connector import SalesforceConnector
from connectors.salesforce.errors import ApiLimitExceeded
from connectors.salesforce.requester import ApiUsage

__all__ = ["ApiLimitExceeded", "ApiUsage", "SalesforceConfig", "SalesforceConnector"]
