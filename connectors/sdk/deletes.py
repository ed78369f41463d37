"""What a connector declares about deletes (ADR 22).

* ``StreamSpec.deletes_by_absence``: a full read of the stream lists every record the upstream
  holds, so a record a *complete* full read did not list is gone and the hub tombstones it.
* ``MERGED_IDS``: a raw record member naming the upstream ids merged into this record (HubSpot's
  ``hs_merged_object_ids``); the hub tombstones those records as "merged into" this one and
  re-points their cross-references to it.
* ``DeleteGuardConfig``: per-connector overrides of the hub's mass-delete guard, inherited by each
  connector's config model.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

MERGED_IDS = "merged_ids"


class DeleteGuardConfig(BaseModel):
    """Mass-delete guard overrides (None: the hub's ``HUB_MASS_DELETE_SHARE`` / ``HUB_MASS_DELETE_MIN``)."""

    mass_delete_share: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="A complete read that would tombstone more than this share of a stream's live records is "
        "held until an operator confirms it.",
    )
    mass_delete_min: int | None = Field(
        default=None, ge=0, le=1_000_000, description="Fewer tombstones than this are never held."
    )
