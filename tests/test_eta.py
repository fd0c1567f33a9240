"""The time-left estimate orchestrators put in their custom status."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from shared.eta import eta

START = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)


def test_eta_follows_the_pace_so_far() -> None:
    assert eta(START, START + timedelta(minutes=10), 25, 100) == (START + timedelta(minutes=40)).isoformat()
    assert eta(START, START + timedelta(minutes=10), 0, 100) is None
    assert eta(START, START + timedelta(minutes=10), 100, 100) is None
