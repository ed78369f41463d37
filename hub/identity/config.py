"""Matching configuration: the bands' thresholds and the blocking caps, per entity type.

Defaults live here; a YAML file (``HUB_MATCHING_FILE``) overrides any of them::

    organization: {auto: 0.97, review: 0.6}
    person: {auto: 0.97, review: 0.6}
    block_cap: 60
    max_candidates: 20

A pair whose match probability reaches ``auto`` merges (unless a strong key conflicts or a steward
said no); from ``review`` up it waits in the review queue; below it nothing is recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class Bands(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    auto: float = Field(default=0.95, gt=0, le=1)
    review: float = Field(default=0.5, gt=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if self.review > self.auto:
            raise ValueError("review threshold must not exceed the auto threshold")
        return self


class MatchConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    organization: Bands = Bands()
    person: Bands = Bands()
    opportunity: Bands = Bands(auto=1.0, review=0.8)  # scored opportunity links only ever go to review
    deal_registration: Bands = Bands(auto=1.0, review=0.8)
    # A blocking key shared by more records than this is too common to compare on (a name word like
    # "global"): it still counts for term frequencies, but pairs are only formed through rarer keys.
    block_cap: int = Field(default=60, ge=2, le=100_000)
    # Of the records sharing usable keys, each record is compared with at most this many: those that
    # share the most keys (rarer keys first). Bounds the cost per record, so matching stays linear.
    max_candidates: int = Field(default=20, ge=1, le=10_000)
    # Name tokens used for blocking per record: the rarest ones.
    block_tokens: int = Field(default=2, ge=1, le=8)

    def bands(self, entity_type: str) -> Bands:
        value = getattr(self, entity_type, None)
        return value if isinstance(value, Bands) else Bands(auto=1.0, review=1.0)


class MatchConfigError(ValueError):
    pass


def load_match_config(path: Path | None) -> MatchConfig:
    if path is None:
        return MatchConfig()
    try:
        doc: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise MatchConfigError(f"{path}: {exc}") from exc
    if not isinstance(doc, dict):
        raise MatchConfigError(f"{path}: the matching configuration must be a mapping")
    try:
        return MatchConfig.model_validate(doc)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise MatchConfigError(f"{path}: {problems}") from exc


_active = MatchConfig()


def active() -> MatchConfig:
    return _active


def set_active(config: MatchConfig) -> None:
    global _active
    _active = config
