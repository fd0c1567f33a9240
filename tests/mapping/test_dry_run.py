"""The dry run on a generated small firm: every source record accounted for, every unmatched user listed, no write."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from firmgen import iter_records
from shared.mapping.dry_run import dry_run, write
from shared.mapping.engine import CompiledMap
from shared.mapping.maps import load_map
from shared.mapping.target_schema import SchemaSnapshot
from shared.mapping.users import resolve_users
from tests.mapping.schema import map_snapshot


@pytest.fixture(scope="module")
def firm() -> list[tuple[str, dict]]:
    return list(iter_records(1, "small"))


def test_every_record_is_accounted_for_and_every_unmatched_user_listed(firm: list[tuple[str, dict]],
                                                                      tmp_path: Path) -> None:
    clio_users = [record for resource, record in firm if resource == "users"]
    matched = clio_users[:4]  # these have Dynamics users; the fifth one's is disabled
    system_users = [{"systemuserid": f"00000000-0000-0000-0000-00000000000{n}", "internalemailaddress": u["email"],
                     "isdisabled": False} for n, u in enumerate(matched)]
    system_users.append({"systemuserid": "00000000-0000-0000-0000-000000000009",
                         "internalemailaddress": clio_users[4]["email"], "isdisabled": True})
    users = resolve_users(clio_users, system_users, fallback_email=matched[0]["email"])
    snapshot = map_snapshot()
    compiled = CompiledMap(load_map(), users=users)
    compiled.place(firm)
    result = dry_run(firm, compiled, snapshot, users)

    counts: dict[str, int] = {}
    for resource, _ in firm:
        counts[resource] = counts.get(resource, 0) + 1
    assert {name: tally.source for name, tally in result.tallies.items()} == counts
    assert all(tally.accounted for tally in result.tallies.values())
    assert result.tallies["matters"].loadable == counts["matters"] and result.tallies["bills"].loadable == \
        counts["bills"]
    assert sum(tally.not_mapped for tally in result.tallies.values()) == 0  # every resource has a rule or a use
    referenced = {name for name, tally in result.tallies.items() if tally.referenced}
    assert referenced == {"users", "practice_areas", "custom_fields", "activity_descriptions", "expense_categories",
                          "documents", "document_versions", "folders"}
    assert all(result.tallies[name].loadable == count for name, count in counts.items() if name not in referenced)
    assert all(line.severity == "warning" for line in result.lines)  # the generated oddities load with a change
    unmatched = {u["id"] for u in users.unmatched}
    assert unmatched == {u["id"] for u in clio_users[4:]}
    assert any(u["reason"] == "the Dynamics user is disabled" for u in users.unmatched)
    assert any(line.code == "OWNER_FALLBACK" for line in result.lines)

    summary = write(result, tmp_path)
    assert summary["rows"]["matter_to_opportunity"] == counts["matters"]
    staged = (tmp_path / "matter_to_opportunity.jsonl").read_text().splitlines()
    first = json.loads(staged[0])
    assert first["values"]["ownerid@odata.bind"].startswith("/systemusers(")
    page = (tmp_path / "report.html").read_text()
    assert "Users without an enabled Dynamics user" in page and clio_users[4]["email"] in page
    report = json.loads((tmp_path / "report.json").read_text())
    assert len(report["lines"]) == len(result.lines)
