"""Issue 9 item 8: a HubSpot OAuth token endpoint answering 429 or 503 once is retried, as the
Salesforce connector does, instead of failing the stream with AuthError; a 400 stays an AuthError."""

from __future__ import annotations

import httpx
import pytest

from connectors.sdk import AuthError
from sandbox.server import SandboxServer
from tests.connectors.hubspot.conftest import connector, requests_to


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param({"kind": "status", "status": 503}, id="503"),
        pytest.param({"kind": "rate_limit", "retry_after": 1}, id="429"),
    ],
)
def test_a_token_endpoint_hiccup_is_retried(
    sandbox: SandboxServer, hubspot: httpx.Client, fault: dict[str, object]
) -> None:
    queued = hubspot.post("/_sandbox/faults", json={**fault, "times": 1, "path_prefix": "/oauth/2026-03/token"})
    assert queued.status_code in (200, 201), queued.text
    hubspot.delete("/_sandbox/stats")
    hs = connector(sandbox)
    try:
        hs.check()  # the first token request fails, the retry gets a token, the call goes through
    finally:
        hs.close()
    assert requests_to(hubspot, "/oauth/2026-03/token", status=200) == 1
    assert requests_to(hubspot, "/oauth/2026-03/token") == 2


def test_a_refused_refresh_token_is_still_an_auth_error(sandbox: SandboxServer, hubspot: httpx.Client) -> None:
    queued = hubspot.post(
        "/_sandbox/faults", json={"kind": "status", "status": 400, "times": 1, "path_prefix": "/oauth/2026-03/token"}
    )
    assert queued.status_code in (200, 201), queued.text
    hs = connector(sandbox)
    try:
        with pytest.raises(AuthError):
            hs.check()
    finally:
        hs.close()
