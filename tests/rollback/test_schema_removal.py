"""Removing the schema a migration created, on the Dataverse sandbox: only what the provisioner recorded as
missing before it ran, keys before their columns, a lookup to a table before that table, nothing that still holds
data of rows that stay, document management left on; a dry run deletes nothing."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from localrun.dataverse_sandbox import RunningDataverse
from shared.dataverse.client import DataverseClient
from shared.dataverse.schema import (ColumnSpec, KeySpec, LookupSpec, SchemaProvisioner, SchemaRequest,
                                     TableSpec)
from shared.ledger import WriteLedger
from shared.rollback.schema_removal import SchemaRemover
from shared.settings import Settings
from tests.dataverse_client.conftest import client, dataverse  # noqa: F401  (fixtures)

REQUEST = SchemaRequest(
    tables=[TableSpec(schema_name="new_Matter", label="Matter", plural_label="Matters", primary_name="new_Name")],
    columns=[ColumnSpec(table="account", schema_name="new_ClioId", type="string", label="Clio id", max_length=40),
             ColumnSpec(table="new_matter", schema_name="new_Note", type="memo", label="Note")],
    lookups=[LookupSpec(table="new_matter", schema_name="new_AccountId", target="account", label="Account"),
             LookupSpec(table="account", schema_name="new_MatterId", target="new_matter", label="Matter")],
    keys=[KeySpec(table="account", schema_name="new_clioid_key", columns=["new_clioid"])],
    document_management=["contact"])


@pytest.fixture
def provisioned(dataverse: RunningDataverse, client: DataverseClient) -> Iterator[dict[str, object]]:  # noqa: F811
    """The org's metadata before, then the request provisioned with its record."""
    before = dataverse.state.export()["_metadata"]
    provisioner = SchemaProvisioner(client, "ClioMigration", "new", 15)
    assert provisioner.provision_recorded(REQUEST, WriteLedger(Settings(), "s1", "schema")).conflicts == []
    yield before


def _outcomes(client: DataverseClient, dry_run: bool = False) -> dict[str, str]:  # noqa: F811
    rows = WriteLedger(Settings(), "s1", "schema").rows()
    return {line.key: line.outcome for line in SchemaRemover(client, dry_run).remove(list(rows.values()))}


def test_what_was_created_goes_and_what_holds_data_stays_until_it_does_not(
        dataverse: RunningDataverse, client: DataverseClient, provisioned: dict[str, object]) -> None:  # noqa: F811
    created = dataverse.state.export()["_metadata"]
    assert set(WriteLedger(Settings(), "s1", "schema").rows()) == {
        "solution:ClioMigration", "table:new_matter", "column:account.new_clioid", "column:new_matter.new_note",
        "lookup:new_matter.new_accountid", "lookup:account.new_matterid", "key:account.new_clioid_key",
        "document-management:contact"}

    planned = _outcomes(client, dry_run=True)
    assert set(planned.values()) == {"would-delete", "kept"} and planned["document-management:contact"] == "kept"
    assert dataverse.state.export()["_metadata"] == created

    response = client.request("POST", "new_matters", json_body={"new_name": "M-1", "new_note": "kept by a person"})
    matter = response.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")
    first = _outcomes(client)
    assert first == {"solution:ClioMigration": "deleted", "key:account.new_clioid_key": "deleted",
                     "lookup:account.new_matterid": "deleted", "column:account.new_clioid": "deleted",
                     "document-management:contact": "kept", "table:new_matter": "kept",
                     "column:new_matter.new_note": "kept", "lookup:new_matter.new_accountid": "kept"}

    client.request("DELETE", f"new_matters({matter})")
    second = _outcomes(client)
    assert second["table:new_matter"] == "deleted" and second["column:new_matter.new_note"] == "deleted"
    assert {second[key] for key in second if not key.startswith(("table", "column:new_matter", "lookup:new_matter",
                                                                   "document"))} == {"already-done"}
    after = dataverse.state.export()["_metadata"]
    assert {name: entry for name, entry in after.items() if name != "contact"} == provisioned
    assert after["contact"] == {"columns": {}, "keys": [], "document_management": True}
    assert not client.query("solutions", {"$filter": "uniquename eq 'ClioMigration'", "$select": "solutionid"})
