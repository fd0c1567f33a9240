"""Email and phone communications between a user and a matter's client."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from firmgen.firm import Firm, Record
from firmgen.vocabulary import COMMUNICATION_SUBJECTS

TYPES = ("EmailCommunication", "PhoneCommunication")


def generate(firm: Firm) -> Iterator[Record]:
    layout = firm.layout
    for k, draw, record, created in firm.records("communications"):
        kind = TYPES[k % len(TYPES)]
        matter = layout.matter_for("communications", k, k * 5)
        client = layout.client_of_matter(matter)
        user = firm.ref("users", layout.user(k), type="User")
        contact = firm.ref("contacts", client, type="Company" if layout.is_company(client) else "Person")
        inbound = k % 4 >= 2
        received = created - timedelta(minutes=draw.between(0, 600))
        record.update({
            "type": kind,
            "subject": draw.pick(COMMUNICATION_SUBJECTS),
            "body": firm.pools.paragraphs_text(draw, 1 + draw.below(3)) if kind == "EmailCommunication"
            else f"Call lasted {draw.between(1, 55)} min. {firm.pools.sentence(draw)}",
            "date": firm.clock.day(received),
            "received_at": firm.clock.stamp(received),
            "time_entries_count": 0,
            "user": firm.ref("users", layout.user(k)),
            "matter": firm.ref("matters", matter),
            "senders": [contact if inbound else user],
            "receivers": [user if inbound else contact],
        })
        yield record
