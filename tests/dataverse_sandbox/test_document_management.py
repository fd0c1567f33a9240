"""Document management on a table (dataverse.md §10): `IsDocumentManagementEnabled` served, and enabled by a PUT of
the table's full definition with `MSCRM.MergeLabels: true` (§8, TBL "Update table definitions"), which makes the
table a `regardingobjectid_<table>` target of sharepointdocumentlocation."""
from __future__ import annotations

from typing import Any

from sandboxes.dataverse import DataverseConfig, create_app, dataverse_state
from tests.dataverse_sandbox.conftest import APP, Sandbox, error_of

MERGE = {"MSCRM.MergeLabels": "true"}


def definition(sandbox: Sandbox, selector: str) -> dict[str, Any]:
    response = sandbox.call("GET", f"EntityDefinitions({selector})")
    assert response.status_code == 200, response.text
    return dict(response.json())


def enable(sandbox: Sandbox, table: str) -> Any:
    body = {**definition(sandbox, f"LogicalName='{table}'"), "IsDocumentManagementEnabled": True}
    return sandbox.call("PUT", f"EntityDefinitions(LogicalName='{table}')", json=body, headers=MERGE)


def locate(sandbox: Sandbox, regarding: str, entity_set: str, row_id: str) -> Any:
    return sandbox.call("POST", "sharepointdocumentlocations", json={
        "name": "Case folder", "relativeurl": "case_1", f"{regarding}@odata.bind": f"/{entity_set}({row_id})"})


def new_case(sandbox: Sandbox) -> str:
    customer = sandbox.create("accounts", {"name": "Smith"})
    return sandbox.create("incidents", {"title": "Smith v Jones", "customerid_account@odata.bind":
                                        f"/accounts({customer})"})


def test_the_flag_is_served_from_the_regarding_navigations(sandbox: Sandbox) -> None:
    listed = sandbox.call("GET", "EntityDefinitions?$select=LogicalName,IsDocumentManagementEnabled").json()["value"]
    flags = {item["LogicalName"]: item["IsDocumentManagementEnabled"] for item in listed}
    assert {name: flags[name] for name in ("account", "opportunity", "product", "incident", "contact")} == {
        "account": True, "opportunity": True, "product": True, "incident": False, "contact": False}
    assert definition(sandbox, "LogicalName='incident'")["IsCustomizable"]["Value"] is True


def test_enabling_makes_the_regarding_navigation_bindable(sandbox: Sandbox) -> None:
    case = new_case(sandbox)
    status, code, message = error_of(locate(sandbox, "regardingobjectid_incident", "incidents", case))
    assert (status, code) == (400, "0x80048d19") and "undeclared property 'regardingobjectid_incident'" in message
    publications = len(sandbox.state.publications)
    response = enable(sandbox, "incident")
    assert (response.status_code, response.content) == (204, b"")
    assert sandbox.state.definition_updates == [("incident", "true")]
    assert len(sandbox.state.publications) == publications  # applies at once, as other metadata changes here
    assert definition(sandbox, "LogicalName='incident'")["IsDocumentManagementEnabled"] is True
    location = locate(sandbox, "regardingobjectid_incident", "incidents", case)
    assert location.status_code == 204, location.text
    row_id = location.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")
    read = sandbox.call("GET", f"sharepointdocumentlocations({row_id})?$select=_regardingobjectid_value").json()
    assert read["_regardingobjectid_value"] == case
    assert error_of(locate(sandbox, "regardingobjectid_incident", "accounts", case))[1] == "0x80048d19"
    relationship = sandbox.call("GET", "RelationshipDefinitions(SchemaName='incident_SharePointDocumentLocations')")
    assert relationship.status_code == 200, relationship.text
    assert {key: relationship.json()[key] for key in ("ReferencedEntity", "ReferencingEntity", "ReferencingAttribute",
                                                      "ReferencingEntityNavigationPropertyName")} == {
        "ReferencedEntity": "incident", "ReferencingEntity": "sharepointdocumentlocation",
        "ReferencingAttribute": "regardingobjectid",
        "ReferencingEntityNavigationPropertyName": "regardingobjectid_incident"}
    many_to_one = sandbox.call("GET", "EntityDefinitions(LogicalName='sharepointdocumentlocation')/"
                                      "ManyToOneRelationships?$select=SchemaName").json()["value"]
    assert "incident_SharePointDocumentLocations" in {item["SchemaName"] for item in many_to_one}
    # Putting the same definition again changes nothing; deleting the case deletes its location (§12 Cascade).
    assert enable(sandbox, "incident").status_code == 204
    names = [item["SchemaName"] for item in
             sandbox.call("GET", "RelationshipDefinitions?$select=SchemaName").json()["value"]]
    assert names.count("incident_SharePointDocumentLocations") == 1
    assert sandbox.call("DELETE", f"incidents({case})").status_code == 204
    assert sandbox.state.rows("sharepointdocumentlocations") == []


def test_a_put_addressed_by_metadata_id_in_a_solution(sandbox: Sandbox) -> None:
    publisher = sandbox.create("publishers", {"uniquename": "clio", "friendlyname": "Clio",
                                              "customizationprefix": "cm"})
    sandbox.create("solutions", {"uniquename": "ClioMigration", "friendlyname": "Clio", "version": "1.0",
                                 "publisherid@odata.bind": f"/publishers({publisher})"})
    body = {**definition(sandbox, "LogicalName='contact'"), "IsDocumentManagementEnabled": True}
    response = sandbox.call("PUT", f"EntityDefinitions({body['MetadataId']})", json=body,
                            headers={**MERGE, "MSCRM.SolutionUniqueName": "ClioMigration"})
    assert response.status_code == 204, response.text
    assert ("ClioMigration", "Entity", "contact") in sandbox.state.solution_components
    contact = sandbox.create("contacts", {"lastname": "Smith"})
    assert locate(sandbox, "regardingobjectid_contact", "contacts", contact).status_code == 204


def test_the_put_is_strict(sandbox: Sandbox) -> None:
    incident = definition(sandbox, "LogicalName='incident'")
    url = "EntityDefinitions(LogicalName='incident')"

    def put(body: Any, path: str = url, headers: dict[str, str] = MERGE) -> tuple[int, str, str]:
        return error_of(sandbox.call("PUT", path, json=body, headers=headers))

    # Only the changed property: Dataverse would reset the rest, so the sandbox refuses it.
    status, code, message = put({"IsDocumentManagementEnabled": True})
    assert (status, code) == (400, "0x80040203") and "missing: EntitySetName" in message
    account = {**definition(sandbox, "LogicalName='account'"), "IsDocumentManagementEnabled": True}
    assert "for another table" in put(account)[2]
    assert put({**incident, "IsDocumentManagementEnabled": True, "OwnershipType": "OrganizationOwned"})[2].endswith(
        "differ from the table's definition: OwnershipType.")
    assert put({**incident, "@odata.type": "#Microsoft.Dynamics.CRM.AttributeMetadata"})[1] == "0x80040203"
    assert put({**incident, "IsDocumentManagementEnabled": "yes"})[1] == "0x80040203"
    assert put({**incident, "IsDocumentManagementEnabled": True}, headers={"MSCRM.MergeLabels": "maybe"})[0] == 400
    assert "does not turn document management off" in put({**account, "IsDocumentManagementEnabled": False},
                                                          "EntityDefinitions(LogicalName='account')")[2]
    publisher = {**definition(sandbox, "LogicalName='publisher'"), "IsDocumentManagementEnabled": True}
    assert put(publisher, "EntityDefinitions(LogicalName='publisher')")[:2] == (400, "0x80047008")
    detail = {**definition(sandbox, "LogicalName='invoicedetail'"), "IsDocumentManagementEnabled": True}
    assert put(detail, "EntityDefinitions(LogicalName='invoicedetail')")[:2] == (400, "0x8004F313")
    assert put({**incident, "IsDocumentManagementEnabled": True},
               "EntityDefinitions(LogicalName='new_nothing')")[:2] == (404, "0x80040217")
    assert sandbox.call("PATCH", url, json={"IsDocumentManagementEnabled": True}).status_code == 405
    assert definition(sandbox, "LogicalName='incident'")["IsDocumentManagementEnabled"] is False
    assert sandbox.state.definition_updates == []
    # Without MSCRM.MergeLabels Dataverse takes it as false (TBL); the sandbox serves no labels, so it accepts that.
    assert sandbox.call("PUT", url, json={**incident, "IsDocumentManagementEnabled": True}).status_code == 204
    assert sandbox.state.definition_updates == [("incident", None)]


def test_a_new_table_can_ask_for_it_and_a_snapshot_keeps_it(sandbox: Sandbox) -> None:
    table = {"@odata.type": "Microsoft.Dynamics.CRM.EntityMetadata", "SchemaName": "new_Matter",
             "OwnershipType": "UserOwned", "HasNotes": True, "HasActivities": False,
             "IsDocumentManagementEnabled": True,
             "Attributes": [{"@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata",
                             "SchemaName": "new_Name", "IsPrimaryName": True, "MaxLength": 200}]}
    assert sandbox.call("POST", "EntityDefinitions", json=table).status_code == 204
    assert definition(sandbox, "LogicalName='new_matter'")["IsDocumentManagementEnabled"] is True
    assert enable(sandbox, "incident").status_code == 204
    case = new_case(sandbox)
    assert locate(sandbox, "regardingobjectid_incident", "incidents", case).status_code == 204
    exported = sandbox.state.export()
    assert exported["_metadata"]["incident"] == {"columns": {}, "keys": [], "document_management": True}
    assert "relationships" not in exported["_metadata"].get("sharepointdocumentlocation", {})
    reloaded = dataverse_state(create_app(DataverseConfig(application_users=[APP]), snapshot=exported))
    flags = {name: reloaded.catalog.require_logical("sharepointdocumentlocation").binds.get(
        f"regardingobjectid_{name}") for name in ("incident", "new_matter", "contact")}
    assert flags == {"incident": ("incidents",), "new_matter": ("new_matters",), "contact": None}
    assert reloaded.rows("sharepointdocumentlocations")[0]["_regardingobjectid_value"] == case
    assert reloaded.export() == exported
