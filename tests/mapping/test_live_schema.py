"""The live schema snapshot read from the org's metadata (the Dataverse sandbox here): it agrees with the one built
from the definitions export for the standard tables, up to the differences documented below, and it sees the
custom tables, columns and lookups the provisioner created."""
from __future__ import annotations

from shared.dataverse.client import DataverseClient
from shared.dataverse.schema import ColumnSpec, SchemaProvisioner, SchemaRequest
from shared.mapping.engine import MappedRow
from shared.mapping.live_schema import read_snapshot
from shared.mapping.target_schema import ColumnSchema, SchemaSnapshot, TableSchema, validate
from tests.dataverse_client.conftest import client, dataverse  # noqa: F401  (fixtures)
from tests.dataverse_client.test_lookups import provision
from tests.mapping.schema import standard_definitions

STANDARD = ("account", "contact", "opportunity", "incident", "invoice", "invoicedetail", "task", "email",
            "annotation", "pricelevel", "systemuser")
# The export has one "Number" for every number; the org says Integer, Decimal, Double or BigInt.
_NUMBERS = {"Number", "Integer", "Decimal"}
# Navigations the export lists whose column it does not type as a lookup (the activity's own activitypointer
# row; parentbundleid is a String there, its lookup is parentbundleidref): the sandbox has no lookup behind them.
_NOT_LOOKUPS = {"activityid_activitypointer", "parentbundleid_invoicedetail"}


def _comparable(table: TableSchema, entity_sets: set[str]) -> dict[str, object]:
    """What both sources can say: kinds (numbers as one kind), options where the export resolves the option set
    (it names global option sets it does not carry, so those are unknown there), bindable navigations to tables
    the org has. MaxLength is not in the export at all."""
    columns = {name: ("Number" if column.kind in _NUMBERS else column.kind) for name, column in table.columns.items()}
    navigations = {name: sorted(set(targets) & entity_sets) for name, targets in table.navigations.items()
                   if name not in _NOT_LOOKUPS}
    return {"columns": columns, "navigations": {name: sets for name, sets in navigations.items() if sets}}


def test_live_snapshot_agrees_with_the_definitions_export(client: DataverseClient) -> None:
    live = read_snapshot(client, STANDARD)
    exported = SchemaSnapshot.from_definitions(standard_definitions())
    entity_sets = {row["EntitySetName"] for row in client.get_json("EntityDefinitions", {
        "$select": "EntitySetName"})["value"]}
    assert set(live.tables) == {exported_table.entity_set for exported_table in exported.tables.values()
                                if exported_table.logical_name in STANDARD}
    for entity_set, table in live.tables.items():
        expected = exported.tables[entity_set]
        assert table.logical_name == expected.logical_name
        assert _comparable(table, entity_sets) == _comparable(expected, entity_sets), entity_set
        for name, column in expected.columns.items():
            if column.options:
                assert table.columns[name].options == column.options, f"{entity_set}.{name}"
    # Where the org is more precise than the export: lengths, and options of global option sets.
    assert live.tables["accounts"].columns["name"].max_length == 160
    assert live.tables["incidents"].columns["messagetypecode"].options == {0, 1}
    assert live.tables["opportunities"].navigations["ownerid"] == ["systemusers", "teams"]
    assert live.tables["contacts"].navigations["parentcustomerid_account"] == ["accounts"]


def test_custom_tables_columns_and_lookups_as_provisioned(client: DataverseClient) -> None:
    provision(client)
    SchemaProvisioner(client, "ClioMigration", "new", 15).provision(SchemaRequest(columns=[
        ColumnSpec(table="new_timeentry", schema_name="new_Rate", type="picklist", label="Rate",
                   options=[(100000000, "Hourly"), (100000001, "Flat")]),
        ColumnSpec(table="new_timeentry", schema_name="new_Note", type="memo", label="Note", max_length=5000)]))
    live = read_snapshot(client, ["new_timeentry", "new_trusttransaction"])
    time_entries, transactions = live.tables["new_timeentries"], live.tables["new_trusttransactions"]
    assert time_entries.columns["new_clioid"] == ColumnSchema(kind="String", max_length=64)
    assert time_entries.columns["new_note"] == ColumnSchema(kind="Memo", max_length=5000)
    assert time_entries.columns["new_rate"].options == {100000000, 100000001}
    assert time_entries.columns["statecode"].options == {0, 1}
    assert time_entries.columns["new_opportunityid"].kind == "Lookup"
    assert time_entries.navigations == {"new_OpportunityId": ["opportunities"], "new_contactid": ["contacts"],
                                        "ownerid": ["systemusers", "teams"]}
    assert transactions.navigations["new_TrustAccountId"] == ["new_trustaccounts"]
    assert transactions.navigations["new_InvoiceId"] == ["invoices"]
    row = MappedRow("new_timeentry", "T-1", {"new_name": "Call", "new_rate": 100000000,
                                               "new_OpportunityId@odata.bind": "/opportunities(new_clioid='M-1')",
                                               "new_contactid@odata.bind": "/accounts(new_clioid='A-1')",
                                               "new_opportunityid@odata.bind": "/opportunities(new_clioid='M-1')"},
                    {})
    problems = {(line.field, line.code) for line in validate(row, "new_timeentries", live, "activities")}
    assert problems == {("new_contactid@odata.bind", "WRONG_LOOKUP_TARGET"),
                        ("new_opportunityid@odata.bind", "NO_SUCH_NAVIGATION")}
