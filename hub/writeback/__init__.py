"""Write-back: the agreed (golden) values pushed to the source records they were reconciled from.

* ``hub.writeback.outbox`` — the transactional outbox: the writes a golden-value decision implies,
  inserted in the decision's transaction (``hub.ledger.golden.refresh``);
* ``hub.writeback.dispatch`` — the dispatcher: claims rows, pushes them with idempotency keys,
  settles them (sent, unchanged, rejected, failed) in ``write_log``;
* ``hub.writeback.echo`` — echo suppression: the hub's own write coming back changes nothing;
* ``hub.writeback.run`` — the on-demand run (dry run, top-up, dispatch) and the result log.

See docs/adr/0020-transactional-outbox-and-echo-suppression.md.
"""

from __future__ import annotations

from typing import Any

__all__ = ["WritebackError", "WritebackReport", "results", "writeback"]


def __getattr__(name: str) -> Any:
    # lazy: the ledger's write path imports hub.writeback.echo, and hub.writeback.run is above it
    if name in __all__:
        from hub.writeback import run

        return getattr(run, name)
    raise AttributeError(name)
