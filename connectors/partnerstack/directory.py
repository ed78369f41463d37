"""Translating references: ``partner_key`` → partnership ``key``, customer ``key`` → ``partner_key``.

Customers, deals and rewards name their partner by ``partner_key``; transactions name only their
customer. The hub identifies partnerships by their ``key``, so the connector translates before it
hands records over. ``Directory`` caches what it learns for the connector's lifetime:

* partnerships: the first unknown ``partner_key`` loads the whole partnership list once (archived
  ones included); a key still unknown after that is looked up alone (``?partner_key=``), since a
  partner may have joined since. Every partnership the connector reads or receives is learned too.
* customers: one ``GET /customers/{key}`` per customer not seen before (transactions only).

Unknown answers are cached as well, so a dangling reference costs one call, not one per record.
``prepare`` does the network work for a page; the ``Lookup`` methods only read the cache, which is
what webhook parsing uses (no network call in the receiver).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from connectors.partnerstack.envelope import call, fetch
from connectors.partnerstack.records import key_of, wanted
from connectors.partnerstack.streams import SPEC
from connectors.sdk import Requester, RequestRejected, read_pages

# Bounds the customer cache of a long-lived connector (the webhook receiver keeps one per connector).
MAX_CACHED_CUSTOMERS = 200_000


class Directory:
    """A cache-backed ``Lookup`` (see ``records.Lookup``) that ``prepare`` fills from the API."""

    def __init__(self, requester: Requester) -> None:
        self.requester = requester
        self._partners: dict[str, str | None] = {}
        self._customers: dict[str, str | None] = {}
        self._loaded_all = False
        self.calls = 0

    # --- Lookup (cache only) ---------------------------------------------------------------------

    def partnership_key(self, partner_key: str) -> str | None:
        return self._partners.get(partner_key)

    def customer_partner_key(self, customer_key: str) -> str | None:
        return self._customers.get(customer_key)

    def knows(self, partner_keys: Iterable[str], customer_keys: Iterable[str]) -> bool:
        """True when every key has a cached answer (known or known to be unknown)."""
        return all(k in self._partners for k in partner_keys) and all(k in self._customers for k in customer_keys)

    def missing(self, object_name: str, record: dict[str, Any], *, via_customer: bool) -> bool:
        """True when normalising ``record`` from the cache alone could drop a partner link."""
        partners, customers = wanted(object_name, record, via_customer=via_customer)
        if not self.knows(partners, customers):
            return True
        later = {self._customers[c] for c in customers if self._customers.get(c)}
        return not self.knows({p for p in later if p}, ())

    # --- learning --------------------------------------------------------------------------------

    def learn(self, partnerships: Iterable[dict[str, Any]]) -> None:
        """Remember the ``partner_key`` → ``key`` of partnership records."""
        for record in partnerships:
            key, partner_key = key_of(record.get("key")), key_of(record.get("partner_key"))
            if key and partner_key:
                self._partners[partner_key] = key

    def prepare(self, object_name: str, records: Iterable[dict[str, Any]], *, via_customer: bool) -> None:
        """Fetch what the cache lacks to normalise ``records`` (customers first: they name partners)."""
        partners: set[str] = set()
        customers: set[str] = set()
        for record in records:
            wanted_partners, wanted_customers = wanted(object_name, record, via_customer=via_customer)
            partners |= wanted_partners
            customers |= wanted_customers
        for customer_key in sorted(customers - self._customers.keys()):
            self._customers[customer_key] = self._customer_partner_key(customer_key)
        partners |= {p for c in customers if (p := self._customers.get(c))}
        unknown = sorted(partners - self._partners.keys())
        if unknown and not self._loaded_all:
            self._load_all()
            unknown = [p for p in unknown if p not in self._partners]
        for partner_key in unknown:
            self._partners[partner_key] = self._find_partnership(partner_key)
        if len(self._customers) > MAX_CACHED_CUSTOMERS:
            self._customers.clear()

    def _load_all(self) -> None:
        # https://docs.partnerstack.com/reference (GET /partnerships, include_archived): the stream's
        # own spec, archived partnerships included, at the largest page size
        spec = SPEC.stream("partnerships")
        for page, _document in read_pages(self.requester, spec, fetch=fetch):
            self.calls += 1
            self.learn(page.records)
        self._loaded_all = True

    def _find_partnership(self, partner_key: str) -> str | None:
        params = {"partner_key": partner_key, "include_archived": "true", "limit": 250}
        self.calls += 1
        # https://docs.partnerstack.com/reference (GET /partnerships?partner_key=...)
        document = call(self.requester, "GET", "/partnerships", params=params)
        items = (document.get("data") or {}).get("items") or []
        # Only an exact match counts: an upstream that ignored the filter must not link a stranger.
        self.learn(item for item in items if isinstance(item, dict) and item.get("partner_key") == partner_key)
        return self._partners.get(partner_key)

    def _customer_partner_key(self, customer_key: str) -> str | None:
        self.calls += 1
        try:
            # https://docs.partnerstack.com/reference (GET /customers/{customer_key})
            document = call(self.requester, "GET", f"/customers/{quote(customer_key, safe='')}")
        except RequestRejected:
            return None  # gone or never existed: the transaction keeps its customer link only
        customer = document.get("data")
        return key_of(customer.get("partner_key")) if isinstance(customer, dict) else None
