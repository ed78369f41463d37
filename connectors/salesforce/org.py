"""What this org has, from describe: which objects exist and which fields each object has.

Orgs differ by edition and enabled features, and Salesforce refuses a query that names anything the
org lacks (``INVALID_FIELD`` for a field, ``INVALID_TYPE`` for an object), failing the whole read.
``CurrencyIsoCode`` exists only where multi-currency is on; ``Account.IsPartner``,
``ChannelProgramName``/``ChannelProgramLevelName``, ``PartnerAccountId`` on Opportunity and Lead,
and the ``ChannelProgram``/``ChannelProgramLevel``/``ChannelProgramMember`` objects only with partner
relationship management (channel programs). So the reader asks first:

* ``GET /services/data/vXX.X/sobjects`` (describeGlobal): the object names;
* ``GET /services/data/vXX.X/sobjects/{Object}/describe``: the object's field names (and types, which
  turn Bulk API CSV text back into JSON values: bulk.py).

Both are loaded on first use and kept for the connector's life (one sync run or one webhook batch),
so a feature switched on later is seen by the next run. Names compare case-insensitively, as SOQL's.

https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_describeGlobal.htm
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from connectors.sdk import Requester, UpstreamError


class OrgSchema:
    """Object and field names of one org, from describe calls made on first use."""

    def __init__(self, requester: Requester, api_version: str) -> None:
        self._requester = requester
        self._base = f"/services/data/v{api_version}/sobjects"
        self._lock = threading.Lock()
        self._objects: frozenset[str] | None = None
        self._fields: dict[str, frozenset[str]] = {}
        self._types: dict[str, dict[str, str]] = {}

    def objects(self) -> frozenset[str]:
        """Lower-cased names of the org's objects."""
        with self._lock:
            if self._objects is None:
                document = self._requester.get_json(self._base)
                self._objects = frozenset(_names(document, "sobjects"))
            return self._objects

    def missing(self, sobjects: Iterable[str]) -> list[str]:
        """Those of ``sobjects`` the org does not have."""
        have = self.objects()
        return [name for name in sobjects if name.lower() not in have]

    def fields(self, sobject: str) -> frozenset[str]:
        """Lower-cased names of ``sobject``'s fields (the object must exist: see ``missing``)."""
        key = sobject.lower()
        with self._lock:
            if key not in self._fields:
                document = self._requester.get_json(f"{self._base}/{sobject}/describe")
                self._fields[key] = frozenset(_names(document, "fields"))
                self._types[key] = _types(document)
            return self._fields[key]

    def types(self, sobject: str) -> dict[str, str]:
        """Lower-cased field name → describe ``type`` (``boolean``, ``datetime``...) of ``sobject``."""
        self.fields(sobject)
        return self._types[sobject.lower()]

    def split(self, sobject: str, wanted: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """``(present, absent)``: ``wanted`` fields the object has and those it lacks, in order."""
        have = self.fields(sobject)
        present: list[str] = []
        absent: list[str] = []
        for name in wanted:
            (present if name.lower() in have else absent).append(name)
        return tuple(present), tuple(absent)


def _types(document: Any) -> dict[str, str]:
    items = document.get("fields") if isinstance(document, dict) else None
    return {
        str(item["name"]).lower(): str(item["type"])
        for item in items or []
        if isinstance(item, dict) and item.get("name") and isinstance(item.get("type"), str)
    }


def _names(document: Any, key: str) -> list[str]:
    items = document.get(key) if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise UpstreamError(f"describe answer has no {key!r} list")
    return [str(item["name"]).lower() for item in items if isinstance(item, dict) and item.get("name")]
