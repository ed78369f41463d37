"""Test helpers that ship with the hub, for connector authors (``hub.testing.conformance``)."""
