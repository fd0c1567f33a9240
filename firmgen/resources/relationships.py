"""Contacts related to matters in some role (opposing counsel, witness, ...)."""
from __future__ import annotations

from collections.abc import Iterator

from firmgen.firm import Firm, Record
from firmgen.vocabulary import RELATIONSHIP_DESCRIPTIONS


def generate(firm: Firm) -> Iterator[Record]:
    layout = firm.layout
    for r, draw, record, _ in firm.records("relationships"):
        record.update({
            "description": RELATIONSHIP_DESCRIPTIONS[r % len(RELATIONSHIP_DESCRIPTIONS)],
            "matter": firm.ref("matters", layout.matter_for("relationships", r, r)),
            "contact": firm.ref("contacts", layout.non_client(r * 3)),
        })
        yield record
