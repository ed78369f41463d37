"""Free-mail and disposable-address domains: an address there says nothing about the company.

PartnerStack partnerships and customers carry an email but no company domain; the connector derives
``email_domain`` from the address only when the domain is a company's own (shared/domain.md §4.2:
exclude free-mail domains from organization keys). The list holds the large consumer providers;
regional ones can be added here.
"""

from __future__ import annotations

FREE_MAIL_DOMAINS: frozenset[str] = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de", "yahoo.co.jp", "ymail.com",
    "rocketmail.com", "hotmail.com", "hotmail.co.uk", "hotmail.fr", "hotmail.de", "outlook.com", "outlook.fr",
    "live.com", "live.co.uk", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "proton.me",
    "protonmail.com", "pm.me", "gmx.com", "gmx.net", "gmx.de", "web.de", "t-online.de", "mail.com", "mail.ru",
    "yandex.com", "yandex.ru", "zoho.com", "zohomail.com", "fastmail.com", "hey.com", "tutanota.com",
    "qq.com", "163.com", "126.com", "sina.com", "naver.com", "hanmail.net", "orange.fr", "free.fr", "laposte.net",
    "libero.it", "virgilio.it", "btinternet.com", "comcast.net", "verizon.net", "att.net", "sbcglobal.net",
    "mailinator.com", "guerrillamail.com", "10minutemail.com", "yopmail.com",
})  # fmt: skip


def company_domain(email: object) -> str | None:
    """The lower-cased domain of ``email`` unless it is a free-mail domain (or not an address)."""
    if not isinstance(email, str):
        return None
    local, at, domain = email.strip().lower().rpartition("@")
    domain = domain.rstrip(".")
    if not (local and at and "." in domain) or domain in FREE_MAIL_DOMAINS:
        return None
    return domain
