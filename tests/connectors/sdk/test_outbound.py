"""The outbound policy (SSRF guard): URL forms, addresses after resolution, each connection, redirects.

Real sockets on loopback; the resolver is the one thing replaced (``socket.getaddrinfo``), to play a
name that resolves inside and a DNS answer that changes between two connections (rebinding).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpcore
import httpx
import pytest

from connectors.sdk import DestinationRefused, OutboundPolicy, TransientError, public_message

STRICT = OutboundPolicy()
LOOPBACK = OutboundPolicy.parse("127.0.0.1,localhost,::1")

REFUSED_URLS = [
    pytest.param("https://169.254.169.254/latest/meta-data/", "link-local", id="metadata_ipv4"),
    pytest.param("http://169.254.169.254/", "link-local", id="metadata_http"),
    pytest.param("https://metadata.google.internal/computeMetadata/v1/", "internal host name", id="metadata_gcp"),
    pytest.param("https://[fd00:ec2::254]/", "private", id="metadata_aws_ipv6"),
    pytest.param("https://10.0.0.8/", "private", id="private_10"),
    pytest.param("https://172.16.5.4/", "private", id="private_172"),
    pytest.param("https://192.168.1.1/", "private", id="private_192"),
    pytest.param("https://100.64.0.1/", "shared", id="cgnat"),
    pytest.param("https://127.0.0.1:5432/", "loopback", id="loopback_service_port"),
    pytest.param("https://127.1/", "loopback", id="loopback_short"),
    pytest.param("https://[::1]:6379/", "loopback", id="loopback_ipv6"),
    pytest.param("https://0.0.0.0/", "unspecified", id="unspecified"),
    pytest.param("https://[::]/", "unspecified", id="unspecified_ipv6"),
    pytest.param("https://224.0.0.1/", "multicast", id="multicast"),
    pytest.param("https://240.0.0.1/", "reserved|private", id="reserved"),
    pytest.param("https://2852039166/", "link-local", id="decimal"),
    pytest.param("https://0xA9FEA9FE/", "link-local", id="hex"),
    pytest.param("https://0251.0376.0251.0376/", "link-local", id="octal"),
    pytest.param("https://[::ffff:169.254.169.254]/", "embedded in IPv6", id="ipv4_mapped"),
    pytest.param("https://[::ffff:7f00:1]/", "embedded in IPv6", id="ipv4_mapped_hex"),
    pytest.param("https://[64:ff9b::a9fe:a9fe]/", "embedded in IPv6", id="nat64"),
    pytest.param("https://localhost/", "internal host name", id="localhost"),
    pytest.param("https://db.localhost/", "internal host name", id="dot_localhost"),
    pytest.param("https://api.hubapi.com@169.254.169.254/", "user@host", id="userinfo"),
    pytest.param("https://user:pw@api.hubapi.com/", "user@host", id="userinfo_password"),
    pytest.param("https://api.hubapi.com/\r\nX-Injected: 1", "control characters", id="crlf"),
    pytest.param("https://api.hub api.com/", "whitespace", id="space"),
    pytest.param("https://api.hubapi.com\\@169.254.169.254/", "backslashes", id="backslash"),
    pytest.param("https:///crm", "no host", id="empty_host"),
    pytest.param("https://", "no host", id="nothing"),
    pytest.param("http://api.hubapi.com/", "use https", id="plain_http"),
    pytest.param("ftp://api.hubapi.com/", "only http and https", id="ftp"),
    pytest.param("file:///etc/passwd", "only http and https", id="file"),
    pytest.param("https://api.hubapi.com:99999/", "invalid port", id="bad_port"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED_URLS)
def test_every_internal_or_malformed_url_is_refused(url: str, reason: str) -> None:
    with pytest.raises(DestinationRefused, match=reason) as caught:
        STRICT.check_url(url, field="base_url")
    assert str(caught.value).startswith("base_url: ")


@pytest.mark.parametrize("url", ["https://api.hubapi.com", "https://login.salesforce.com/", "https://1.1.1.1/x"])
def test_public_https_urls_pass(url: str) -> None:
    assert STRICT.check_url(url) == url


def test_the_allow_list_lets_named_destinations_through_over_http() -> None:
    for url in ("http://127.0.0.1:8787/", "http://localhost:9000", "http://[::1]:80/", "https://127.0.0.1:5432/"):
        LOOPBACK.check_url(url)
    with pytest.raises(DestinationRefused, match="loopback"):
        LOOPBACK.check_url("http://127.0.0.2/")  # 127.0.0.1 names one address, not the /8
    ported = OutboundPolicy.parse("127.0.0.1:8787, 10.0.0.0/8")
    ported.check_url("http://127.0.0.1:8787/")
    ported.check_url("http://10.9.8.7/")
    with pytest.raises(DestinationRefused, match="loopback"):
        ported.check_url("http://127.0.0.1:8788/")


@pytest.mark.parametrize("entry", ["127.0.0.1:0", "host:port", "10.0.0.0/33", "[::1", "bad host!", "a:1:2:3:x"])
def test_a_malformed_allow_list_entry_is_an_error(entry: str) -> None:
    with pytest.raises(ValueError):
        OutboundPolicy.parse(entry)


# --- connections: resolution, pinning, rebinding, redirects ---------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", self.path.split("?to=", 1)[1])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = f"host={self.headers['Host']}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def _resolver(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> list[str]:
    """Resolve the names in ``answers`` to their next address (one per call); others as usual."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host in answers:
            asked.append(host)
            address = answers[host].pop(0) if len(answers[host]) > 1 else answers[host][0]
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return asked


def test_a_name_resolving_to_loopback_is_refused_at_connect_time(server: int, monkeypatch: pytest.MonkeyPatch) -> None:
    _resolver(monkeypatch, {"partner-api.example": ["127.0.0.1"]})
    with STRICT.client() as client, pytest.raises(DestinationRefused, match=r"resolves to 127\.0\.0\.1.*loopback"):
        client.get(f"https://partner-api.example:{server}/")


def test_an_ipv4_mapped_answer_is_refused(server: int, monkeypatch: pytest.MonkeyPatch) -> None:
    _resolver(monkeypatch, {"partner-api.example": ["::ffff:169.254.169.254"]})
    with STRICT.client() as client, pytest.raises(DestinationRefused, match="link-local"):
        client.get("https://partner-api.example/")


def test_the_allow_list_lets_the_resolved_address_through(server: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name resolving to an allowed address connects (to that address); plain http still needs
    the name itself in the allow-list, so this one is https."""
    _resolver(monkeypatch, {"partner-api.example": ["127.0.0.1"]})
    connected: list[tuple[str, int]] = []

    def connect_tcp(self: Any, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        connected.append((host, port))
        raise httpcore.ConnectError("stop here")

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", connect_tcp)
    with LOOPBACK.client() as client, pytest.raises(httpx.ConnectError):
        client.get(f"https://partner-api.example:{server}/")
    assert connected == [("127.0.0.1", server)]
    with LOOPBACK.client() as client, pytest.raises(DestinationRefused, match="use https"):
        client.get(f"http://partner-api.example:{server}/")


def test_an_allowed_name_goes_over_plain_http_with_its_host_header(server: int) -> None:
    with LOOPBACK.client() as client:
        assert client.get(f"http://localhost:{server}/").text == f"host=localhost:{server}"


def test_dns_rebinding_is_refused_on_the_next_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """The resolver answers a public address first and 127.0.0.1 second: the first connection goes
    to the checked public address itself (never the name again), the second is refused."""
    asked = _resolver(monkeypatch, {"rebind.example": ["93.184.216.34", "127.0.0.1"]})
    connected: list[str] = []

    def connect_tcp(self: Any, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        connected.append(host)
        raise httpcore.ConnectError("no route in the test")

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", connect_tcp)
    with STRICT.client() as client:
        with pytest.raises(httpx.ConnectError):
            client.get("https://rebind.example/")
        with pytest.raises(DestinationRefused, match=r"rebind\.example resolves to 127\.0\.0\.1"):
            client.get("https://rebind.example/")
    assert connected == ["93.184.216.34"]
    assert asked == ["rebind.example", "rebind.example"]


def test_a_redirect_to_an_internal_address_is_refused(server: int) -> None:
    policy = OutboundPolicy.parse(f"127.0.0.1:{server}")
    with policy.client(follow_redirects=True) as client:
        assert client.get(f"http://127.0.0.1:{server}/redirect?to=/ok").text.startswith("host=")
        for target in (
            "http://169.254.169.254/latest/meta-data/",
            f"http://127.0.0.1:{server + 1}/",
            "http://10.0.0.1/",
        ):
            with pytest.raises(DestinationRefused):
                client.get(f"http://127.0.0.1:{server}/redirect?to={target}")


def test_userinfo_is_refused_at_request_time_even_for_an_allowed_host(server: int) -> None:
    with LOOPBACK.client() as client, pytest.raises(DestinationRefused, match="user@host"):
        client.get(f"http://user:secret@127.0.0.1:{server}/")


def test_an_unresolvable_name_is_a_connect_error_not_a_refusal() -> None:
    with STRICT.client() as client, pytest.raises(httpx.ConnectError):
        client.get("https://no-such-host.invalid/")


# --- what an upstream's answer may leave in an error --------------------------------------------


def test_public_message_keeps_the_status_line_and_codes_never_the_body() -> None:
    body = '{"category": "VALIDATION_ERROR", "message": "MARKER-3f9a internal secret page"}'
    error = TransientError("upstream error HTTP 500 on GET /x: MARKER-3f9a", status=500, body=body, where="GET /x")
    text = public_message(error)
    assert text == "TransientError: HTTP 500 Internal Server Error on GET /x (VALIDATION_ERROR)"
    assert "MARKER" not in public_message(TransientError("x", status=502, body="<html>MARKER</html>"))
