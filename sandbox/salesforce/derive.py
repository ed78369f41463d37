"""Fields Salesforce computes itself: compound names and opportunity stage flags."""

from __future__ import annotations

from typing import Any

from sandbox.salesforce.objects import stage_info

NAMED = ("Contact", "Lead", "User")


def full_name(first: Any, last: Any) -> str | None:
    """``First Last`` (or just the non-empty part)."""
    parts = [str(p) for p in (first, last) if p]
    return " ".join(parts) or None


def derive(object_name: str, record: dict[str, Any], given: set[str], creating: bool) -> None:
    """Update derived fields of ``record`` after the fields named in ``given`` were set."""
    if object_name in NAMED and (creating or given & {"FirstName", "LastName"}):
        record["Name"] = full_name(record.get("FirstName"), record.get("LastName"))
    if object_name == "Opportunity" and (creating or "StageName" in given):
        info = stage_info(str(record.get("StageName") or ""))
        if info is not None:
            probability, forecast, closed, won = info
            record["IsClosed"], record["IsWon"] = closed, won
            if "Probability" not in given:
                record["Probability"] = probability
            if "ForecastCategoryName" not in given:
                record["ForecastCategoryName"] = forecast
