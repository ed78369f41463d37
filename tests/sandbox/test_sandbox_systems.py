"""The registry: SandboxServer serves whatever table it is given, and adding a system is one row."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.server import SandboxServer
from sandbox.simulator import BuildContext, Endpoint, Simulator
from sandbox.systems import SYSTEMS


class _Echo:
    """A toy system's state: the organisations it projected, and its loop's lifecycle."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.events: list[str] = []


class EchoSimulator(Simulator[_Echo]):
    """A system defined outside the package tree, as a new package would define it."""

    name = "echo"
    api_path = "/v1"

    def build(self, context: BuildContext) -> _Echo:
        return _Echo([org.name for org in context.ecosystem.directory().orgs])

    def app(self, state: _Echo) -> Any:
        async def orgs(request: Request) -> JSONResponse:
            return JSONResponse({"names": state.names})

        return Starlette(routes=[Route("/v1/orgs", orgs)])

    def started(self, state: _Echo, endpoint: Endpoint) -> None:
        state.events.append(f"started {endpoint.base_url}")

    def stopping(self, state: _Echo) -> None:
        state.events.append("stopping")

    def credentials(self, state: _Echo, endpoint: Endpoint) -> dict[str, str]:
        return {"token": "echo-token"}


def test_the_table_lists_the_three_systems_in_port_order() -> None:
    assert [sim.name for sim in SYSTEMS] == ["hubspot", "partnerstack", "salesforce"]
    assert [sim.tls for sim in SYSTEMS] == [False, False, True]


def test_a_new_system_is_served_from_one_row() -> None:
    hubspot = SYSTEMS[0]
    server = SandboxServer(seed=3, size=200, systems=(hubspot, EchoSimulator()))
    echo = server.echo
    assert echo.names and set(echo.names) <= {o.name for o in server.ecosystem.directory().orgs}
    with server:
        assert set(server.base_urls) == {"hubspot", "echo"}
        assert server.base_urls["echo"] == server.root_urls["echo"] + "/v1"
        answer = httpx.get(server.base_urls["echo"] + "/orgs", timeout=10)
        assert answer.json() == {"names": echo.names}
        assert server.describe()["echo"]["token"] == "echo-token"
        assert echo.events == [f"started {server.root_urls['echo']}"]
        assert server.hubspot.config.private_app_tokens  # the others are untouched
    assert echo.events[-1] == "stopping"


def test_an_unknown_system_is_not_an_attribute() -> None:
    server = SandboxServer(seed=3, size=60, systems=SYSTEMS[:1])
    assert server.hubspot is server.states["hubspot"]
    try:
        server.salesforce  # noqa: B018
    except AttributeError as exc:
        assert "salesforce" in str(exc)
    else:
        raise AssertionError("salesforce is not served here")
