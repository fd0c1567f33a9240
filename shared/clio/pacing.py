"""Spend a token's whole request budget without tripping 429 (clio.md §3).

Clio counts requests per access token in fixed 60-second windows and reports X-RateLimit-Limit, -Remaining and
-Reset (unix time the window ends) on every response. Nothing here is hard-coded: a request goes out only while
the last reported Remaining, less the requests still in flight, is above zero; otherwise it waits for Reset. A 429
blocks the token until Retry-After has passed.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Mapping

_CLOCK_MARGIN_SECONDS = 0.05


@dataclass
class _Window:
    limit: int | None = None
    remaining: int | None = None
    reset_at: float = 0.0
    in_flight: int = 0
    blocked_until: float = 0.0


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


class RateLimitPacer:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._cond = threading.Condition()
        self._windows: dict[str, _Window] = {}
        self.requests = 0
        self.throttled = 0
        self.waited_seconds = 0.0

    def acquire(self, token: str) -> None:
        with self._cond:
            window = self._windows.setdefault(token, _Window())
            while True:
                now = self._clock()
                if window.blocked_until > now:
                    self._wait(window.blocked_until - now)
                    continue
                if window.reset_at and now >= window.reset_at + _CLOCK_MARGIN_SECONDS:
                    window.remaining = window.limit  # a new window: the whole limit again
                    window.reset_at = 0.0
                if window.remaining is None:
                    if window.in_flight == 0:  # first request on this token: learn the limit from its answer
                        break
                    self._wait(1.0)
                    continue
                if window.remaining - window.in_flight > 0:
                    break
                self._wait(max(window.reset_at + _CLOCK_MARGIN_SECONDS - now, 0.01) if window.reset_at else 1.0)
            window.in_flight += 1
            self.requests += 1

    def release(self, token: str, status: int | None, headers: Mapping[str, str]) -> None:
        with self._cond:
            window = self._windows.setdefault(token, _Window())
            window.in_flight = max(0, window.in_flight - 1)
            limit = _header_int(headers, "X-RateLimit-Limit")
            remaining = _header_int(headers, "X-RateLimit-Remaining")
            reset = _header_int(headers, "X-RateLimit-Reset")
            if limit is not None:
                window.limit = limit
            if remaining is not None and reset is not None:
                if reset > window.reset_at or window.remaining is None:
                    window.reset_at, window.remaining = float(reset), remaining
                elif reset == window.reset_at:  # answers arrive out of order: the lowest count is the latest
                    window.remaining = min(window.remaining, remaining)
            if status == 429:
                self.throttled += 1
                retry_after = _header_int(headers, "Retry-After") or _header_int(headers, "Retry-At")
                wait = float(retry_after) if retry_after is not None else max(window.reset_at - self._clock(), 1.0)
                window.blocked_until = max(window.blocked_until, self._clock() + wait)
                window.remaining = 0
            self._cond.notify_all()

    def _wait(self, seconds: float) -> None:
        started = time.monotonic()
        self._cond.wait(timeout=seconds)
        self.waited_seconds += time.monotonic() - started
