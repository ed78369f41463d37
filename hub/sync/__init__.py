"""The sync engine: page-per-transaction runs with resumable positions and stream leases."""

from hub.sync.lease import StreamBusy, StreamPaused
from hub.sync.runner import RunResult, SyncRunner

__all__ = ["RunResult", "StreamBusy", "StreamPaused", "SyncRunner"]
