"""Authentication (private app + OAuth), token expiry and rate limits."""

from __future__ import annotations

import time

import httpx

from sandbox.hubspot.errors import AUTH_NOT_FOUND_MESSAGE

COMPANIES = "/crm/v3/objects/companies"


def oauth_token(base_url: str, creds: dict[str, str]) -> dict[str, object]:
    form = {
        "grant_type": "refresh_token",
        "client_id": creds["client_id"],
        "client_secret": creds["client_secret"],
        "refresh_token": creds["refresh_token"],
    }
    response = httpx.post(f"{base_url}/oauth/v1/token", data=form)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_missing_or_unknown_token_is_401_invalid_authentication(base_url: str) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = httpx.get(f"{base_url}{COMPANIES}", headers=headers)
        body = response.json()
        assert response.status_code == 401
        assert body["category"] == "INVALID_AUTHENTICATION" and body["message"] == AUTH_NOT_FOUND_MESSAGE
        assert body["status"] == "error" and body["correlationId"] == response.headers["x-hubspot-correlation-id"]


def test_oauth_token_response_shape_and_grants(base_url: str, creds: dict[str, str]) -> None:
    token = oauth_token(base_url, creds)
    assert set(token) >= {
        "access_token",
        "refresh_token",
        "token_type",
        "expires_in",
        "token_use",
        "hub_id",
        "user_id",
        "scopes",
    }
    assert token["token_type"] == "bearer" and token["expires_in"] == 1800
    code = httpx.post(
        f"{base_url}/oauth/v1/token",
        data={
            "grant_type": "authorization_code",
            "code": creds["authorization_code"],
            "redirect_uri": creds["redirect_uri"],
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
        },
    )
    assert code.status_code == 200 and code.json()["refresh_token"] != creds["refresh_token"]
    wrong = dict(grant_type="refresh_token", client_id=creds["client_id"], client_secret="x", refresh_token="y")
    bad_secret = httpx.post(f"{base_url}/oauth/v1/token", data=wrong)
    assert bad_secret.status_code == 400 and bad_secret.json()["status"] == "BAD_CLIENT_SECRET"
    wrong["client_secret"] = creds["client_secret"]
    bad_refresh = httpx.post(f"{base_url}/oauth/v1/token", data=wrong)
    assert bad_refresh.status_code == 400 and bad_refresh.json()["status"] == "BAD_REFRESH_TOKEN"
    info = httpx.get(f"{base_url}/oauth/v1/access-tokens/{token['access_token']}").json()
    assert info["hub_id"] == token["hub_id"] and info["token"] == token["access_token"]


def test_access_token_expires_after_ttl(base_url: str, creds: dict[str, str], admin: httpx.Client) -> None:
    admin.post("/_sandbox/config", json={"token_ttl": 0.3}).raise_for_status()
    token = oauth_token(base_url, creds)
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert httpx.get(f"{base_url}{COMPANIES}", headers=headers).status_code == 200
    time.sleep(0.35)
    expired = httpx.get(f"{base_url}{COMPANIES}", headers=headers)
    body = expired.json()
    assert expired.status_code == 401 and body["category"] == "EXPIRED_AUTHENTICATION"
    assert body["message"].startswith("The OAuth token used to make this call expired ")
    assert list(body["context"]) == ["expire time"]
    fresh = oauth_token(base_url, creds)
    assert (
        httpx.get(f"{base_url}{COMPANIES}", headers={"Authorization": f"Bearer {fresh['access_token']}"}).status_code
        == 200
    )


def test_private_app_token_never_expires_even_on_expire_tokens(
    api: httpx.Client, admin: httpx.Client, base_url: str, creds: dict[str, str]
) -> None:
    token = oauth_token(base_url, creds)
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    expired = admin.post("/_sandbox/faults", json={"kind": "expire_tokens"})
    assert expired.status_code == 200 and expired.json()["expired"] >= 1
    assert httpx.get(f"{base_url}{COMPANIES}", headers=headers).json()["category"] == "EXPIRED_AUTHENTICATION"
    assert api.get(COMPANIES).status_code == 200


def test_ten_second_window_429_with_retry_after(api: httpx.Client, admin: httpx.Client) -> None:
    admin.post("/_sandbox/config", json={"rate_limit": 5}).raise_for_status()
    remaining = []
    for _ in range(5):
        response = api.get(COMPANIES, params={"limit": 1})
        assert response.status_code == 200
        assert response.headers["x-hubspot-ratelimit-max"] == "5"
        assert response.headers["x-hubspot-ratelimit-interval-milliseconds"] == "10000"
        assert "x-hubspot-ratelimit-secondly-remaining" in response.headers
        assert "x-hubspot-ratelimit-daily-remaining" in response.headers  # private-app token
        remaining.append(int(response.headers["x-hubspot-ratelimit-remaining"]))
    assert remaining == [4, 3, 2, 1, 0]
    limited = api.get(COMPANIES)
    body = limited.json()
    assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 10
    assert body["policyName"] == "TEN_SECONDLY_ROLLING" and body["errorType"] == "RATE_LIMIT" and body["correlationId"]


def test_oauth_calls_have_no_daily_headers(base_url: str, creds: dict[str, str], admin: httpx.Client) -> None:
    admin.post("/_sandbox/config", json={"rate_limit": 100}).raise_for_status()
    token = oauth_token(base_url, creds)
    response = httpx.get(f"{base_url}{COMPANIES}", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert "x-hubspot-ratelimit-max" in response.headers and "x-hubspot-ratelimit-daily" not in response.headers


def test_search_has_its_own_per_second_limit(api: httpx.Client, admin: httpx.Client) -> None:
    admin.post("/_sandbox/config", json={"search_rate_limit": 2}).raise_for_status()
    statuses = [api.post("/crm/v3/objects/deals/search", json={"limit": 1}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = api.post("/crm/v3/objects/deals/search", json={"limit": 1})
    assert limited.json()["policyName"] == "SECONDLY" and limited.headers["retry-after"] == "1"
    assert api.get(COMPANIES).status_code == 200  # other endpoints unaffected
