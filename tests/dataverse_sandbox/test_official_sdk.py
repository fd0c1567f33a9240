"""Microsoft's PowerPlatform-Dataverse-Client against the sandbox: a client we did not write."""
from __future__ import annotations

import pytest
from azure.identity import ClientSecretCredential
from PowerPlatform.Dataverse.client import DataverseClient
from PowerPlatform.Dataverse.models.labels import Label, LocalizedLabel
from PowerPlatform.Dataverse.models.relationship import LookupAttributeMetadata, OneToManyRelationshipMetadata
from PowerPlatform.Dataverse.models.upsert import UpsertItem

from sandboxes.dataverse import DataverseConfig, create_app, dataverse_state, serve_dataverse
from tests.dataverse_sandbox.conftest import APP


def test_sdk_create_query_bulk_upsert_and_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(DataverseConfig(application_users=[APP]))
    state = dataverse_state(app)
    with serve_dataverse(app) as (base_url, ca_pem):
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_pem)
        credential = ClientSecretCredential(APP.tenant_id, APP.client_id, APP.client_secret, authority=base_url,
                                            disable_instance_discovery=True)
        with DataverseClient(base_url, credential) as client:
            account_id = client.records.create("account", {"name": "Contoso"})
            ids = client.records.create("account", [{"name": "Bulk 1"}, {"name": "Bulk 2"}])
            assert len(ids) == 2
            pages = list(client.records.get("account", select=["name"], filter="name eq 'Contoso'"))
            assert [row["name"] for page in pages for row in page] == ["Contoso"]
            client.records.update("account", account_id, {"telephone1": "555-0100"})
            assert client.tables.add_columns("account", {"new_ClioId": "string"})
            assert "new_clioid" in state.table("account").columns
            client.tables.create_alternate_key("account", "new_clioid_key", ["new_clioid"])
            client.records.upsert("account", [UpsertItem(alternate_key={"new_clioid": "C-1"},
                                                         record={"name": "Keyed"})])
            client.records.upsert("account", [UpsertItem(alternate_key={"new_clioid": "C-1"}, record={"name": "Re"}),
                                              UpsertItem(alternate_key={"new_clioid": "C-2"}, record={"name": "Two"})])
            info = client.tables.create("new_Matter", {"new_ClioId": "string", "new_Opened": "datetime",
                                                       "new_Fee": "decimal", "new_Billable": "bool"})
            assert state.table("new_matter").entity_set == info["entity_set_name"] == "new_matters"
            matter_id = client.records.create("new_Matter", {"new_name": "M-1", "new_clioid": "7"})
            assert state.rows("new_matters")[0]["new_matterid"] == matter_id
            lookup = LookupAttributeMetadata("new_AccountId", Label([LocalizedLabel("Client", 1033)]))
            client.tables.create_one_to_many_relationship(lookup, OneToManyRelationshipMetadata(
                "new_account_new_matter", "account", "new_matter", "accountid"))
            client.records.create("new_Matter", {"new_name": "M-2",
                                                 "new_AccountId@odata.bind": f"/accounts({account_id})"})
            assert {row.get("_new_accountid_value") for row in state.rows("new_matters")} == {None, account_id}
    assert {row["name"] for row in state.rows("accounts")} == {"Contoso", "Bulk 1", "Bulk 2", "Re", "Two"}
