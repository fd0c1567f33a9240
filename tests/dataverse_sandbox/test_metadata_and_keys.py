"""Custom columns, tables, alternate keys, solutions, publish (dataverse.md §8) and key URLs (§2)."""
from __future__ import annotations

from typing import Any

from tests.dataverse_sandbox.conftest import Sandbox, error_of, make_sandbox

STRING = {"@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata", "AttributeType": "String",
          "SchemaName": "new_ClioId", "MaxLength": 20}


def _key(sandbox: Sandbox) -> None:
    assert sandbox.call("POST", "EntityDefinitions(LogicalName='account')/Attributes", json=STRING).status_code == 204
    response = sandbox.call("POST", "EntityDefinitions(LogicalName='account')/Keys",
                            json={"SchemaName": "new_clioid_key", "KeyAttributes": ["new_clioid"]})
    assert response.status_code == 204


def test_columns_prefix_duplicates_and_types(sandbox: Sandbox) -> None:
    assert sandbox.call("POST", "EntityDefinitions(LogicalName='account')/Attributes", json=STRING).status_code == 204
    assert error_of(sandbox.call("POST", "EntityDefinitions(LogicalName='account')/Attributes", json=STRING))[1] == \
        "0x80060304"
    assert error_of(sandbox.call("POST", "EntityDefinitions(LogicalName='account')/Attributes",
                                 json={**STRING, "SchemaName": "xyz_Other"}))[1] == "0x80048403"
    columns: list[tuple[str, dict[str, Any]]] = [("DateTimeAttributeMetadata", {"Format": "DateOnly"}), ("MoneyAttributeMetadata", {}),
                              ("BooleanAttributeMetadata", {}), ("IntegerAttributeMetadata", {}),
                              ("DecimalAttributeMetadata", {}), ("MemoAttributeMetadata", {}),
                              ("PicklistAttributeMetadata", {"OptionSet": {"Options": [{"Value": 100000000}]}})]
    for odata_type, extra in columns:
        body = {"@odata.type": f"Microsoft.Dynamics.CRM.{odata_type}", "SchemaName": f"new_{odata_type[:6]}", **extra}
        assert sandbox.call("POST", "EntityDefinitions(LogicalName='account')/Attributes", json=body).status_code == 204
    assert sandbox.call("POST", "accounts", json={"name": "x", "new_clioid": "c" * 21}).json()["error"]["code"] == \
        "0x80044331"
    assert sandbox.call("POST", "accounts", json={"name": "x", "new_DateTi": "2024-02-03"}).status_code == 400
    assert sandbox.call("POST", "accounts", json={"name": "x", "new_dateti": "2024-02-03",
                                                  "new_pickli": 100000000}).status_code == 204
    listed = sandbox.call("GET", "EntityDefinitions(LogicalName='account')/Attributes?$select=LogicalName").json()
    assert "new_clioid" in {item["LogicalName"] for item in listed["value"]}


def test_custom_table_solution_and_publish(sandbox: Sandbox) -> None:
    publisher = sandbox.create("publishers", {"uniquename": "clio", "friendlyname": "Clio",
                                              "customizationprefix": "cm"})
    sandbox.create("solutions", {"uniquename": "ClioMigration", "friendlyname": "Clio Migration", "version": "1.0",
                                 "publisherid@odata.bind": f"/publishers({publisher})"})
    table = {"@odata.type": "Microsoft.Dynamics.CRM.EntityMetadata", "SchemaName": "cm_Matter", "HasNotes": True,
             "HasActivities": True, "OwnershipType": "UserOwned",
             "Attributes": [{**STRING, "SchemaName": "cm_Name", "IsPrimaryName": True, "MaxLength": 200}]}
    headers = {"MSCRM.SolutionUniqueName": "ClioMigration"}
    assert error_of(sandbox.call("POST", "EntityDefinitions", headers=headers,
                                 json={**table, "SchemaName": "new_Matter"}))[1] == "0x80048403"
    assert sandbox.call("POST", "EntityDefinitions", json=table, headers=headers).status_code == 204
    read = sandbox.call("GET", "EntityDefinitions(LogicalName='cm_matter')?$select=EntitySetName,LogicalName,"
                               "PrimaryIdAttribute").json()
    assert (read["EntitySetName"], read["PrimaryIdAttribute"]) == ("cm_matters", "cm_matterid")
    assert ("ClioMigration", "Entity", "cm_matter") in sandbox.state.solution_components
    matter = sandbox.create("cm_matters", {"cm_name": "M-1"})
    assert sandbox.call("POST", "annotations", json={"subject": "n",
                                                     "objectid_cm_matter@odata.bind": f"/cm_matters({matter})"}
                        ).status_code == 204
    assert sandbox.call("POST", "PublishAllXml").status_code == 204


def test_key_pending_then_active_and_alternate_key_upsert() -> None:
    sandbox = make_sandbox(key_activation_delay_seconds=30)
    _key(sandbox)
    keys = sandbox.call("GET", "EntityDefinitions(LogicalName='account')/Keys?$select=SchemaName,KeyAttributes,"
                               "EntityKeyIndexStatus").json()["value"]
    assert keys[0]["EntityKeyIndexStatus"] == "Pending"
    assert error_of(sandbox.call("PATCH", "accounts(new_clioid='C1')", json={"name": "A"}))[0] == 400
    sandbox.state.clock.advance(31)
    assert sandbox.call("PATCH", "accounts(new_clioid='O''Brien')", json={"name": "A"}).status_code == 204
    row = sandbox.state.rows("accounts")[0]
    assert row["new_clioid"] == "O'Brien"
    response = sandbox.call("PATCH", "accounts(new_clioid='O''Brien')", json={"name": "B", "new_clioid": "other"})
    assert response.status_code == 204 and sandbox.state.rows("accounts")[0]["new_clioid"] == "O'Brien"
    assert response.headers["OData-EntityId"].endswith("accounts(new_clioid='O''Brien')")
    assert error_of(sandbox.call("PATCH", "accounts(new_clioid='none')", json={"name": "x"},
                                 headers={"If-Match": "*"}))[:2] == (404, "0x80060891")
    assert "not valid for resource" in error_of(sandbox.call("GET", "accounts(name='A')"))[2]
    assert error_of(sandbox.call("POST", "accounts", json={"name": "dup", "new_clioid": "O'Brien"}))[1] == "0x80060892"


def test_at_most_ten_keys_and_allowed_types(sandbox: Sandbox) -> None:
    assert error_of(sandbox.call("POST", "EntityDefinitions(LogicalName='account')/Keys",
                                 json={"SchemaName": "new_k", "KeyAttributes": ["donotemail"]}))[0] == 400
    for index in range(10):
        assert sandbox.call("POST", "EntityDefinitions(LogicalName='account')/Keys",
                            json={"SchemaName": f"new_k{index}", "KeyAttributes": ["accountnumber"]}).status_code == 204
    assert error_of(sandbox.call("POST", "EntityDefinitions(LogicalName='account')/Keys",
                                 json={"SchemaName": "new_k10", "KeyAttributes": ["name"]}))[0] == 400
