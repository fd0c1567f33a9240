"""Timestamps: records are created in id order over the years before the export moment, updated some time later."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from firmgen.draw import Draw

# The export moment is fixed (not "now") so the same seed gives a byte-identical file.
AS_OF = datetime(2026, 4, 8, 17, 0, 0, tzinfo=timezone.utc)
HISTORY = timedelta(days=4 * 365)
# fixed offsets (the firm file is a snapshot, so no DST switching) with the zone name Clio would report
FIRM_ZONES = (
    (timezone(timedelta(hours=-7)), "America/Los_Angeles"),
    (timezone(timedelta(hours=-5)), "America/New_York"),
    (timezone(timedelta(hours=1)), "Europe/Paris"),
)


class Clock:
    def __init__(self, seed: int) -> None:
        self.zone, self.zone_name = FIRM_ZONES[seed % len(FIRM_ZONES)]
        self.as_of = AS_OF.astimezone(self.zone)
        self.start = self.as_of - HISTORY

    def created(self, index: int, count: int, draw: Draw) -> datetime:
        """Spread over the history, increasing with index like real auto-increment ids."""
        position = (index + draw.fraction()) / max(count, 1)
        return (self.start + HISTORY * position * 0.98).replace(microsecond=0)

    def updated(self, created: datetime, draw: Draw) -> datetime:
        if draw.chance(0.3):
            return created
        return (created + (self.as_of - created) * draw.fraction()).replace(microsecond=0)

    @staticmethod
    def stamp(moment: datetime) -> str:
        return moment.isoformat(timespec="seconds")

    @staticmethod
    def day(moment: datetime | date) -> str:
        return moment.strftime("%Y-%m-%d")
