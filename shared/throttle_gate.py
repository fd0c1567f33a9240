"""A pause every request of a worker honours: the Dataverse and Graph service-protection limits are per caller, so
one 429 with Retry-After holds back every sender, not only the one that got it."""
from __future__ import annotations

import threading
import time


class ThrottleGate:
    """Service protection is per user: one 429 pauses every request of this worker until Retry-After passes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paused_until = 0.0
        self.throttled = 0
        self.paused_seconds = 0.0

    def wait(self) -> None:
        while True:
            with self._lock:
                remaining = self._paused_until - time.monotonic()
            if remaining <= 0:
                return
            time.sleep(remaining)
            self.paused_seconds += remaining

    def pause(self, seconds: float) -> None:
        with self._lock:
            self.throttled += 1
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)
