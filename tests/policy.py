"""The outbound allow-list of the tests: the sandbox listens on loopback, the one internal
destination connectors may reach in a test (``HUB_OUTBOUND_ALLOW``; docs/security.md)."""

from __future__ import annotations

from connectors.sdk import OutboundPolicy

SANDBOX_ALLOW = "127.0.0.1,localhost,::1"
SANDBOX_OUTBOUND = OutboundPolicy.parse(SANDBOX_ALLOW)
