"""The Dataverse client's per-call options and the schema provisioner against the sandbox."""
from __future__ import annotations

import pytest

from localrun.dataverse_sandbox import running_dataverse
from sandboxes.dataverse import SystemUserSeed
from shared.dataverse.client import DataverseClient, call_headers
from shared.dataverse.errors import DataverseRequestError
from shared.dataverse.schema import ColumnSpec, SchemaProvisioner, SchemaRequest, TableSpec
from shared.settings import Settings
from tests.dataverse_client.conftest import CLIO_KEYS, point_settings_at, provision_clio_keys

ATTORNEY = SystemUserSeed(fullname="Ada Attorney", azureactivedirectoryobjectid="0f0f0f0f-1111-2222-3333-444444444444")
FORMER = SystemUserSeed(fullname="Former Partner", isdisabled=True,
                        azureactivedirectoryobjectid="0e0e0e0e-1111-2222-3333-444444444444")


def test_impersonation_keeps_the_original_author(storage_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with running_dataverse(system_users=[ATTORNEY, FORMER]) as dataverse:
        point_settings_at(dataverse, monkeypatch)
        client = DataverseClient(Settings())
        client.request("POST", "accounts", json_body={"name": "By Ada"},
                       headers=call_headers(caller_object_id=ATTORNEY.azureactivedirectoryobjectid,
                                            bypass_custom_logic=True))
        row = dataverse.state.rows("accounts")[0]
        assert row["_createdby_value"] == ATTORNEY.systemuserid
        with pytest.raises(DataverseRequestError) as refused:
            client.request("POST", "accounts", json_body={"name": "By a disabled user"},
                           headers=call_headers(caller_object_id=FORMER.azureactivedirectoryobjectid))
        assert refused.value.code == "0x80040225"
        client.close()


def test_provisioning_is_idempotent_and_reports_conflicts(client: DataverseClient) -> None:
    provision_clio_keys(client)
    provisioner = SchemaProvisioner(client, "ClioMigration", "new", 15)
    again = provisioner.provision(CLIO_KEYS)
    assert again.created == [] and set(again.keys.values()) == {"Active"}
    conflicting = SchemaRequest(columns=[ColumnSpec(table="account", schema_name="new_ClioId", type="integer",
                                                    label="Clio id")])
    report = provisioner.provision(conflicting)
    assert report.conflicts == ["account.new_clioid exists as String, the map needs Integer"]


def test_the_custom_table_allowance_is_checked_before_anything_is_created(client: DataverseClient) -> None:
    tables = [TableSpec(schema_name=f"new_Table{n}", label=f"T{n}", plural_label=f"T{n}s", primary_name="new_Name")
              for n in range(3)]
    provisioner = SchemaProvisioner(client, "ClioMigration", "new", 2)
    with pytest.raises(ValueError, match="needs 3 custom tables .* allows 2"):
        provisioner.provision(SchemaRequest(tables=tables))
    definitions = client.get_json("EntityDefinitions", {"$select": "LogicalName,IsCustomEntity"})["value"]
    assert not [d for d in definitions if d.get("IsCustomEntity")], "nothing was created"
    with pytest.raises(ValueError, match="publisher prefix 'new_'"):
        SchemaProvisioner(client, "ClioMigration", "new", 15).provision(SchemaRequest(columns=[
            ColumnSpec(table="account", schema_name="cr9_Other", type="string", label="x")]))


def test_every_column_type_and_a_custom_table_are_created(client: DataverseClient) -> None:
    table = TableSpec(schema_name="new_TimeEntry", label="Time entry", plural_label="Time entries",
                      primary_name="new_Name")
    kinds = {"memo": {}, "integer": {}, "decimal": {}, "money": {}, "datetime": {}, "dateonly": {}, "boolean": {},
             "picklist": {"options": [(100000000, "Hourly"), (100000001, "Flat fee")]}, "string": {"max_length": 40}}
    columns = [ColumnSpec(table="new_timeentry", schema_name=f"new_{kind.title()}Column", type=kind,  # type: ignore
                          label=kind, **extra) for kind, extra in kinds.items()]
    report = SchemaProvisioner(client, "ClioMigration", "new", 15).provision(SchemaRequest(tables=[table],
                                                                                          columns=columns))
    assert "new_timeentry" in report.created and report.conflicts == []
    attributes = client.get_json("EntityDefinitions(LogicalName='new_timeentry')/Attributes",
                                 {"$select": "LogicalName,AttributeType"})["value"]
    found = {a["LogicalName"]: a["AttributeType"] for a in attributes}
    assert {found[c.logical_name] for c in columns} == {"Memo", "Integer", "Decimal", "Money", "DateTime",
                                                        "Boolean", "Picklist", "String"}
