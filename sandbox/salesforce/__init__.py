"""Simulated Salesforce org (REST API v31.0-v66.0 subset, Bulk API 2.0 query jobs, OAuth, SOAP login,
Outbound Messages).

Written from the API reference only (``/work/shared/reference/salesforce.md``); never imports
``hub``, ``connectors`` or ``webhooks``.

Public surface:

* :func:`create_salesforce_app` (FastAPI app), :class:`SalesforceState`, :class:`SalesforceConfig`;
* :class:`SalesforceWorld` (fixture section ``"salesforce"``), :func:`generate_world`,
  :func:`load_salesforce_world` (both take ``ecosystem=`` — a :class:`sandbox.ecosystem.Ecosystem` —
  to project the shared world, with ground truth keyed by the ecosystem's ids);
* :data:`sandbox.salesforce.simulator.SIMULATOR`, its entry in :data:`sandbox.systems.SYSTEMS`;
* HTTPS (from :mod:`sandbox.kit`): :func:`generate_self_signed_cert`, :func:`client_ssl_context`, :func:`serve_https`,
  :class:`HTTPSServerThread`;
  :class:`SalesforceSandbox` (all-in-one background server), :func:`credentials`.
"""

from sandbox.kit.serving import HTTPSServerThread, serve_https
from sandbox.kit.tls import TLSFiles, client_ssl_context, generate_self_signed_cert
from sandbox.salesforce.app import create_salesforce_app
from sandbox.salesforce.config import SalesforceConfig
from sandbox.salesforce.generate import generate_world
from sandbox.salesforce.server import SalesforceSandbox, credentials, load_salesforce_world
from sandbox.salesforce.state import SalesforceState
from sandbox.salesforce.world import SalesforceWorld

__all__ = [
    "HTTPSServerThread",
    "SalesforceConfig",
    "SalesforceSandbox",
    "SalesforceState",
    "SalesforceWorld",
    "TLSFiles",
    "client_ssl_context",
    "create_salesforce_app",
    "credentials",
    "generate_self_signed_cert",
    "generate_world",
    "load_salesforce_world",
    "serve_https",
]
