"""Token flows, instance_url rebasing and the refresh-once rule for expired sessions."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs

import httpx
import pytest
import respx
from pydantic import SecretStr

from connectors.sdk import AuthError, DestinationRefused

from .conftest import DATA, INSTANCE, LOGIN, make_connector, token_response

QUERY = f"{INSTANCE}{DATA}/query"
EMPTY = {"totalSize": 0, "done": True, "records": []}
EXPIRED = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def _form(request: httpx.Request) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(request.content.decode()).items()}


def test_client_credentials_token_then_calls_go_to_the_instance(router: respx.MockRouter) -> None:
    token = router.post(f"{LOGIN}/services/oauth2/token").mock(return_value=token_response())
    query = router.get(url__startswith=QUERY).mock(return_value=httpx.Response(200, json=EMPTY))
    connector = make_connector()
    connector.check()
    connector.check()
    assert token.call_count == 1  # the session is reused
    assert _form(token.calls[0].request) == {
        "grant_type": "client_credentials",
        "client_id": "3MVG9-consumer-key",
        "client_secret": "consumer-secret",
    }
    sent = query.calls[0].request
    assert sent.url.host == "acme.my.sf.test" and sent.url.port == 8443
    assert sent.headers["Host"] == "acme.my.sf.test:8443"
    assert sent.headers["Authorization"] == "Bearer 00Dxx!token-1"
    assert str(connector.session.instance_url) == INSTANCE


def test_basic_client_auth_and_refresh_token_grant(router: respx.MockRouter) -> None:
    token = router.post(f"{LOGIN}/services/oauth2/token").mock(return_value=token_response())
    router.get(url__startswith=QUERY).mock(return_value=httpx.Response(200, json=EMPTY))
    connector = make_connector(auth_type="refresh_token", refresh_token=SecretStr("5Aep-refresh"), client_auth="basic")
    connector.check()
    request = token.calls[0].request
    assert _form(request) == {"grant_type": "refresh_token", "refresh_token": "5Aep-refresh"}
    expected = base64.b64encode(b"3MVG9-consumer-key:consumer-secret").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"


def test_expired_session_refreshes_once_and_retries(router: respx.MockRouter) -> None:
    token = router.post(f"{LOGIN}/services/oauth2/token").mock(
        side_effect=[token_response("tok-1"), token_response("tok-2")]
    )
    query = router.get(url__startswith=QUERY).mock(
        side_effect=[httpx.Response(401, json=EXPIRED), httpx.Response(200, json=EMPTY)]
    )
    connector = make_connector()
    connector.check()
    assert token.call_count == 2 and query.call_count == 2
    assert [c.request.headers["Authorization"] for c in query.calls] == ["Bearer tok-1", "Bearer tok-2"]
    assert connector.session.refreshes == 2


def test_a_session_that_stays_invalid_fails_after_one_refresh(router: respx.MockRouter) -> None:
    token = router.post(f"{LOGIN}/services/oauth2/token").mock(return_value=token_response())
    query = router.get(url__startswith=QUERY).mock(return_value=httpx.Response(401, json=EXPIRED))
    with pytest.raises(AuthError, match="INVALID_SESSION_ID"):
        make_connector().check()
    assert token.call_count == 2 and query.call_count == 2


def test_other_401s_do_not_refresh(router: respx.MockRouter) -> None:
    token = router.post(f"{LOGIN}/services/oauth2/token").mock(return_value=token_response())
    router.get(url__startswith=QUERY).mock(
        return_value=httpx.Response(401, json=[{"message": "nope", "errorCode": "INVALID_AUTH_HEADER"}])
    )
    with pytest.raises(AuthError):
        make_connector().check()
    assert token.call_count == 1


@pytest.mark.parametrize(
    ("response", "message"),
    [
        pytest.param(
            httpx.Response(400, json={"error": "invalid_grant", "error_description": "authentication failure"}),
            "invalid_grant",
            id="invalid_grant",
        ),
        pytest.param(httpx.Response(200, json={"access_token": "t"}), "instance_url", id="no_instance_url"),
        pytest.param(httpx.Response(401, text="<html>denied</html>"), "HTTP 401", id="not_json"),
    ],
)
def test_token_failures_are_auth_errors(router: respx.MockRouter, response: httpx.Response, message: str) -> None:
    router.post(f"{LOGIN}/services/oauth2/token").mock(return_value=response)
    with pytest.raises(AuthError, match=message):
        make_connector().check()


def test_token_endpoint_outage_is_retried(router: respx.MockRouter) -> None:
    token = router.post(f"{LOGIN}/services/oauth2/token").mock(
        side_effect=[httpx.Response(503, text="maintenance"), token_response()]
    )
    router.get(url__startswith=QUERY).mock(return_value=httpx.Response(200, json=EMPTY))
    make_connector(max_retries=2).check()
    assert token.call_count == 2


def test_credentials_stay_out_of_reprs() -> None:
    connector = make_connector(outbound_message_token=SecretStr("om-token-value-0123456789"))
    shown = repr(connector.config) + repr(connector.session) + str(connector.config)
    assert "consumer-secret" not in shown and "om-token-value-0123456789" not in shown


@pytest.mark.parametrize(
    "instance",
    ["https://169.254.169.254", "http://acme.my.sf.test", "https://10.0.0.7:8443", "https://user@acme.my.sf.test"],
)
def test_an_instance_url_pointing_inside_is_refused(router: respx.MockRouter, instance: str) -> None:
    """The token endpoint decides the host of every later call: the outbound policy judges it too."""
    router.post(f"{LOGIN}/services/oauth2/token").mock(return_value=token_response(instance=instance))
    query = router.get(url__startswith=QUERY).mock(return_value=httpx.Response(200, json=EMPTY))
    with pytest.raises(DestinationRefused, match="instance_url"):
        make_connector().check()
    assert query.call_count == 0
