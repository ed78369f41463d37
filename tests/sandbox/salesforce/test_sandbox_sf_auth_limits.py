"""Sessions, OAuth grants, SOAP login, the daily API quota, faults and admin protection."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import httpx
import pytest

from tests.sandbox.salesforce.conftest import API, error_code, ok, query


def token(admin: httpx.Client, **form: str) -> httpx.Response:
    return admin.post("/services/oauth2/token", data=form)


def client_credentials(admin: httpx.Client, creds: dict[str, str]) -> dict[str, str]:
    body: dict[str, str] = ok(
        token(
            admin,
            grant_type="client_credentials",
            client_id=creds["consumer_key"],
            client_secret=creds["consumer_secret"],
        )
    )
    return body


def bearer(admin: httpx.Client, access_token: str) -> httpx.Client:
    verify = admin._transport._pool._ssl_context  # type: ignore[attr-defined]
    return httpx.Client(
        base_url=str(admin.base_url), headers={"Authorization": f"Bearer {access_token}"}, verify=verify
    )


def test_token_body_and_signature(admin: httpx.Client, creds: dict[str, str]) -> None:
    body = client_credentials(admin, creds)
    assert body["instance_url"] == creds["base_url"] and body["token_type"] == "Bearer"
    assert body["id"] == f"{creds['base_url']}/id/{creds['organization_id']}/{creds['user_id']}"
    assert body["issued_at"].isdigit() and "refresh_token" not in body
    digest = hmac.new(creds["consumer_secret"].encode(), (body["id"] + body["issued_at"]).encode(), hashlib.sha256)
    assert body["signature"] == base64.b64encode(digest.digest()).decode()
    with bearer(admin, body["access_token"]) as client:
        identity = ok(client.get(body["id"].removeprefix(creds["base_url"])))
        assert identity["user_id"] == creds["user_id"] and identity["username"] == creds["username"]


def test_other_grants(admin: httpx.Client, creds: dict[str, str]) -> None:
    basic = base64.b64encode(f"{creds['consumer_key']}:{creds['consumer_secret']}".encode()).decode()
    via_header = admin.post(
        "/services/oauth2/token", data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    )
    assert ok(via_header)["access_token"]
    password = token(
        admin,
        grant_type="password",
        client_id=creds["consumer_key"],
        client_secret=creds["consumer_secret"],
        username=creds["username"],
        password=creds["password"] + creds["security_token"],
    )
    assert ok(password)["access_token"]
    refresh = token(
        admin, grant_type="refresh_token", client_id=creds["consumer_key"], refresh_token=creds["refresh_token"]
    )
    assert ok(refresh)["access_token"]
    code = ok(
        token(
            admin,
            grant_type="authorization_code",
            client_id=creds["consumer_key"],
            code=creds["authorization_code"],
            client_secret=creds["consumer_secret"],
            redirect_uri=creds["redirect_uri"],
        )
    )
    assert ok(
        token(admin, grant_type="refresh_token", client_id=creds["consumer_key"], refresh_token=code["refresh_token"])
    )
    claims = base64.urlsafe_b64encode(
        json.dumps(
            {
                "iss": creds["consumer_key"],
                "sub": creds["username"],
                "aud": "https://login.salesforce.com",
                "exp": "9999999999",
            }
        ).encode()
    )
    jwt = token(admin, grant_type="urn:ietf:params:oauth:grant-type:jwt-bearer", assertion=f"e30.{claims.decode()}.sig")
    assert ok(jwt)["access_token"]


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "client_credentials", "client_id": "nope", "client_secret": "x"}, "invalid_client_id"),
        ({"grant_type": "client_credentials", "client_secret": "wrong"}, "invalid_client"),
        ({"grant_type": "password", "username": "someone", "password": "x"}, "invalid_grant"),
        ({"grant_type": "refresh_token", "refresh_token": "stale"}, "invalid_grant"),
        ({"grant_type": "magic"}, "unsupported_grant_type"),
    ],
)
def test_oauth_errors(admin: httpx.Client, creds: dict[str, str], form: dict[str, str], error: str) -> None:
    defaults = {"client_id": creds["consumer_key"], "client_secret": creds["consumer_secret"]}
    response = token(admin, **{**defaults, **form})
    assert response.status_code == 400 and response.json()["error"] == error and response.json()["error_description"]


def test_soap_login(admin: httpx.Client, creds: dict[str, str]) -> None:
    envelope = (
        '<?xml version="1.0"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body>'
        '<n1:login xmlns:n1="urn:partner.soap.sforce.com"><n1:username>{}</n1:username><n1:password>{}</n1:password>'
        "</n1:login></env:Body></env:Envelope>"
    )
    good = admin.post(
        "/services/Soap/u/59.0",
        content=envelope.format(creds["username"], creds["password"]),
        headers={"SOAPAction": "login", "Content-Type": "text/xml"},
    )
    assert good.status_code == 200 and "<sessionId>" in good.text
    assert f"<serverUrl>{creds['base_url']}/services/Soap/u/59.0/" in good.text
    bad = admin.post("/services/Soap/u/59.0", content=envelope.format(creds["username"], "nope"))
    assert bad.status_code == 500 and "<sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>" in bad.text


def test_sessions_expire_by_ttl_fault_and_revoke(admin: httpx.Client, creds: dict[str, str]) -> None:
    admin.post("/_sandbox/config", json={"session_ttl": 60}).raise_for_status()
    with bearer(admin, client_credentials(admin, creds)["access_token"]) as client:
        ok(query(client, "SELECT COUNT() FROM User"))
        admin.post("/_sandbox/clock", json={"advance_s": 30}).raise_for_status()
        ok(query(client, "SELECT COUNT() FROM User"))  # use extends the session
        admin.post("/_sandbox/clock", json={"advance_s": 61}).raise_for_status()
        expired = query(client, "SELECT COUNT() FROM User")
        assert error_code(expired, 401) == "INVALID_SESSION_ID"
        assert expired.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    with bearer(admin, client_credentials(admin, creds)["access_token"]) as client:
        assert admin.post("/_sandbox/faults", json={"kind": "expire_tokens"}).json()["expired"] >= 1
        assert error_code(client.get(f"{API}/limits"), 401) == "INVALID_SESSION_ID"
    fresh = client_credentials(admin, creds)["access_token"]
    assert admin.post("/services/oauth2/revoke", data={"token": fresh}).status_code == 200
    with bearer(admin, fresh) as client:
        assert error_code(client.get(f"{API}/limits"), 401) == "INVALID_SESSION_ID"
    assert error_code(admin.get(f"{API}/limits"), 401) == "INVALID_SESSION_ID"  # no Authorization header


def test_api_quota_header_and_exhaustion(api: httpx.Client, admin: httpx.Client) -> None:
    admin.delete("/_sandbox/usage").raise_for_status()
    first = query(api, "SELECT COUNT() FROM Account")
    assert first.headers["sforce-limit-info"] == "api-usage=1/100000"
    assert api.get(f"{API}/sobjects/Account/describe").headers["sforce-limit-info"] == "api-usage=2/100000"
    assert "sforce-limit-info" not in api.get("/services/data").headers
    admin.post("/_sandbox/config", json={"daily_api_limit": 5, "api_usage": 4}).raise_for_status()
    assert query(api, "SELECT COUNT() FROM Account").headers["sforce-limit-info"] == "api-usage=5/5"
    refused = api.get(f"{API}/limits")
    assert error_code(refused, 403) == "REQUEST_LIMIT_EXCEEDED"
    assert refused.json()[0]["message"] == "TotalRequests Limit exceeded."
    assert refused.headers["sforce-limit-info"] == "api-usage=5/5"
    assert ok(admin.get("/_sandbox/usage")) == {"used": 5, "limit": 5, "remaining": 0}
    admin.delete("/_sandbox/usage").raise_for_status()
    assert ok(api.get(f"{API}/limits"))["DailyApiRequests"] == {"Max": 5, "Remaining": 4}


def test_faults(api: httpx.Client, admin: httpx.Client) -> None:
    admin.post(
        "/_sandbox/faults", json={"kind": "status", "status": 503, "path_prefix": f"{API}/query"}
    ).raise_for_status()
    assert error_code(query(api, "SELECT COUNT() FROM Lead"), 503) == "SERVER_UNAVAILABLE"
    assert ok(query(api, "SELECT COUNT() FROM Lead"))["totalSize"] > 0
    admin.post("/_sandbox/faults", json={"kind": "rate_limit", "retry_after": 3}).raise_for_status()
    limited = api.get(f"{API}/limits")  # the concurrent request limit: same code, quota not spent
    assert error_code(limited, 403) == "REQUEST_LIMIT_EXCEEDED" and "retry-after" not in limited.headers
    assert limited.json()[0]["message"] == "ConcurrentRequests (Concurrent API Requests) Limit exceeded."
    used, limit = map(int, limited.headers["sforce-limit-info"].removeprefix("api-usage=").split("/"))
    assert used < limit
    admin.post("/_sandbox/faults", json={"kind": "drop", "method": "GET"}).raise_for_status()
    with pytest.raises(httpx.RemoteProtocolError):
        api.get(f"{API}/limits")
    admin.post("/_sandbox/faults", json={"kind": "slow", "delay_s": 0.2}).raise_for_status()
    assert ok(api.get(f"{API}/limits"))
    assert error_code(admin.post("/_sandbox/faults", json={"kind": "nope"}), 400) == "INVALID_INPUT"
    stats = ok(admin.get("/_sandbox/stats"))
    assert any(r["path"] == "/services/data/v{version}/query" and r["status"] == 503 for r in stats["requests"])


def test_admin_requires_header(api: httpx.Client) -> None:
    assert error_code(api.get("/_sandbox/config"), 401) == "INVALID_SESSION_ID"
