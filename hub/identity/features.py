"""Match profiles: the standardised values the matcher compares, and the blocking keys they give.

A profile is computed from a source record's canonical fields (what the ledger stores) and kept in
``match_profiles``; its blocking keys go to ``match_keys``. Standardisation is for matching only:
the ledger and the golden record keep the values as the source sent them.

Blocking key kinds (``kind:value``) per entity:

* organization: ``hub`` (hub id in an external-id slot), ``cloud`` (cloud account), ``duns``,
  ``domain`` (registrable, not free-mail), ``phone``, ``name`` (whole normalised name), ``tok``
  (each name word), ``pfx`` (first letters of the name, catches typos late in a name);
* person: ``hub``, ``email``, ``phone``, ``lf`` (last name + each first-name variant), ``last``
  (term frequencies only: never blocked on);
* opportunity, deal_registration: ``hub``, ``ext`` (an external-id round trip: another system's id
  carried in ``external_key``, or the record's own id).
"""

from __future__ import annotations

from typing import Any

from hub.identity import standardize as std

# Kinds used only for term frequencies, never to form candidate pairs.
TF_ONLY = frozenset({"last"})
# Kinds that form candidate pairs whatever their frequency (they are identifiers).
IDENTIFIERS = frozenset({"hub", "cloud", "duns", "email", "ext"})
MAX_KEY = 300


def _s(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def organization_profile(fields: dict[str, Any]) -> dict[str, Any]:
    name = std.normalize_org_name(_s(fields.get("name")) or _s(fields.get("legal_name")))
    domains: list[str] = []
    for value in [fields.get("primary_domain"), *(fields.get("other_domains") or [])]:
        domain = std.registrable_domain(_s(value))
        if domain and domain not in domains:
            domains.append(domain)
    country = _s(fields.get("country")) or std.normalize_country(_s(fields.get("country_raw")))
    phone = _s(fields.get("phone")) or std.normalize_phone(_s(fields.get("phone_raw")), country)
    city = std.normalize_person_name(_s(fields.get("city")))
    duns = _s(fields.get("duns"))
    return {
        "name": name,
        "tokens": std.name_tokens(name),
        "domains": [d for d in domains if not std.is_free_mail(d)],
        "free_domains": [d for d in domains if std.is_free_mail(d)],
        "country": country,
        "city": city,
        "phone": phone,
        "duns": duns if duns and len(duns) == 9 else None,
        "roles": sorted(str(r) for r in fields.get("roles") or []),
        "hub_id": _s(fields.get("hub_id")),
        "cloud": sorted(str(c) for c in fields.get("cloud_accounts") or []),
    }


def fold(name: str | None) -> str | None:
    """A normalised name with German transliterations folded (Jürgen, Juergen -> jurgen; ß -> s)."""
    if not name:
        return name
    return name.replace("ae", "a").replace("oe", "o").replace("ue", "u").replace("ss", "s")


def person_profile(fields: dict[str, Any]) -> dict[str, Any]:
    email = std.normalize_email(_s(fields.get("email")))
    domain = std.email_domain(email) if email else None
    plain_first = std.normalize_person_name(_s(fields.get("first_name")))
    first = fold(plain_first)
    last = fold(std.normalize_person_name(_s(fields.get("last_name"))))
    phone = _s(fields.get("phone")) or std.normalize_phone(_s(fields.get("phone_raw")))
    return {
        "email": email,
        "email_domain": domain if domain and not std.is_free_mail(domain) else None,
        "free_mail": bool(domain and std.is_free_mail(domain)),
        "first": first,
        "first_keys": sorted({fold(k) or k for k in std.first_name_keys(plain_first)}) if plain_first else [],
        "last": last,
        "phone": phone,
        "employer": _s(fields.get("organization_id")),  # a record id; compared through its cluster
        "company": std.normalize_org_name(_s(fields.get("company_name_raw"))),
        "hub_id": _s(fields.get("hub_id")),
    }


def deal_profile(fields: dict[str, Any], external_id: str) -> dict[str, Any]:
    return {
        "name": std.normalize_org_name(_s(fields.get("name"))),
        "hub_id": _s(fields.get("hub_id")),
        "external_key": _s(fields.get("external_key")),
        "self": external_id,
        "customer": _s(fields.get("customer_org_id")),
        "amount": str(fields.get("amount") or fields.get("est_amount") or "") or None,
        "close_date": _s(fields.get("close_date")) or _s(fields.get("est_close_date")),
    }


def profile(entity_type: str, fields: dict[str, Any], external_id: str = "") -> dict[str, Any] | None:
    """The match profile of a record, or None for entities that are not matched."""
    if entity_type == "organization":
        return organization_profile(fields)
    if entity_type == "person":
        return person_profile(fields)
    if entity_type in ("opportunity", "deal_registration"):
        return deal_profile(fields, external_id)
    return None


def blocking_keys(entity_type: str, p: dict[str, Any]) -> list[tuple[str, str]]:
    """The ``(kind, value)`` keys a profile is indexed under (deduplicated, bounded length)."""
    keys: list[tuple[str, str]] = []
    if p.get("hub_id"):
        keys.append(("hub", p["hub_id"]))
    if entity_type == "organization":
        keys += [("cloud", c) for c in p["cloud"]]
        if p["duns"]:
            keys.append(("duns", p["duns"]))
        keys += [("domain", d) for d in p["domains"]]
        if p["phone"]:
            keys.append(("phone", p["phone"]))
        if p["name"]:
            keys.append(("name", p["name"]))
            keys += [("tok", t) for t in p["tokens"] if len(t) > 1]
            compact = p["name"].replace(" ", "")
            if len(compact) >= 4:
                keys.append(("pfx", compact[:5]))
    elif entity_type == "person":
        if p["email"]:
            keys.append(("email", p["email"]))
        if p["phone"]:
            keys.append(("phone", p["phone"]))
        if p["last"]:
            keys.append(("last", p["last"]))
            keys += [("lf", f"{p['last']}|{k}") for k in p["first_keys"]]
    else:
        if p.get("external_key"):
            keys.append(("ext", p["external_key"]))
        if p.get("self"):
            keys.append(("ext", p["self"]))
    seen: set[tuple[str, str]] = set()
    out = []
    for kind, value in keys:
        key = (kind, value[:MAX_KEY])
        if key not in seen:
            seen.add(key)
            out.append(key)
    return out
