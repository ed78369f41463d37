"""Identity resolution: standardise, block, compare, decide, cluster and survive source records.

``hub.identity.standardize`` turns raw values (domains, emails, names, countries, phones) into the
forms the matcher compares; values are transformed for matching only, the ledger keeps what the
source sent. This package ``__init__`` imports nothing, so importing a submodule stays cheap.
"""
