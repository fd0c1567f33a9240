"""Custom lookups: provisioned through RelationshipDefinitions, idempotent, conflicts reported, and rows bound
through them by alternate key with the loader (wrong-table binds refused as Dataverse refuses them)."""
from __future__ import annotations

import time

from localrun.dataverse_sandbox import RunningDataverse
from shared.dataverse.client import DataverseClient
from shared.dataverse.loader import LoadRow, TableTarget
from shared.dataverse.schema import ColumnSpec, KeySpec, LookupSpec, SchemaProvisioner, SchemaRequest, TableSpec
from tests.dataverse_client.conftest import provision_clio_keys
from tests.dataverse_client.test_loader import load

CUSTOM = ("new_timeentry", "new_trustaccount", "new_trusttransaction")
KEYED = ("opportunity", *CUSTOM)
TIME_ENTRY_TO_MATTER = LookupSpec(table="new_timeentry", schema_name="new_OpportunityId", target="opportunity",
                                  label="Matter")
MIGRATION = SchemaRequest(
    tables=[TableSpec(schema_name=f"new_{name}", label=name, plural_label=f"{name}s", primary_name="new_Name")
            for name in ("TimeEntry", "TrustAccount", "TrustTransaction")],
    columns=[ColumnSpec(table=table, schema_name=name, type="string", label=name, max_length=64)
             for table in KEYED for name in ("new_ClioId", "new_ClioLoadHash")],
    lookups=[TIME_ENTRY_TO_MATTER,
             # Lower-cased as the map writes it: the navigation is then `new_contactid`.
             LookupSpec(table="new_timeentry", schema_name="new_contactid", target="contact", label="Client"),
             LookupSpec(table="new_trusttransaction", schema_name="new_TrustAccountId", target="new_trustaccount",
                        label="Trust account"),
             *(LookupSpec(table="new_trusttransaction", schema_name=f"new_{name}Id", target=name.lower(),
                          label=name) for name in ("Opportunity", "Account", "Invoice"))],
    keys=[KeySpec(table=table, schema_name="new_clioid_key", columns=["new_clioid"]) for table in KEYED])


def target(entity_set: str, logical_name: str) -> TableTarget:
    return TableTarget(entity_set=entity_set, logical_name=logical_name, primary_id=f"{logical_name}id",
                       key_column="new_clioid", hash_column="new_clioloadhash")


def provision(client: DataverseClient) -> SchemaProvisioner:
    provision_clio_keys(client)
    provisioner = SchemaProvisioner(client, "ClioMigration", "new", 15)
    report = provisioner.provision(MIGRATION)
    assert report.conflicts == []
    assert {f"{lookup.table}.{lookup.logical_name}" for lookup in MIGRATION.lookups} <= set(report.created)
    deadline = time.monotonic() + 10
    while any(provisioner.key_statuses(table).get("new_clioid_key") != "Active" for table in KEYED):
        assert time.monotonic() < deadline, "key indexes did not become Active"
        time.sleep(0.05)
    return provisioner


def test_lookups_are_created_once_in_the_solution_and_published(client: DataverseClient,
                                                                dataverse: RunningDataverse) -> None:
    provisioner = provision(client)
    state = dataverse.state
    assert ("ClioMigration", "Relationship", "new_opportunity_new_timeentry_OpportunityId") in \
        state.solution_components
    assert "<entity>new_trusttransaction</entity>" in state.publications[-1]
    relationship = client.get_json(f"RelationshipDefinitions(SchemaName='{TIME_ENTRY_TO_MATTER.relationship_name}')")
    assert (relationship["ReferencingEntityNavigationPropertyName"], relationship["ReferencedEntity"],
            relationship["CascadeConfiguration"]["Delete"]) == ("new_OpportunityId", "opportunity", "RemoveLink")
    again = provisioner.provision(MIGRATION)
    assert again.created == [] and again.conflicts == []
    assert "new_trusttransaction.new_invoiceid" in again.existing


def test_a_column_of_the_same_name_that_is_not_that_lookup_is_a_conflict(client: DataverseClient) -> None:
    provisioner = provision(client)
    report = provisioner.provision(SchemaRequest(lookups=[
        LookupSpec(table="account", schema_name="new_ClioId", target="opportunity", label="x"),
        TIME_ENTRY_TO_MATTER.model_copy(update={"target": "account"}),
        LookupSpec(table="new_timeentry", schema_name="new_Other", target="new_nothing", label="x"),
        LookupSpec(table="contact", schema_name="new_MatterId", target="opportunity", label="x",
                   relationship=TIME_ENTRY_TO_MATTER.relationship_name)]))
    assert report.created == []
    assert report.conflicts == [
        "account.new_clioid exists as String, the map needs a lookup to opportunity",
        "new_timeentry.new_opportunityid exists as a lookup to opportunity, the map needs a lookup to account",
        "new_timeentry.new_other needs a lookup to new_nothing, which does not exist",
        "contact.new_matterid: the relationship new_opportunity_new_timeentry_OpportunityId already exists for "
        "another lookup"]


def test_rows_bind_through_the_new_lookups_by_alternate_key(client: DataverseClient) -> None:
    provision(client)
    matters = load(client, target("opportunities", "opportunity"),
                   [LoadRow(key="M-1", values={"name": "Smith v Jones"})], migration="mig-lookups")
    accounts = load(client, target("accounts", "account"), [LoadRow(key="A-1", values={"name": "Smith"})],
                    migration="mig-lookups")
    contact = load(client, target("contacts", "contact"), [LoadRow(key="C-1", values={"lastname": "Smith"})],
                   migration="mig-lookups")
    entries = load(client, target("new_timeentries", "new_timeentry"), [LoadRow(key="TE-1", values={
        "new_name": "Call", "new_contactid@odata.bind": "/contacts(new_clioid='C-1')"})], migration="mig-lookups")
    entry = client.get_json(f"new_timeentries({entries['TE-1'].dataverse_id})", {"$select": "_new_contactid_value"})
    assert entry["_new_contactid_value"] == contact["C-1"].dataverse_id
    trust = load(client, target("new_trustaccounts", "new_trustaccount"),
                 [LoadRow(key="T-1", values={"new_name": "IOLTA"})], migration="mig-lookups")
    rows = [LoadRow(key="TT-1", values={"new_name": "Deposit",
                                        "new_TrustAccountId@odata.bind": "/new_trustaccounts(new_clioid='T-1')",
                                        "new_OpportunityId@odata.bind": "/opportunities(new_clioid='M-1')",
                                        "new_AccountId@odata.bind": "/accounts(new_clioid='A-1')"}),
            LoadRow(key="TT-2", values={"new_name": "Wrong table",
                                        "new_TrustAccountId@odata.bind": "/accounts(new_clioid='A-1')"}),
            LoadRow(key="TT-3", values={"new_name": "Logical name is not the navigation",
                                        "new_trustaccountid@odata.bind": "/new_trustaccounts(new_clioid='T-1')"})]
    outcomes = load(client, target("new_trusttransactions", "new_trusttransaction"), rows, migration="mig-lookups")
    assert outcomes["TT-1"].action == "created"
    assert (outcomes["TT-2"].action, outcomes["TT-2"].code) == ("failed", "0x80048d19")
    assert (outcomes["TT-3"].action, outcomes["TT-3"].code) == ("failed", "0x80048d19")
    row = client.get_json(f"new_trusttransactions({outcomes['TT-1'].dataverse_id})", {
        "$select": "_new_trustaccountid_value,_new_opportunityid_value,_new_accountid_value,_new_invoiceid_value"})
    assert (row["_new_trustaccountid_value"], row["_new_opportunityid_value"], row["_new_accountid_value"],
            row["_new_invoiceid_value"]) == (trust["T-1"].dataverse_id, matters["M-1"].dataverse_id,
                                             accounts["A-1"].dataverse_id, None)
    # RemoveLink: the matter can go first in a rollback; the transaction stays and loses the link.
    client.request("DELETE", f"opportunities({matters['M-1'].dataverse_id})")
    row = client.get_json(f"new_trusttransactions({outcomes['TT-1'].dataverse_id})",
                          {"$select": "_new_opportunityid_value,_new_trustaccountid_value"})
    assert row["_new_opportunityid_value"] is None and row["_new_trustaccountid_value"] == trust["T-1"].dataverse_id
