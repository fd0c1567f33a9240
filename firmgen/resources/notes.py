"""Matter and contact notes, plain or rich text, some very long."""
from __future__ import annotations

from collections.abc import Iterator

from firmgen.firm import Firm, Record
from firmgen.text import body
from firmgen.vocabulary import NOTE_SUBJECTS


def generate(firm: Firm) -> Iterator[Record]:
    layout = firm.layout
    for n, draw, record, created in firm.records("notes"):
        rich = n % 3 == 1
        on_matter = n % 2 == 0
        record.update({
            "type": "Matter" if on_matter else "Contact",
            "subject": "" if firm.odd("notes", n, "blank_subject") else draw.pick(NOTE_SUBJECTS),
            "detail": body(firm.pools, draw, rich, long=n % 11 == 5),
            "detail_text_type": "rich_text" if rich else "plain_text",
            "date": firm.clock.day(created),
            "time_entries_count": 0,
            "author": firm.ref("users", layout.user(n)),
        })
        if on_matter:
            record["matter"] = firm.ref("matters", layout.matter_for("notes", n, n * 3))
        else:
            record["contact"] = firm.ref("contacts", layout.contact_for("notes", n, n * 7))
        yield record
