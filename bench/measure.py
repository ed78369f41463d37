"""Measurements of the current process: wall time, CPU seconds, peak RSS, latency percentiles."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Sample:
    """Wall and CPU time of a block, plus the peak RSS seen while it ran (sampled every 20 ms)."""

    wall: float = 0.0
    cpu: float = 0.0
    peak_rss_mb: float = 0.0
    latencies: list[float] = field(default_factory=list)

    def p(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000

    def mean_ms(self) -> float:
        return statistics.fmean(self.latencies) * 1000 if self.latencies else 0.0


class Measured:
    def __init__(self) -> None:
        self.sample = Sample()
        self._stop = threading.Event()
        self._process = psutil.Process()

    def _watch(self) -> None:
        while not self._stop.wait(0.02):
            rss = self._process.memory_info().rss / 2**20
            self.sample.peak_rss_mb = max(self.sample.peak_rss_mb, rss)

    def __enter__(self) -> Measured:
        self._cpu0 = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
        self._t0 = time.perf_counter()
        self.sample.peak_rss_mb = self._process.memory_info().rss / 2**20
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.sample.wall = time.perf_counter() - self._t0
        self.sample.cpu = sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - self._cpu0
        self._stop.set()
        self._thread.join()


def wait_child(process: subprocess.Popen[bytes], timeout: float) -> tuple[int, resource.struct_rusage]:
    """Reap ``process`` with ``os.wait4`` (killed after ``timeout`` s): its exit status and its own
    rusage (CPU times and ``ru_maxrss``). Sets ``returncode``: Popen must not wait for it again."""
    deadline = time.perf_counter() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            _pid, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.02)
    process.returncode = os.waitstatus_to_exitcode(status)
    return status, usage


def revision() -> str | None:
    """The checkout's commit, ``+dirty`` when tracked files differ from it (figures belong to a tree)."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                              timeout=5, check=True).stdout.strip()  # fmt: skip
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=5, check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+dirty" if dirty else "")
