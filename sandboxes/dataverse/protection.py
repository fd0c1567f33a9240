"""Service protection limits per application user, 300 s sliding window (dataverse.md §4)."""
from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field

from sandboxes.clio.clock import SandboxClock
from sandboxes.dataverse.config import ServiceProtection
from sandboxes.dataverse.errors import DataverseError


@dataclass
class _Usage:
    entries: deque[tuple[float, float]] = field(default_factory=deque)  # (finished at, execution seconds)
    started: deque[float] = field(default_factory=deque)
    in_flight: int = 0


def _throttled(code: str, message: str, retry_after: float) -> DataverseError:
    # §4 (LIM): 429 + Retry-After (integer seconds) + the documented code/message.
    return DataverseError(429, code, message, {"Retry-After": str(max(1, math.ceil(retry_after)))})


class ServiceProtectionLimiter:
    def __init__(self, limits: ServiceProtection, clock: SandboxClock) -> None:
        self.limits = limits
        self._clock = clock
        self._usage: dict[str, _Usage] = {}
        self._lock = threading.Lock()

    def _trim(self, usage: _Usage, now: float) -> None:
        horizon = now - self.limits.window_seconds
        while usage.entries and usage.entries[0][0] <= horizon:
            usage.entries.popleft()
        while usage.started and usage.started[0] <= horizon:
            usage.started.popleft()

    def enter(self, user: str) -> None:
        """Admits one request or raises the 429; pair with `leave`."""
        limits = self.limits
        with self._lock:
            usage = self._usage.setdefault(user, _Usage())
            now = self._clock.now()
            self._trim(usage, now)
            if usage.in_flight >= limits.max_concurrent:
                raise _throttled("0x80072326", f"Number of concurrent requests exceeded the limit of "
                                               f"{limits.max_concurrent}.", 1)
            if len(usage.started) >= limits.max_requests:
                raise _throttled("0x80072322", f"Number of requests exceeded the limit of {limits.max_requests} "
                                               f"over time window of {limits.window_seconds:g} seconds.",
                                 usage.started[0] + limits.window_seconds - now)
            spent = sum(seconds for _, seconds in usage.entries)
            if spent > limits.max_execution_seconds:
                raise _throttled("0x80072321", "Combined execution time of incoming requests exceeded limit of "
                                               f"{int(limits.max_execution_seconds * 1000):,} milliseconds over time "
                                               f"window of {limits.window_seconds:g} seconds. Decrease number of "
                                               "concurrent requests or reduce the duration of requests and try "
                                               "again later.", usage.entries[0][0] + limits.window_seconds - now)
            usage.started.append(now)
            usage.in_flight += 1

    def leave(self, user: str, execution_seconds: float) -> None:
        with self._lock:
            usage = self._usage[user]
            usage.in_flight -= 1
            usage.entries.append((self._clock.now(), execution_seconds))

    def remaining(self, user: str) -> tuple[int, float]:
        """(requests, execution seconds) left in the window: the x-ms-ratelimit-* headers."""
        with self._lock:
            usage = self._usage.setdefault(user, _Usage())
            self._trim(usage, self._clock.now())
            spent = sum(seconds for _, seconds in usage.entries)
            return (self.limits.max_requests - len(usage.started), self.limits.max_execution_seconds - spent)
