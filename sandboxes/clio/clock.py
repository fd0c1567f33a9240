"""Wall clock the tests can move forward (token expiry, rate-limit windows, signed-URL expiry)."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone


class SandboxClock:
    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        return time.time() + self._offset

    def now_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), tz=timezone.utc)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds
