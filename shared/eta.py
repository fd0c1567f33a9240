"""An estimate of the time left, from the work done so far and the time it took (deterministic: the caller gives
both instants, so an orchestrator can use its replay-safe clock)."""
from __future__ import annotations

from datetime import datetime, timedelta


def eta(started: datetime, now: datetime, done: float, total: float) -> str | None:
    """When the rest will be done, as an ISO instant, at the pace so far; None before any work is done."""
    if done <= 0 or total <= done:
        return None
    left = (now - started).total_seconds() / done * (total - done)
    return (now + timedelta(seconds=left)).isoformat()
