"""Simulated Outbound Messages (reference B10): SOAP ``notifications`` POSTed on record changes.

Configure with ``PUT /_sandbox/salesforce/outbound``; every create/update of a configured object
queues a notification, and a background thread POSTs SOAP envelopes (≤100 notifications of one
object each) to the target until it answers ``<Ack>true</Ack>``.
"""

from sandbox.salesforce.outbound.envelope import build_envelope, parse_ack
from sandbox.salesforce.outbound.service import OutboundService
from sandbox.salesforce.outbound.settings import OutboundSettings

__all__ = ["OutboundService", "OutboundSettings", "build_envelope", "parse_ack"]
