"""Tasks in every status and priority, assigned to users, on matters."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from firmgen.firm import Firm, Record
from firmgen.text import body
from firmgen.vocabulary import TASK_NAMES, TASK_PRIORITIES, TASK_STATUSES


def generate(firm: Firm) -> Iterator[Record]:
    layout = firm.layout
    for t, draw, record, created in firm.records("tasks"):
        status = TASK_STATUSES[t % len(TASK_STATUSES)]
        rich = t % 4 == 1
        record.update({
            "name": draw.pick(TASK_NAMES),
            "status": status,
            "description": body(firm.pools, draw, rich, long=False),
            "description_text_type": "rich_text" if rich else "plain_text",
            "priority": TASK_PRIORITIES[(t // len(TASK_STATUSES)) % len(TASK_PRIORITIES)],
            "due_at": firm.clock.day(created + timedelta(days=draw.between(-5, 60))),
            "notify_completion": draw.chance(0.3),
            "statute_of_limitations": t % 13 == 6,
            "time_estimated": 900 * draw.between(0, 16),
            "time_entries_count": 0,
            "assignee": firm.ref("users", layout.user(t * 3 + 1), type="User"),
            "assigner": firm.ref("users", layout.attorney(t)),
            "matter": firm.ref("matters", layout.matter_for("tasks", t, t * 11)),
        })
        if status == "complete":
            record["completed_at"] = record["updated_at"]
        yield record
