"""Generates a large firm to a temporary file and prints records/s, file size and peak RSS.

A benchmark that prints figures (not a timed test): python bench/firmgen_memory.py [--size large] [--seed 1]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from firmgen.writer import write_firm  # noqa: E402


class PeakRss:
    """Samples this process's resident set size in a background thread."""

    def __init__(self, interval: float = 0.05) -> None:
        self._process = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.peak = self._process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._process.memory_info().rss)
            self._stop.wait(self._interval)

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="large")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    baseline = psutil.Process().memory_info().rss
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "firm.json")
        with PeakRss() as rss:
            started = time.perf_counter()
            records = write_firm(path, args.seed, args.size)
            elapsed = time.perf_counter() - started
        size = os.path.getsize(path)
    mib = 1024 * 1024
    print(f"size profile     : {args.size} (seed {args.seed})")
    print(f"records          : {records:,}")
    print(f"elapsed          : {elapsed:.1f} s")
    print(f"records/s        : {records / elapsed:,.0f}")
    print(f"file size        : {size / mib:,.1f} MiB ({size:,} bytes)")
    print(f"RSS before       : {baseline / mib:,.1f} MiB")
    print(f"peak RSS         : {rss.peak / mib:,.1f} MiB")


if __name__ == "__main__":
    main()
