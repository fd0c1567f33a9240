"""Deleting metadata: custom columns, keys, lookups (relationships) and tables go with their data; standard ones
and ones other components depend on are refused with 0x8004F01F; a snapshot afterwards has none of them."""
from __future__ import annotations

from tests.dataverse_sandbox.conftest import Sandbox, error_of
from tests.dataverse_sandbox.test_relationships import CLIO_ID, TABLE, relationship

ACCOUNT = "EntityDefinitions(LogicalName='account')"
TIME = "EntityDefinitions(LogicalName='new_timeentry')"


def _account_with_keyed_column(sandbox: Sandbox) -> str:
    assert sandbox.call("POST", f"{ACCOUNT}/Attributes", json=CLIO_ID).status_code == 204
    assert sandbox.call("POST", f"{ACCOUNT}/Keys", json={"SchemaName": "new_clioid_key",
                                                        "KeyAttributes": ["new_clioid"]}).status_code == 204
    return sandbox.create("accounts", {"name": "Acme", "new_clioid": "c-1"})


def test_a_keyed_column_goes_after_its_key_and_takes_its_values(sandbox: Sandbox) -> None:
    account = _account_with_keyed_column(sandbox)
    refused = error_of(sandbox.call("DELETE", f"{ACCOUNT}/Attributes(LogicalName='new_clioid')"))
    assert refused[:2] == (400, "0x8004F01F") and "referenced by 1 other components" in refused[2]
    assert sandbox.call("DELETE", f"{ACCOUNT}/Keys(LogicalName='new_clioid_key')").status_code == 204
    assert sandbox.call("GET", f"{ACCOUNT}/Keys").json()["value"] == []
    assert sandbox.call("DELETE", f"{ACCOUNT}/Attributes(LogicalName='new_clioid')").status_code == 204
    assert "new_clioid" not in sandbox.state.store.get("account", account)  # type: ignore[operator]
    assert error_of(sandbox.call("GET", f"{ACCOUNT}/Attributes(LogicalName='new_clioid')"))[0] == 404
    assert error_of(sandbox.call("POST", "accounts", json={"name": "x", "new_clioid": "c-2"}))[1] == "0x0"
    assert "account" not in sandbox.state.export()["_metadata"]


def test_standard_columns_and_tables_cannot_be_deleted(sandbox: Sandbox) -> None:
    assert error_of(sandbox.call("DELETE", f"{ACCOUNT}/Attributes(LogicalName='name')"))[:2] == (400, "0x80040203")
    assert error_of(sandbox.call("DELETE", ACCOUNT))[:2] == (400, "0x80040203")
    assert error_of(sandbox.call("DELETE", f"{ACCOUNT}/Keys(LogicalName='nothing')"))[0] == 404


def test_a_lookup_goes_with_its_relationship_either_way(sandbox: Sandbox) -> None:
    assert sandbox.call("POST", "EntityDefinitions", json=TABLE).status_code == 204
    assert sandbox.call("POST", "RelationshipDefinitions", json=relationship()).status_code == 204
    second = relationship("new_AccountId", "new_account_new_timeentry", "account")
    assert sandbox.call("POST", "RelationshipDefinitions", json=second).status_code == 204
    opportunity = sandbox.create("opportunities", {"name": "Matter"})
    entry = sandbox.create("new_timeentries", {"new_name": "1h",
                                               "new_OpportunityId@odata.bind": f"/opportunities({opportunity})"})
    assert sandbox.call("DELETE", "RelationshipDefinitions(SchemaName='new_opportunity_new_timeentry')"
                        ).status_code == 204
    assert "_new_opportunityid_value" not in sandbox.state.store.get("new_timeentry", entry)  # type: ignore[operator]
    assert error_of(sandbox.call("GET", f"{TIME}/Attributes(LogicalName='new_opportunityid')"))[0] == 404
    assert sandbox.call("DELETE", f"{TIME}/Attributes(LogicalName='new_accountid')").status_code == 204
    assert error_of(sandbox.call("GET", "RelationshipDefinitions(SchemaName='new_account_new_timeentry')"))[0] == 404
    assert error_of(sandbox.call("DELETE", "RelationshipDefinitions(SchemaName='opportunity_invoice_opportunityid')"
                                 ))[:2] == (400, "0x80040203")


def test_a_table_goes_with_its_rows_once_nothing_depends_on_it(sandbox: Sandbox) -> None:
    assert sandbox.call("POST", "EntityDefinitions", json={**TABLE, "HasActivities": True}).status_code == 204
    pointing = {**relationship("new_TimeEntryId", "new_new_timeentry_account", "new_timeentry"),
                "ReferencingEntity": "account"}
    assert sandbox.call("POST", "RelationshipDefinitions", json=pointing).status_code == 204
    entry = sandbox.create("new_timeentries", {"new_name": "1h"})
    task = sandbox.create("tasks", {"subject": "call",
                                    "regardingobjectid_new_timeentry_task@odata.bind": f"/new_timeentries({entry})"})
    refused = error_of(sandbox.call("DELETE", TIME))
    assert refused[:2] == (400, "0x8004F01F") and refused[2].startswith("The Entity(")
    assert sandbox.call("DELETE", "RelationshipDefinitions(SchemaName='new_new_timeentry_account')").status_code == 204
    assert sandbox.call("DELETE", TIME).status_code == 204
    assert sandbox.state.catalog.by_logical("new_timeentry") is None
    assert sandbox.state.store.get("task", task) is None  # regarding rows cascade as each row's delete would
    assert error_of(sandbox.call("GET", "new_timeentries"))[0] == 404
    refused_bind = sandbox.call("POST", "tasks", json={
        "subject": "x", "regardingobjectid_new_timeentry_task@odata.bind": f"/new_timeentries({entry})"})
    assert error_of(refused_bind)[1] == "0x80048d19"
    assert "new_timeentry" not in sandbox.state.export()["_metadata"]
