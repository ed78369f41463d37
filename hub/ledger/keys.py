"""Source keys and canonical ids.

A source record is named by (instance, object, external id); the instance is the connector id, so
two HubSpot portals never collide. A canonical id is minted the first time a source key is seen, as
a UUIDv5 of that key: minting is deterministic, so a replay, a retried page, or two workers racing
on the same new record all arrive at the same id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

_NAMESPACE = uuid.UUID("5b0c1e1e-8a55-4c2f-9d1e-2f7c8e6a4b10")


@dataclass(frozen=True, order=True)
class SourceKey:
    instance: str
    object: str
    external_id: str

    def __str__(self) -> str:
        return f"{self.instance}/{self.object}/{self.external_id}"


def mint_canonical_id(key: SourceKey) -> str:
    return str(uuid.uuid5(_NAMESPACE, str(key)))
