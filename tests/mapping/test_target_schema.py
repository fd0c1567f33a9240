"""Mapped rows checked against a snapshot of the target schema (standard tables from the entity definitions plus
the provisioned custom columns), with no Dataverse call."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.dataverse.schema import ColumnSpec, SchemaRequest
from shared.mapping.engine import CompiledMap, MappedRow
from shared.mapping.maps import load_map
from shared.mapping.target_schema import SchemaSnapshot, validate
from tests.mapping.test_engine import BILL, CALL, COMPANY, EMAIL, EVENT, LINE, MATTER, NOTE, TASK, TIME

DEFINITIONS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "dataverse" / \
    "d365_sales_entities_from_xrmdefinitelytyped.json"
CUSTOM = SchemaRequest(columns=[
    ColumnSpec(table="opportunity", schema_name="new_MatterNumber", type="string", label="Matter number",
               max_length=100),
    ColumnSpec(table="opportunity", schema_name="new_ClioStatus", type="picklist", label="Clio status",
               options=[(100000000, "Pending"), (100000001, "Open"), (100000002, "Closed")]),
    ColumnSpec(table="opportunity", schema_name="new_BillingMethod", type="picklist", label="Billing method",
               options=[(100000000, "Hourly"), (100000001, "Flat"), (100000002, "Contingency")]),
    *[ColumnSpec(table=table, schema_name=name, type=kind, label=name, max_length=length,  # type: ignore
                 options=[(100000000 + n, str(n)) for n in range(7)] if kind == "picklist" else None)
      for table, name, kind, length in (("invoice", "new_ClioState", "picklist", None),
                                        ("invoice", "new_BillKind", "picklist", None),
                                        ("invoice", "new_ClioTotal", "money", None),
                                        ("invoice", "new_ClioBalance", "money", None),
                                        ("invoice", "new_ClioPaid", "money", None),
                                        ("invoice", "new_IssuedOn", "dateonly", None),
                                        ("invoicedetail", "new_LineKind", "picklist", None),
                                        ("invoicedetail", "new_EntryDate", "dateonly", None),
                                        ("invoicedetail", "new_ClioTotal", "money", None))],
    *[ColumnSpec(table="new_timeentry", schema_name=name, type=kind, label=name, max_length=length)  # type: ignore
      for name, kind, length in (("new_Name", "string", 200), ("new_Date", "dateonly", None),
                                 ("new_DurationMinutes", "integer", None), ("new_Rate", "money", None),
                                 ("new_Total", "money", None), ("new_NonBillable", "boolean", None))]])


@pytest.fixture(scope="module")
def snapshot() -> SchemaSnapshot:
    definitions = json.loads(DEFINITIONS.read_text())["entities"]
    snap = SchemaSnapshot.from_definitions(definitions, CUSTOM, {"new_timeentry": "new_timeentries"})
    snap.add_navigation("new_timeentries", "new_opportunityid", ["opportunities"])  # a custom lookup, as provisioned
    return snap


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
