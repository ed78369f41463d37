"""Query-token auth: the credential travels as a query parameter (Moodle ``?wstoken=``).

Moodle's web services take the user token as ``wstoken`` on every call of
``/webservice/rest/server.php`` (with ``wsfunction`` and ``moodlewsrestformat=json``, which are the
stream's params, not the credential's). The token is added to the request as it leaves, so it is not
part of any URL the connector builds, logs or stores as a resume position.
https://docs.moodle.org/dev/Creating_a_web_service_client#How_to_get_a_user_token
"""

from __future__ import annotations

from collections.abc import Generator

import httpx


class QueryTokenAuth(httpx.Auth):
    """Sets ``param=<token>`` on every request (replacing any value already there)."""

    def __init__(self, token: str, param: str = "wstoken") -> None:
        self._token = token
        self.param = param

    def __repr__(self) -> str:
        return f"QueryTokenAuth(param={self.param!r}, token=***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.url = request.url.copy_set_param(self.param, self._token)
        yield request
