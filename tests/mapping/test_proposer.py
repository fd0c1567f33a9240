"""The deterministic proposer on a generated firm's custom fields: every field decided, with evidence; a close
existing column matched; new columns proposed for the rest; the proposed map maps the records' values."""
from __future__ import annotations

import json

import pytest

from firmgen import iter_records
from shared.dataverse.schema import ColumnSpec, SchemaRequest
from shared.mapping.engine import CompiledMap
from shared.mapping.maps import load_map
from shared.mapping.proposer import DeterministicProposer
from shared.mapping.target_schema import SchemaSnapshot
from tests.mapping.schema import standard_definitions


@pytest.fixture(scope="module")
def firm() -> list[tuple[str, dict]]:
    return list(iter_records(7, "tiny"))


def snapshot_with(extra: list[ColumnSpec]) -> SchemaSnapshot:
    base = load_map()
    with_extra = base.model_copy(update={"target_schema": SchemaRequest(
        tables=base.target_schema.tables, columns=[*base.target_schema.columns, *extra], keys=base.target_schema.keys)})
    return SchemaSnapshot.for_map(standard_definitions(), with_extra)


def samples_of(firm: list[tuple[str, dict]]) -> dict[int, list]:
    found: dict[int, list] = {}
    for resource, record in firm:
        for value in record.get("custom_field_values") or []:
            found.setdefault(value["custom_field"]["id"], []).append(value.get("value"))
    return found


def test_every_custom_field_gets_a_decision_with_evidence(firm: list[tuple[str, dict]]) -> None:
    fields = [record for resource, record in firm if resource == "custom_fields"]
    existing = ColumnSpec(table="opportunity", schema_name="new_ClaimValue", type="money", label="Claim value")
    proposal = DeterministicProposer().propose(load_map(), fields, samples_of(firm), snapshot_with([existing]))
    assert len(fields) == 26 and len(proposal.decisions) == 2 * len(fields)  # e.g. opportunity and case
    assert {(d.clio_field_id, d.target_table) for d in proposal.decisions} == {
        (f["id"], table) for f in fields
        for table in (("opportunity", "incident") if f["parent_type"] == "Matter" else ("contact", "account"))}
    assert {d.field_type for d in proposal.decisions} == {"checkbox", "contact", "currency", "date", "email",
                                                         "matter", "numeric", "picklist", "text_area", "text_line",
                                                         "time", "url"}
    claim = next(d for d in proposal.decisions if d.clio_field == "Claim value" and d.target_table == "opportunity")
    assert (claim.action, claim.target) == ("match", "new_claimvalue") and claim.confidence >= 0.82
    assert all(d.evidence for d in proposal.decisions)
    new_columns = {(c.table, c.logical_name) for c in proposal.columns.columns}
    assert ("opportunity", "new_claimvalue") not in new_columns
    assert len(new_columns) == sum(d.action == "new column" for d in proposal.decisions)
    lookups = {(l.table, l.navigation) for l in proposal.columns.lookups}
    chosen = {(d.target_table, d.target) for d in proposal.decisions if d.action == "new lookup"}
    suffix = {"contact": "Account", "matter": "Case"}  # the second column, for a company or a case
    assert lookups == chosen | {(table, f"{target}{suffix[d.field_type]}") for d in proposal.decisions
                                if d.action == "new lookup" for table, target in [(d.target_table, d.target)]}
    routed = [rule.lookup for table in proposal.map.tables for rule in table.fields
              if rule.lookup is not None and rule.target in {d.target for d in proposal.decisions}]
    assert routed and all(lookup.placed_by in ("contacts", "matters") and lookup.routes for lookup in routed)
    picklist = next(c for c in proposal.columns.columns if c.type == "picklist")
    assert picklist.options and all(value >= 100_000_000 for value, _ in picklist.options)
    deleted = [d for d in proposal.decisions if any("deleted in Clio" in e for e in d.evidence)]
    assert deleted, "deleted fields are flagged for the reviewer"


def test_the_proposed_map_carries_custom_values(firm: list[tuple[str, dict]]) -> None:
    fields = [record for resource, record in firm if resource == "custom_fields"]
    proposal = DeterministicProposer().propose(load_map(), fields, samples_of(firm), snapshot_with([]))
    compiled = CompiledMap(proposal.map)
    matter = next(record for resource, record in firm if resource == "matters" and record["custom_field_values"])
    row = next(table for table in compiled.for_resource("matters")).map(matter)
    assert row is not None
    for value in matter["custom_field_values"]:
        decision = next(d for d in proposal.decisions if d.clio_field_id == value["custom_field"]["id"])
        written = row.values.get(decision.target) or row.values.get(f"{decision.target}@odata.bind")
        problems = [line for line in row.problems if line.field == decision.target]
        assert written is not None or problems, f"{decision.clio_field}: neither written nor reported"


def test_practice_areas_become_a_choice_on_opportunities_and_cases(firm: list[tuple[str, dict]]) -> None:
    areas = [record for resource, record in firm if resource == "practice_areas"]
    proposal = DeterministicProposer().propose(load_map(), [], {}, snapshot_with([]), areas)
    choices = [c for c in proposal.columns.columns if c.logical_name == "new_practicearea"]
    assert {c.table for c in choices} == {"opportunity", "incident"}
    assert [label for _, label in choices[0].options or []] == [a["name"] for a in sorted(areas, key=lambda a: a["id"])]
    area = sorted(areas, key=lambda a: a["id"])[1]
    split = CompiledMap(proposal.map, {"case_practice_areas": [area["id"]]})
    matter = {"id": 1, "description": "x", "client": {"id": 2}, "practice_area": {"id": area["id"]}}
    rows = [row for t in split.for_resource("matters") if (row := t.map(matter))]
    assert [(r.table, r.values["new_practicearea"]) for r in rows] == [("matter_to_case", 100_000_001)]
    assert all(c in proposal.map.target_schema.columns for c in choices)  # the proposed map carries its schema
