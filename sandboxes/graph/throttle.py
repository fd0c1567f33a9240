"""SharePoint's resource-unit budget per app (GRAPH throttling): 1 unit per read, 2 per write or upload, over a
sliding window; beyond it 429 `activityLimitReached` with Retry-After. Throttled requests still count, so the
Retry-After given is the time after which a retry of the same cost fits."""
from __future__ import annotations

import math
import threading
from collections import deque

from sandboxes.clio.clock import SandboxClock
from sandboxes.graph.errors import throttled

READ_UNITS = 1
WRITE_UNITS = 2


def units_for(method: str) -> int:
    return READ_UNITS if method in ("GET", "HEAD") else WRITE_UNITS


class ResourceUnitBudget:
    def __init__(self, limit: int, window_seconds: float, clock: SandboxClock) -> None:
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._spent: dict[str, deque[tuple[float, int]]] = {}
        self.throttled = 0

    def charge(self, app: str, units: int) -> None:
        """Spends `units` of the app's budget, or raises the 429."""
        with self._lock:
            now = self._clock.now()
            spent = self._spent.setdefault(app, deque())
            while spent and spent[0][0] <= now - self.window:
                spent.popleft()
            used = sum(amount for _, amount in spent)
            spent.append((now, units))
            if used + units <= self.limit:
                return
            self.throttled += 1
            excess = used + 2 * units - self.limit
            freed = 0
            for at, amount in spent:
                freed += amount
                if freed >= excess:
                    raise throttled(max(1, math.ceil(at + self.window - now)))
            raise throttled(math.ceil(self.window))

    def used(self, app: str) -> int:
        with self._lock:
            now = self._clock.now()
            return sum(amount for at, amount in self._spent.get(app, ()) if at > now - self.window)
