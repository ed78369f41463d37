"""Inbound webhooks: one receiving path, a durable inbox, and the workers that apply it.

``POST /webhooks/{connector_id}`` verifies the delivery with the connector's verifier, commits the
raw request and its events to the inbox, and only then answers 202. Workers claim due events,
fetch the records they name (or take the records they carry) and apply them through the same
ledger write path as a sync page.
"""
