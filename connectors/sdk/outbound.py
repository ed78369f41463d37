"""Where a connector may connect: the outbound policy that keeps configured URLs off internal hosts.

A connector's base URL comes from whoever configures it through the hub's API, and some addresses
come from upstream answers (Salesforce's ``instance_url``, a redirect). Without a guard that is a
server-side request forgery: cloud metadata (169.254.169.254), the hub's own database port, any
service on the private network. ``OutboundPolicy`` refuses them:

* **URLs** (``check_url``): http(s) only; no whitespace or control characters (CR/LF), no userinfo
  (``https://api.hubapi.com@169.254.169.254/``), no empty host; https unless the destination is in
  the allow-list; an IP literal in any spelling (``2852039166``, ``0xA9FEA9FE``,
  ``0251.0376.0251.0376``, ``[::ffff:169.254.169.254]``) is judged as the address it denotes.
* **Addresses** (``check_address``): loopback, private, link-local, unspecified, multicast, reserved,
  shared (100.64/10) and other non-global addresses are refused, IPv4 and IPv6, including IPv4
  embedded in IPv6 (mapped, 6to4, Teredo, NAT64).
* **Connections** (``GuardedTransport``): the name is resolved when a connection opens, every
  address it resolves to is checked, and the socket connects to the checked address itself (TLS
  still verifies the certificate against the name), so a DNS answer that changes between check and
  connect (rebinding) cannot slip through. Each redirect hop and each request the client sends is
  checked again.

The allow-list (the hub's ``HUB_OUTBOUND_ALLOW``) names destinations that are let through anyway:
host names, IP addresses or CIDR networks, each optionally with ``:port`` (``127.0.0.1``,
``localhost``, ``::1``, ``10.0.0.0/8``, ``sandbox:8080``, ``[::1]:9000``). An allowed name is trusted
with whatever it resolves to. See docs/adr/0017-outbound-policy.md.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpcore
import httpx
from pydantic import AfterValidator, ValidationInfo

from connectors.sdk.errors import DestinationRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: names that are internal whatever DNS says (the address check catches what they resolve to too)
_INTERNAL_NAMES = ("localhost", "metadata.google.internal", "metadata")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def literal_address(host: str) -> IPAddress | None:
    """The address an IP-literal host denotes, in any spelling a resolver accepts (``127.1``,
    ``2852039166``, ``0xA9FEA9FE``, octal parts, ``[v6]``); None for a name."""
    text = host.strip("[]")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if text and all(c in "0123456789abcdefABCDEFxX." for c in text):
        try:  # the C library's inet_aton: the forms getaddrinfo would resolve without DNS
            return ipaddress.IPv4Address(socket.inet_aton(text))
        except OSError:
            return None
    return None


def refusal(address: IPAddress) -> str | None:
    """Why ``address`` is internal ("loopback", "link-local", ...), or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            inner = refusal(embedded)
            return f"{inner}, embedded in IPv6" if inner else None
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local, where cloud metadata lives", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("shared (carrier-grade NAT)", isinstance(address, ipaddress.IPv4Address) and address in _SHARED),
        ("not globally routable", not address.is_global),
    )
    for reason, hit in checks:
        if hit:
            return reason
    return None


@dataclass(frozen=True)
class AllowRule:
    """One allow-list entry: a host name or an IP network, and optionally a port."""

    name: str | None = None
    network: IPNetwork | None = None
    port: int | None = None

    @classmethod
    def parse(cls, item: str) -> AllowRule:
        text = item.strip()
        port: int | None = None
        if "/" in text:
            return cls(network=ipaddress.ip_network(text, strict=False))
        if text.startswith("["):
            if "]" not in text:
                raise ValueError(f"cannot read {item!r}")
            host, _, rest = text[1:].partition("]")
            if rest:
                if not rest.startswith(":"):
                    raise ValueError(f"cannot read {item!r}")
                port = _port(rest[1:], item)
        elif text.count(":") == 1:
            host, _, number = text.partition(":")
            port = _port(number, item)
        else:
            host = text
        if not host:
            raise ValueError(f"{item!r} names no host")
        address = literal_address(host)
        if address is not None:
            return cls(network=ipaddress.ip_network(address), port=port)
        name = host.lower().rstrip(".")
        if not all(c.isalnum() or c in "-._" for c in name):
            raise ValueError(f"{item!r} is not a host name, address or network")
        return cls(name=name, port=port)

    def matches(self, host: str, address: IPAddress | None, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.name is not None:
            return host.lower().rstrip(".") == self.name
        return address is not None and self.network is not None and address in self.network

    def __str__(self) -> str:
        target = self.name or str(self.network)
        return target if self.port is None else f"{target}:{self.port}"


def _port(text: str, item: str) -> int:
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"{item!r} has no valid port")
    return int(text)


@dataclass(frozen=True)
class OutboundPolicy:
    """What connectors may connect to. The default refuses every internal destination."""

    allow: tuple[AllowRule, ...] = ()

    @classmethod
    def parse(cls, items: str | Iterable[str] | None) -> OutboundPolicy:
        """From ``HUB_OUTBOUND_ALLOW`` (comma-separated) or a list; raises ValueError on a bad entry."""
        if items is None:
            return cls()
        parts = items.split(",") if isinstance(items, str) else list(items)
        return cls(tuple(AllowRule.parse(p) for p in parts if p.strip()))

    def __str__(self) -> str:
        return ",".join(str(rule) for rule in self.allow)

    def allows(self, host: str, port: int, address: IPAddress | None = None) -> bool:
        """Whether the allow-list names this destination (by name, or by address)."""
        return any(rule.matches(host, address, port) for rule in self.allow)

    # --- URLs -----------------------------------------------------------------------------------

    def check_url(self, url: str, *, field: str = "url") -> str:
        """Refuse a URL the connector must not call (``DestinationRefused`` says why); return it."""
        scheme, host, port = url_parts(url, field=field)
        address = literal_address(host)
        allowed = self.allows(host, port, address)
        if not allowed:
            name = host.lower().rstrip(".")
            if name in _INTERNAL_NAMES or name.endswith(".localhost"):
                raise DestinationRefused(f"{field}: {host} is an internal host name{_HINT}")
            if address is not None:
                reason = refusal(address)
                if reason is not None:
                    raise DestinationRefused(f"{field}: {host} is an internal address ({reason}){_HINT}")
            if scheme != "https":
                raise DestinationRefused(
                    f"{field}: {scheme}:// is allowed only for destinations listed in HUB_OUTBOUND_ALLOW; use https"
                )
        return url

    # --- addresses ------------------------------------------------------------------------------

    def check_address(self, host: str, port: int, address: IPAddress) -> None:
        """Refuse connecting to ``address`` (which ``host`` resolved to) unless it is public or allowed."""
        if self.allows(host, port, address):
            return
        reason = refusal(address)
        if reason is not None:
            shown = host if literal_address(host) == address else f"{host} resolves to {address}, which"
            raise DestinationRefused(f"{shown} is an internal address ({reason}){_HINT}")

    def resolve(self, host: str, port: int) -> list[str]:
        """Resolve ``host`` and check every address it resolves to; the addresses to connect to.

        One refused address refuses the name: a resolver that mixes internal answers into public
        ones is not to be trusted with the choice."""
        try:
            infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses: list[str] = []
        for info in infos:
            text = str(info[4][0]).split("%")[0]
            self.check_address(host, port, ipaddress.ip_address(text))
            if text not in addresses:
                addresses.append(text)
        if not addresses:
            raise httpcore.ConnectError(f"cannot resolve {host}: no addresses")
        return addresses

    # --- clients --------------------------------------------------------------------------------

    def transport(self, *, verify: ssl.SSLContext | bool = True, **kwargs: Any) -> GuardedTransport:
        return GuardedTransport(self, verify=verify, **kwargs)

    def client(self, *, verify: ssl.SSLContext | bool = True, **kwargs: Any) -> httpx.Client:
        """An ``httpx.Client`` whose every connection goes through this policy (kwargs: the
        client's, e.g. ``base_url``, ``timeout``, ``headers``, ``auth``). Environment proxies are not
        used: a proxy resolves names where the policy cannot check them. Nothing is checked until a
        request is sent."""
        return httpx.Client(transport=self.transport(verify=verify), trust_env=False, **kwargs)


_HINT = "; refused (list it in HUB_OUTBOUND_ALLOW to allow it)"


def url_parts(url: str, *, field: str = "url") -> tuple[str, str, int]:
    """(scheme, host, port) of a well-formed http(s) URL; ``DestinationRefused`` for anything else:
    control characters or whitespace, userinfo, an empty host, a bad port."""
    if not isinstance(url, str) or not url:
        raise DestinationRefused(f"{field}: empty URL")
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url) or "\\" in url:
        raise DestinationRefused(f"{field}: whitespace, control characters (CR/LF) and backslashes are not allowed")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise DestinationRefused(f"{field}: only http and https URLs are allowed")
    if "@" in parts.netloc:
        raise DestinationRefused(f"{field}: user names or passwords in the URL (user@host) are not allowed")
    host = parts.hostname or ""
    if not host or host.strip(".") == "":
        raise DestinationRefused(f"{field}: the URL has no host")
    if "%" in host:
        raise DestinationRefused(f"{field}: zone ids and percent-encoding are not allowed in the host")
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        raise DestinationRefused(f"{field}: the URL has an invalid port") from None
    if literal_address(host) is None:  # a name: httpx must read the same host (parsers disagreeing is a trick)
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise DestinationRefused(f"{field}: not a valid URL ({exc})") from None
        if host.lower() not in (parsed.host, parsed.raw_host.decode("ascii").lower()):
            raise DestinationRefused(f"{field}: the URL's host is ambiguous")
    return scheme, host, port


class _GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, resolving and checking the host itself and connecting to the
    checked address (httpcore keeps the name for TLS SNI and certificate verification)."""

    def __init__(self, policy: OutboundPolicy) -> None:
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        error: Exception | None = None
        for address in self.policy.resolve(host, port):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error


class GuardedTransport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` with the policy applied to every request (URL) and every new
    connection (resolved addresses). No proxy: see ``OutboundPolicy.client``."""

    def __init__(
        self,
        policy: OutboundPolicy,
        *,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits = httpx.Limits(max_connections=100, max_keepalive_connections=20),
        http2: bool = False,
        retries: int = 0,
    ) -> None:
        # httpx.HTTPTransport offers no network-backend argument; this is its constructor's direct
        # (no proxy) branch with httpcore's documented ``network_backend`` added.
        self.policy = policy
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=http2,
            retries=retries,
            network_backend=_GuardedBackend(policy),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.policy.check_url(str(request.url), field="request URL")
        return super().handle_request(request)


#: the key of the policy in a pydantic validation context (``model_validate(..., context=...)``)
POLICY_CONTEXT_KEY = "outbound_policy"


def _validate_outbound_url(value: str, info: ValidationInfo) -> str:
    field = info.field_name or "url"
    policy = (info.context or {}).get(POLICY_CONTEXT_KEY)
    try:
        if isinstance(policy, OutboundPolicy):
            policy.check_url(value, field=field)
        else:  # no policy given (a config built in code): the form only; connections are checked anyway
            url_parts(value, field=field)
    except DestinationRefused as exc:
        raise ValueError(str(exc)) from None
    return value


#: a config field holding a URL the connector calls: checked against the policy in the validation
#: context (the hub passes its own), and by ``GuardedTransport`` again on every connection
OutboundUrl = Annotated[str, AfterValidator(_validate_outbound_url)]
