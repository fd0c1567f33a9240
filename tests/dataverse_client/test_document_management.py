"""Document management provisioned on tables (dataverse.md §10): a PUT of the full definition, idempotent, in the
solution, published, and then visible to the live schema snapshot the mapping reads."""
from __future__ import annotations

import pytest

from localrun.dataverse_sandbox import RunningDataverse
from shared.dataverse.client import DataverseClient
from shared.dataverse.errors import DataverseRequestError
from shared.dataverse.schema import SchemaProvisioner, SchemaRequest
from shared.mapping.live_schema import read_snapshot

REQUEST = SchemaRequest(document_management=["incident", "opportunity", "new_nothing"])


def created_id(client: DataverseClient, entity_set: str, body: dict[str, str]) -> str:
    response = client.request("POST", entity_set, json_body=body)
    return response.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")


def location(case: str) -> dict[str, str]:
    return {"name": "Case folder", "relativeurl": "case_1",
            "regardingobjectid_incident@odata.bind": f"/incidents({case})"}


def regarding_navigations(client: DataverseClient) -> dict[str, list[str]]:
    return read_snapshot(client, ["sharepointdocumentlocation"]).tables["sharepointdocumentlocations"].navigations


def test_document_management_is_enabled_once_published_and_bindable(client: DataverseClient,
                                                                     dataverse: RunningDataverse) -> None:
    customer = created_id(client, "accounts", {"name": "Smith"})
    case = created_id(client, "incidents", {"title": "Smith v Jones",
                                            "customerid_account@odata.bind": f"/accounts({customer})"})
    with pytest.raises(DataverseRequestError) as refused:
        client.request("POST", "sharepointdocumentlocations", json_body=location(case))
    assert refused.value.code == "0x80048d19"  # an undeclared navigation property until it is enabled
    assert "regardingobjectid_incident" not in regarding_navigations(client)

    provisioner = SchemaProvisioner(client, "ClioMigration", "new", 15)
    report = provisioner.provision(REQUEST)
    assert [name for name in report.created if "." in name] == ["incident.document_management"]
    assert report.existing == ["opportunity.document_management"]
    assert report.conflicts == ["new_nothing.document_management: the table new_nothing does not exist"]
    state = dataverse.state
    assert state.definition_updates == [("incident", "true")]  # one PUT, with MSCRM.MergeLabels: true
    assert ("ClioMigration", "Entity", "incident") in state.solution_components
    assert "<entity>incident</entity>" in state.publications[-1]

    location_id = created_id(client, "sharepointdocumentlocations", location(case))
    read = client.get_json(f"sharepointdocumentlocations({location_id})", {"$select": "_regardingobjectid_value"})
    assert read["_regardingobjectid_value"] == case
    relationship = client.get_json("RelationshipDefinitions(SchemaName='incident_SharePointDocumentLocations')")
    assert (relationship["ReferencedEntity"], relationship["ReferencingEntityNavigationPropertyName"]) == \
        ("incident", "regardingobjectid_incident")
    assert regarding_navigations(client)["regardingobjectid_incident"] == ["incidents"]

    publications = len(state.publications)
    again = provisioner.provision(REQUEST)
    assert again.created == [] and again.conflicts == report.conflicts
    assert again.existing == ["incident.document_management", "opportunity.document_management"]
    assert state.definition_updates == [("incident", "true")] and len(state.publications) == publications
