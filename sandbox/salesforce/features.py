"""Org features that decide which objects and fields exist: an org without them lacks them.

* ``multicurrency``: ``CurrencyIsoCode`` on every object (the org's currencies are picked per record).
* ``partner``: partner relationship management with channel programs: ``Account.IsPartner``,
  ``Account.ChannelProgramName``/``ChannelProgramLevelName``, ``PartnerAccountId`` on Opportunity
  and Lead, and the ``ChannelProgram``, ``ChannelProgramLevel`` and ``ChannelProgramMember`` objects.

Without a feature its objects and fields are absent from ``describeGlobal`` and ``describe``, and
every way of naming them fails as Salesforce fails it: SOQL with 400 ``INVALID_FIELD`` ("No such
column 'CurrencyIsoCode' on entity 'Account'...") or ``INVALID_TYPE`` ("sObject type
'ChannelProgramMember' is not supported..."), REST writes with ``INVALID_FIELD``, sObject URLs with
404 ``NOT_FOUND``. The data keeps the values (the generated world has them all), so switching a
feature back on (``POST /_sandbox/config {"features": {...}}``) shows them again.
"""

from __future__ import annotations

from collections.abc import Mapping

FEATURES = ("multicurrency", "partner")

_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "multicurrency": {name: ("CurrencyIsoCode",) for name in ("Account", "Opportunity", "Lead")},
    "partner": {
        "Account": ("IsPartner", "ChannelProgramName", "ChannelProgramLevelName"),
        "Opportunity": ("PartnerAccountId",),
        "Lead": ("PartnerAccountId",),
    },
}
_OBJECTS: dict[str, tuple[str, ...]] = {
    "multicurrency": (),
    "partner": ("ChannelProgram", "ChannelProgramLevel", "ChannelProgramMember"),
}


def absent(features: Mapping[str, bool]) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """``(objects, fields by object)`` an org with these ``features`` (missing = enabled) lacks."""
    objects: set[str] = set()
    fields: dict[str, set[str]] = {}
    for feature in FEATURES:
        if features.get(feature, True):
            continue
        objects.update(_OBJECTS[feature])
        for sobject, names in _FIELDS[feature].items():
            fields.setdefault(sobject, set()).update(names)
    return frozenset(objects), {name: frozenset(values) for name, values in fields.items()}
