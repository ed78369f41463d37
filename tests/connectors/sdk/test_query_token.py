"""``QueryTokenAuth``: Moodle's ``wstoken`` added to every request, never shown."""

from __future__ import annotations

import httpx
import respx

from connectors.sdk import QueryTokenAuth

from .listing import BASE


@respx.mock
def test_the_token_is_set_on_every_request_replacing_any_given() -> None:
    route = respx.get(f"{BASE}/webservice/rest/server.php").mock(return_value=httpx.Response(200, json=[]))
    with httpx.Client(base_url=BASE, auth=QueryTokenAuth("s3cret-token")) as client:
        client.get("/webservice/rest/server.php", params={"wsfunction": "core_webservice_get_site_info"})
        client.get("/webservice/rest/server.php", params={"wstoken": "forged", "moodlewsrestformat": "json"})
    assert [dict(c.request.url.params) for c in route.calls] == [
        {"wsfunction": "core_webservice_get_site_info", "wstoken": "s3cret-token"},
        {"wstoken": "s3cret-token", "moodlewsrestformat": "json"},
    ]


def test_the_param_name_is_configurable_and_the_token_never_in_repr() -> None:
    auth = QueryTokenAuth("s3cret-token", param="token")
    request = next(auth.auth_flow(httpx.Request("GET", f"{BASE}/x?a=1")))
    assert request.url.params["token"] == "s3cret-token" and request.url.params["a"] == "1"
    assert "s3cret" not in repr(auth)
