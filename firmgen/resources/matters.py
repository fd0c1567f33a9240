"""Matters in every status and billing method, spread over practice areas, with stages and custom fields."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from firmgen.firm import Firm, Record
from firmgen.resources.contacts import identity_of
from firmgen.resources.custom_fields import values_for
from firmgen.vocabulary import BILLING_METHODS, MATTER_STAGES, MATTER_STATUSES, PRACTICE_AREAS

LOCATIONS = ("San Francisco Superior Court", "US District Court, N.D. Cal.", "Tribunal judiciaire de Paris", "")


def _description(firm: Firm, m: int, client: str, area: str) -> str:
    description = f"{client} - {area}"
    if firm.odd("matters", m, "long_description"):
        description += ": " + " ".join(firm.pools.paragraphs[:3])[:320]
    return description


def generate(firm: Firm) -> Iterator[Record]:
    layout, clock = firm.layout, firm.clock
    for m, draw, record, created in firm.records("matters"):
        client = layout.client_of_matter(m)
        client_identity = identity_of(firm, client)
        short = client_identity.get("last_name") or client_identity["name"].split(" ")[0]
        area = m % len(PRACTICE_AREAS)
        status = MATTER_STATUSES[m % len(MATTER_STATUSES)]
        method = BILLING_METHODS[(m // len(MATTER_STATUSES)) % len(BILLING_METHODS)]
        opened = created.date()
        stage = MATTER_STAGES[draw.below(len(MATTER_STAGES))]
        stage_record = firm.nested_stamp(created, draw, layout.id_of("matter_stages", area * 10 + m % 5))
        stage_record.update({"practice_area_id": str(layout.id_of("practice_areas", area)), "name": stage,
                             "order": MATTER_STAGES.index(stage) + 1})
        record.update({
            "number": m + 1,
            "display_number": f"{m + 1:05d}-{short}",
            "description": _description(firm, m, client_identity["name"], PRACTICE_AREAS[area][0]),
            "status": status,
            "location": draw.pick(LOCATIONS),
            "client_reference": f"REF-{draw.between(1000, 9999)}" if draw.chance(0.4) else "",
            "client_id": layout.id_of("contacts", client),
            "billable": method != "contingency" or draw.chance(0.5),
            "maildrop_address": f"{m + 1:05d}.{draw.hex(8)}@maildrop.clio.com",
            "billing_method": method,
            "open_date": clock.day(opened),
            "shared": draw.chance(0.3),
            "has_tasks": draw.chance(0.6),
            "last_activity_date": record["updated_at"][:10],
            "matter_stage_updated_at": record["updated_at"],
            "client": firm.ref("contacts", client),
            "practice_area": firm.ref("practice_areas", area),
            "responsible_attorney": firm.ref("users", layout.attorney(m)),
            "originating_attorney": firm.ref("users", layout.attorney(m + 1)),
            "responsible_staff": firm.ref("users", layout.user(m + 2)),
            "user": firm.ref("users", layout.attorney(m)),
            "folder": firm.ref("folders", layout.matter_folder(m, 0)),
            "matter_stage": stage_record,
            "custom_field_values": values_for(firm, "Matter", m, created, draw),
        })
        if status == "Pending":
            record["pending_date"] = clock.day(opened)
        if status == "Closed":
            closed = min(created + timedelta(days=draw.between(20, 600)), clock.as_of)
            record["close_date"] = clock.day(closed)
        if method == "contingency":
            contingency = firm.nested_stamp(created, draw, layout.id_of("matters", m))
            contingency["show_contingency_award"] = draw.chance(0.5)
            record["contingency_fee"] = contingency
        yield record
