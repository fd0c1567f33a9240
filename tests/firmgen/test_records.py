"""Shape rules of the firm file: stamps, etags, folder trees, document versions, bill arithmetic."""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime

from tests.firmgen.firms import Firm

ETAG = re.compile(r'^"[0-9a-f]{32}"$')


def _records(firm: Firm) -> list[tuple[str, dict]]:
    return [(name, r) for name, records in firm.items() if not name.startswith("_") for r in records]


def test_every_record_is_stamped(tiny: Firm) -> None:
    for name, record in _records(tiny):
        assert ETAG.match(record["etag"]), (name, record["etag"])
        created = datetime.fromisoformat(record["created_at"])
        updated = datetime.fromisoformat(record["updated_at"])
        assert created.utcoffset() is not None and created <= updated, (name, record["id"])


def test_timestamps_spread_over_years(tiny: Firm) -> None:
    years = {record["updated_at"][:4] for _, record in _records(tiny)}
    assert len(years) >= 3


def test_bill_totals_add_up(tiny: Firm) -> None:
    items = defaultdict(list)
    for item in tiny["line_items"]:
        items[item["bill"]["id"]].append(item)
    activities = {a["id"]: a for a in tiny["activities"]}
    for bill in tiny["bills"]:
        lines = items[bill["id"]]
        assert lines, bill["id"]
        assert abs(sum(line["total"] for line in lines) - bill["total"]) < 0.01
        assert abs(sum(line["sub_total"] for line in lines) - bill["sub_total"]) < 0.01
        for line in lines:
            activity = activities[line["activity"]["id"]]
            assert line["sub_total"] == activity["total"]
            assert line["matter"] == activity["matter"] and line["matter"] in bill["matters"]
            assert line["kind"] == ("Service" if activity["type"] == "TimeEntry" else "Expense")
            if bill["state"] in ("void", "deleted"):
                assert "bill" not in activity and not activity["on_bill"]
            else:
                assert activity["bill"] == {"id": bill["id"]} and activity["on_bill"]


def test_time_entries_are_in_seconds(tiny: Firm) -> None:
    for activity in tiny["activities"]:
        if activity["type"] == "TimeEntry":
            assert activity["quantity"] % 360 == 0
            assert abs(activity["quantity"] - activity["quantity_in_hours"] * 3600) < 1e-6
            assert abs(activity["total"] - round(activity["quantity_in_hours"] * activity["price"], 2)) < 0.01


def test_folders_form_trees_under_the_root(tiny: Firm) -> None:
    folders = {f["id"]: f for f in tiny["folders"]}
    roots = [f for f in folders.values() if f["root"]]
    assert len(roots) == 1
    depths = set()
    for folder in folders.values():
        depth, current = 0, folder
        while "parent" in current:
            current = folders[current["parent"]["id"]]
            depth += 1
        assert current is roots[0]
        depths.add(depth)
    assert max(depths) >= 3


def test_documents_carry_their_latest_version(tiny: Firm) -> None:
    versions = defaultdict(list)
    for version in tiny["document_versions"]:
        versions[version["document_id"]].append(version)
    for document in tiny["documents"]:
        own = versions[document["id"]]
        latest = max(own, key=lambda v: v["version_number"])
        assert document["latest_document_version"] == latest
        assert document["size"] == latest["size"]
        assert sorted(v["version_number"] for v in own) == list(range(1, len(own) + 1))
    assert max(len(v) for v in versions.values()) >= 3


def test_records_are_mostly_created_after_their_matter(tiny: Firm) -> None:
    # only the first few records of a resource predate every matter (they fall back to the first one)
    opened = {m["id"]: m["created_at"] for m in tiny["matters"]}
    pairs = [
        (datetime.fromisoformat(r["created_at"]), datetime.fromisoformat(opened[r["matter"]["id"]]))
        for name in ("activities", "tasks", "notes", "communications", "documents", "relationships")
        for r in tiny[name] if "matter" in r
    ]
    assert sum(created >= matter for created, matter in pairs) / len(pairs) > 0.9
