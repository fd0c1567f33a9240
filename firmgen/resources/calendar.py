"""Calendar entries (string ids): timed, all-day and recurring (RRULE) events, with contact attendees."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from firmgen.firm import Firm, Record
from firmgen.vocabulary import CALENDAR_SUMMARIES, RECURRENCE_RULES


def generate(firm: Firm) -> Iterator[Record]:
    layout, clock = firm.layout, firm.clock
    for e, draw, record, created in firm.records("calendar_entries"):
        owner = layout.user(e)
        start = (created + timedelta(days=draw.between(1, 45))).replace(minute=0, second=0)
        start = start.replace(hour=draw.between(8, 17))
        end = start + timedelta(minutes=30 * draw.between(1, 8))
        if firm.odd("calendar_entries", e, "ends_before_start"):
            end = start - timedelta(hours=1)
        all_day = e % 4 == 1
        if all_day:
            start = start.replace(hour=0)
            end = start + timedelta(days=1)
        record.update({
            "summary": draw.pick(CALENDAR_SUMMARIES),
            "description": firm.pools.sentence(draw) if draw.chance(0.6) else "",
            "location": draw.pick(("Courtroom 4B", "Office", "Zoom", "")),
            "start_at": clock.stamp(start),
            "end_at": clock.stamp(end),
            "start_date": clock.day(start),
            "end_date": clock.day(end),
            "start_time": start.strftime("%H:%M:%S"),
            "end_time": end.strftime("%H:%M:%S"),
            "all_day": all_day,
            "court_rule": False,
            "permission": "owner",
            "calendar_owner_id": layout.id_of("calendars", owner),
            "start_at_time_zone": clock.zone_name,
            "time_entries_count": 0,
            "attendees": [firm.ref("contacts", layout.client_of_matter(e), type="Contact")],
        })
        if e % 3 == 2:
            record["recurrence_rule"] = RECURRENCE_RULES[(e // 3) % len(RECURRENCE_RULES)]
        if e % 5 != 4:
            record["matter"] = firm.ref("matters", layout.matter_for("calendar_entries", e, e * 13))
        yield record
