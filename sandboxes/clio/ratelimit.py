"""Per-access-token fixed 60-second windows (clio.md §3 [RL][RLH])."""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from sandboxes.clio.clock import SandboxClock


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_at: float

    def headers(self) -> dict[str, str]:
        # clio.md §3: on all responses, including errors.
        return {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining),
                "X-RateLimit-Reset": str(math.ceil(self.reset_at))}

    def retry_after(self, now: float) -> str:
        return str(max(1, math.ceil(self.reset_at - now)))


@dataclass
class RateCounters:
    served: int = 0
    throttled: int = 0


class RateLimiter:
    def __init__(self, limit: int, window_seconds: int, clock: SandboxClock) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()
        self.counters = RateCounters()

    def hit(self, key: str) -> RateDecision:
        """Counts one request for `key` (an access token) and says whether it may be served."""
        now = self._clock.now()
        with self._lock:
            start, used = self._windows.get(key, (now, 0))
            if now >= start + self.window_seconds:
                start, used = now, 0
            allowed = used < self.limit
            used = used + 1 if allowed else used
            self._windows[key] = (start, used)
            if allowed:
                self.counters.served += 1
            else:
                self.counters.throttled += 1
        return RateDecision(allowed, self.limit, self.limit - used, start + self.window_seconds)

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()
            self.counters = RateCounters()
