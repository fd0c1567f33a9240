"""Mapped rows checked against a snapshot of the target schema (standard tables from the entity definitions plus
the provisioned custom columns), with no Dataverse call."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.mapping.engine import CompiledMap, MappedRow
from shared.mapping.maps import load_map
from shared.mapping.target_schema import SchemaSnapshot, validate
from tests.mapping.schema import map_snapshot
from tests.mapping.test_engine import BILL, CALL, COMPANY, EMAIL, EVENT, LINE, MATTER, NOTE, TASK, TIME

@pytest.fixture(scope="module")
def snapshot() -> SchemaSnapshot:
    return map_snapshot()


def mapped(resource: str, record: dict) -> list[MappedRow]:
    return [row for table in CompiledMap(load_map()).for_resource(resource) if (row := table.map(record))]


def test_the_first_map_rows_fit_the_target(snapshot: SchemaSnapshot) -> None:
    for resource, record in (("contacts", COMPANY), ("matters", MATTER), ("activities", TIME), ("tasks", TASK),
                             ("calendar_entries", EVENT), ("communications", CALL), ("communications", EMAIL),
                             ("notes", NOTE), ("bills", BILL), ("line_items", LINE)):
        for row in mapped(resource, record):
            target = next(t for t in load_map().tables if t.name == row.table).target.entity_set
            assert validate(row, target, snapshot, resource) == [], row.table


def test_what_the_target_would_reject_is_reported(snapshot: SchemaSnapshot) -> None:
    row = MappedRow("matter_to_opportunity", "21", {
        "name": 7, "new_cliostatus": 5, "customerid_contact@odata.bind": "/accounts(new_clioid='11')",
        "nosuchcolumn": "x", "parentcustomerid_account@odata.bind": "/accounts(new_clioid='11')",
        "new_matternumber": "y" * 101, "customerid": "11"}, {})
    codes = {line.field: line.code for line in validate(row, "opportunities", snapshot, "matters")}
    assert codes == {"name": "WRONG_TYPE", "new_cliostatus": "NO_SUCH_OPTION",
                     "customerid_contact@odata.bind": "WRONG_LOOKUP_TARGET", "nosuchcolumn": "NO_SUCH_COLUMN",
                     "parentcustomerid_account@odata.bind": "NO_SUCH_NAVIGATION",
                     "new_matternumber": "TOO_LONG", "customerid": "LOOKUP_WITHOUT_BIND"}
    assert [line.code for line in validate(row, "nosuchtables", snapshot, "matters")] == ["NO_SUCH_TABLE"]
