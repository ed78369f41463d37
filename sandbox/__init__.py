"""Simulated partner-ecosystem systems (HubSpot, Salesforce, PartnerStack) for tests, demos and benchmarks.

Never imports ``hub`` or ``connectors``: simulators are written from the API references only.

Entry points: :class:`sandbox.server.SandboxServer` (background server for tests),
:func:`sandbox.server.serve` / ``python -m sandbox`` (foreground).  Layout: :mod:`sandbox.kit` (shared
plumbing), :mod:`sandbox.ecosystem` (the shared world and its ground truth), one package per system
exposing a :class:`sandbox.simulator.Simulator`, registered in :data:`sandbox.systems.SYSTEMS`.
"""
