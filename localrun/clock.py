"""A clock that runs with real time and can jump ahead, so durable timers (retry back-offs, approval timeouts,
delta windows) fire at once when nothing else is moving, while every timestamp stays monotonic."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone


class VirtualClock:
    def __init__(self) -> None:
        self._offset = timedelta()
        self._last = datetime.min.replace(tzinfo=timezone.utc)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            moment = datetime.now(timezone.utc) + self._offset
            if moment <= self._last:  # strictly increasing, so episode timestamps order the history
                moment = self._last + timedelta(microseconds=1)
            self._last = moment
            return moment

    def advance_to(self, moment: datetime) -> None:
        with self._lock:
            gap = moment - (datetime.now(timezone.utc) + self._offset)
            if gap > timedelta():
                self._offset += gap
