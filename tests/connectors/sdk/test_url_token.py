"""``UrlToken``: the one ``?token=`` verifier (PartnerStack, Salesforce Outbound Messages, Moodle)."""

from __future__ import annotations

import pytest

from connectors.sdk import InboundRequest, SignatureError, UrlToken

HOOK = "https://hub.example/webhooks/conn"
NEW, OLD = "new-token-0123456789", "old-token-9876543210"


def _request(query: str) -> InboundRequest:
    return InboundRequest("POST", f"{HOOK}{query}", {}, b"{}")


@pytest.mark.parametrize(
    ("query", "secrets", "fragment"),
    [
        pytest.param(f"?token={NEW}", [NEW], None, id="current"),
        pytest.param(f"?token={OLD}", [NEW, OLD], None, id="previous_during_rotation"),
        pytest.param(f"?a=1&token={NEW}", [NEW], None, id="among_other_params"),
        pytest.param(f"?token={OLD}", [NEW], "does not match", id="previous_after_rotation"),
        pytest.param(f"?token={NEW[:-1]}", [NEW], "does not match", id="prefix"),
        pytest.param(f"?token={NEW}x", [NEW], "does not match", id="longer"),
        pytest.param("", [NEW], "exactly one", id="missing"),
        pytest.param("?token=", [NEW], "exactly one", id="empty"),
        pytest.param(f"?token={NEW}&token={NEW}", [NEW], "exactly one", id="twice"),
        pytest.param(f"?token={NEW}", [], "no webhook token", id="none_configured"),
        pytest.param(f"?token={NEW}", ["", ""], "no webhook token", id="blank_secrets"),
    ],
)
def test_verify(query: str, secrets: list[str], fragment: str | None) -> None:
    if fragment is None:
        UrlToken().verify(_request(query), secrets)
    else:
        with pytest.raises(SignatureError, match=fragment):
            UrlToken().verify(_request(query), secrets)


def test_another_parameter_name() -> None:
    UrlToken("key").verify(_request(f"?key={NEW}"), [NEW])
    with pytest.raises(SignatureError):
        UrlToken("key").verify(_request(f"?token={NEW}"), [NEW])


def test_every_secret_is_compared(monkeypatch: pytest.MonkeyPatch) -> None:
    """No early exit: a match on the first secret still compares the second (timing says nothing)."""
    import connectors.sdk.webhooks as module

    compared: list[bytes] = []
    real = module.hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        compared.append(b)
        return real(a, b)

    monkeypatch.setattr(module.hmac, "compare_digest", counting)
    UrlToken().verify(_request(f"?token={NEW}"), [NEW, OLD])
    assert len(compared) == 2
