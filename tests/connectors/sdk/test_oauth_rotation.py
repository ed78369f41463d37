"""The SDK's OAuth2 refresh-token auth keeps a rotated refresh token and reports it once."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import respx

from connectors.sdk import OAuth2RefreshToken

TOKEN_URL = "https://auth.example.test/oauth/token"


@respx.mock
def test_a_rotated_refresh_token_is_used_next_and_reported() -> None:
    answers = iter(
        [
            {"access_token": "a1", "expires_in": 0, "refresh_token": "r2"},
            {"access_token": "a2", "expires_in": 0, "refresh_token": "r2"},  # same token again: not reported
        ]
    )
    token = respx.post(TOKEN_URL).mock(side_effect=lambda _request: httpx.Response(200, json=next(answers)))
    respx.get("https://api.example.test/x").mock(return_value=httpx.Response(200, json={}))
    reported: list[str] = []
    auth = OAuth2RefreshToken(TOKEN_URL, "client", "secret", "r1", skew_seconds=0, on_refresh=reported.append)
    with httpx.Client(auth=auth) as client:
        client.get("https://api.example.test/x")
        client.get("https://api.example.test/x")  # expires_in 0: refreshed again, with the rotated token
    sent = [parse_qs(call.request.content.decode())["refresh_token"][0] for call in token.calls]
    assert sent == ["r1", "r2"] and reported == ["r2"]
