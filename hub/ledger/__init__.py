"""The reconciliation ledger: append-only observations, xrefs, and golden-record projections.

Use ``write_page`` inside a transaction to apply a page of raw records; ``rebuild`` to recompute
every projection by replaying the ledger.
"""

from hub.ledger.keys import SourceKey, mint_canonical_id
from hub.ledger.writer import Origin, PageMapper, PageOutcome, content_hash, write_page

__all__ = ["Origin", "PageMapper", "PageOutcome", "SourceKey", "content_hash", "mint_canonical_id", "write_page"]
