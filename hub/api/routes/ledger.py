"""The ledger's integrity: ``GET /api/v1/ledger/verify`` recomputes the hash chain (ADR 19)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from hub.api.deps import Admin, HubDep
from hub.api.schemas import LedgerVerification, error_responses
from hub.ledger.chain import snapshot, verify

router = APIRouter(prefix="/api/v1", tags=["ledger"], dependencies=[Admin])


@router.get("/ledger/verify", response_model=LedgerVerification, responses=error_responses(401))
def verify_ledger(hub: HubDep) -> dict[str, Any]:
    """Recompute every entry's hash in id order against its content and its predecessor's hash, and
    the chain head; ``ok`` false names the first bad entry and why (edited, removed, inserted,
    reordered). It reads the whole ledger: an audit call, not a health check."""
    with snapshot(hub.reader).connect() as conn, conn.begin():
        return verify(conn).as_dict()
