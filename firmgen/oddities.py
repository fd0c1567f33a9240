"""Malformed-but-plausible records a real export contains, as data. Generators ask `Firm.odd(...)` whether the
record they are building is one of them; the list is written to `_firm.oddities` for downstream validation tests."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from firmgen.layout import Layout


@dataclass(frozen=True)
class Oddity:
    resource: str
    kind: str
    what: str
    locate: Callable[[Layout], int]


def _first_unbilled_time_entry(layout: Layout) -> int:
    index = layout.billed_activities
    while index % 5 == 4:  # every fifth activity is an expense
        index += 1
    return index


ODDITIES: tuple[Oddity, ...] = (
    Oddity("contacts", "invalid_email", "primary email address is not a valid address (double @)", lambda _: 3),
    Oddity("contacts", "junk_phone", "phone number holds text instead of digits", lambda _: 6),
    Oddity("matters", "long_description", "description longer than 255 characters", lambda _: 2),
    Oddity("activities", "zero_quantity", "time entry with quantity 0 (and total 0)", _first_unbilled_time_entry),
    Oddity("calendar_entries", "ends_before_start", "end_at is before start_at", lambda _: 2),
    Oddity("notes", "blank_subject", "note subject is an empty string", lambda _: 1),
    Oddity("users", "email_without_domain", "user email has no domain part", lambda layout: layout.profile.users - 1),
)
