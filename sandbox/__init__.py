"""Simulated partner-ecosystem systems (HubSpot today) for tests, demos and benchmarks.

Never imports ``hub`` or ``connectors``: simulators are written from the API references only.

Entry points: :class:`sandbox.server.SandboxServer` (background server for tests),
:func:`sandbox.server.serve` / ``python -m sandbox`` (foreground), :func:`sandbox.world.generate_world`.
"""
