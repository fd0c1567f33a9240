"""Clio's peak hours (clio.md §3: US/CA 04:00–19:00 Pacific, EU 07:00–22:00 GMT, AU 06:00–21:00 AET, Mon–Fri),
when the rate limit is at its lowest. Document downloads can be held to the hours outside them so list extraction
keeps the peak budget. Pure functions of a UTC instant: the orchestrator calls them with its replay-safe clock."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, model_validator

_REGION_PEAKS = {"us": ("America/Los_Angeles", 4, 19), "ca": ("America/Los_Angeles", 4, 19),
                 "eu": ("Etc/GMT", 7, 22), "au": ("Australia/Sydney", 6, 21)}


class PeakHours(BaseModel):
    timezone: str
    start_hour: int = Field(ge=0, le=23)
    end_hour: int = Field(ge=1, le=24)
    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])  # Monday = 0

    @model_validator(mode="after")
    def _ordered(self) -> "PeakHours":
        if self.start_hour >= self.end_hour:
            raise ValueError("peak hours run from start to end within one day (start < end)")
        return self

    def is_peak(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.timezone))
        return local.weekday() in self.weekdays and self.start_hour <= local.hour < self.end_hour

    def next_off_peak(self, moment: datetime) -> datetime:
        """`moment` itself when it is off-peak, else when the current peak ends (UTC)."""
        if not self.is_peak(moment):
            return moment
        local = moment.astimezone(ZoneInfo(self.timezone))
        end = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(hours=self.end_hour)
        return end.astimezone(timezone.utc)

    def next_peak(self, moment: datetime) -> datetime:
        """When the next peak starts (UTC), looking up to two weeks ahead."""
        zone = ZoneInfo(self.timezone)
        local = moment.astimezone(zone)
        for days in range(15):
            day = (local + timedelta(days=days)).replace(hour=self.start_hour, minute=0, second=0, microsecond=0)
            if day.weekday() in self.weekdays and day > local:
                return day.astimezone(timezone.utc)
        return moment + timedelta(days=14)


def region_of(api_base_url: str) -> str:
    host = urlsplit(api_base_url).hostname or ""
    prefix = host.split(".", 1)[0]
    return prefix if prefix in _REGION_PEAKS else "us"


def peak_hours(api_base_url: str, override: str | None = None) -> PeakHours:
    """The region's documented peak, or an override like `04-19 America/Los_Angeles` (hours and IANA zone,
    Monday to Friday) or `08-18 Europe/London daily`."""
    if override:
        hours, zone, *days = override.split()
        start_hour, _, end_hour = hours.partition("-")
        ZoneInfo(zone)  # an unknown zone fails here, at planning, not in the orchestrator
        weekdays = list(range(7)) if days == ["daily"] else [0, 1, 2, 3, 4]
        return PeakHours(timezone=zone, start_hour=int(start_hour), end_hour=int(end_hour), weekdays=weekdays)
    zone, start, end = _REGION_PEAKS[region_of(api_base_url)]
    return PeakHours(timezone=zone, start_hour=start, end_hour=end)
