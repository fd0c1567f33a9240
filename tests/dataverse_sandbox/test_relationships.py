"""Custom lookups through `RelationshipDefinitions` (dataverse.md §5, §8) and the metadata reads a live schema
snapshot needs: `$expand`, derived-type casts, ManyToOne/OneToManyRelationships."""
from __future__ import annotations

from typing import Any

from sandboxes.dataverse import DataverseConfig, create_app, dataverse_state
from tests.dataverse_sandbox.conftest import APP, Sandbox, error_of

TABLE = {"@odata.type": "Microsoft.Dynamics.CRM.EntityMetadata", "SchemaName": "new_TimeEntry",
         "OwnershipType": "UserOwned", "HasNotes": False, "HasActivities": False,
         "Attributes": [{"@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata", "SchemaName": "new_Name",
                         "IsPrimaryName": True, "MaxLength": 200}]}
CLIO_ID = {"@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata", "SchemaName": "new_ClioId",
           "MaxLength": 40}


def relationship(lookup: str = "new_OpportunityId", name: str = "new_opportunity_new_timeentry",
                 referenced: str = "opportunity", **extra: Any) -> dict[str, Any]:
    return {"@odata.type": "Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata", "SchemaName": name,
            "ReferencedEntity": referenced, "ReferencingEntity": "new_timeentry",
            "CascadeConfiguration": {"Delete": "RemoveLink"}, **extra,
            "Lookup": {"@odata.type": "Microsoft.Dynamics.CRM.LookupAttributeMetadata", "AttributeType": "Lookup",
                       "SchemaName": lookup}}


def _with_time_entries(sandbox: Sandbox) -> None:
    assert sandbox.call("POST", "EntityDefinitions", json=TABLE).status_code == 204
    response = sandbox.call("POST", "RelationshipDefinitions", json=relationship())
    assert response.status_code == 204, response.text
    assert "/RelationshipDefinitions(" in response.headers["OData-EntityId"]


def test_create_validates_like_dataverse(sandbox: Sandbox) -> None:
    assert sandbox.call("POST", "EntityDefinitions", json=TABLE).status_code == 204
    assert error_of(sandbox.call("POST", "RelationshipDefinitions", json=relationship(referenced="new_nothing")))[:2] \
        == (404, "0x80040217")
    assert error_of(sandbox.call("POST", "RelationshipDefinitions", json=relationship(
        name="opportunity_new_timeentry")))[:2] == (400, "0x80048403")
    assert error_of(sandbox.call("POST", "RelationshipDefinitions", json=relationship(lookup="OpportunityId")))[1] \
        == "0x80048403"
    assert error_of(sandbox.call("POST", "RelationshipDefinitions", json={**relationship(), "@odata.type": "x"}))[1] \
        == "0x80040203"
    assert error_of(sandbox.call("POST", "RelationshipDefinitions", json=relationship(
        CascadeConfiguration={"Delete": "NoCascade"})))[1] == "0x80040203"
    assert sandbox.call("POST", "RelationshipDefinitions", json=relationship()).status_code == 204
    assert error_of(sandbox.call("POST", "RelationshipDefinitions", json=relationship(lookup="new_Other")))[:2] == \
        (400, "0x80047013")  # the relationship SchemaName is taken
    assert error_of(sandbox.call("POST", "RelationshipDefinitions", json=relationship(name="new_second")))[1] == \
        "0x80060304"  # the lookup column exists on the table
    assert ("new_opportunity_new_timeentry", "new_timeentry", "new_opportunityid") in {
        (item.schema_name, item.referencing, item.lookup) for item in sandbox.state.catalog.relationships.values()}


def test_relationship_and_lookup_metadata_reads(sandbox: Sandbox) -> None:
    _with_time_entries(sandbox)
    by_name = sandbox.call("GET", "RelationshipDefinitions(SchemaName='new_opportunity_new_timeentry')").json()
    assert (by_name["ReferencingEntityNavigationPropertyName"], by_name["ReferencingAttribute"],
            by_name["ReferencedAttribute"], by_name["IsCustomRelationship"]) == \
        ("new_OpportunityId", "new_opportunityid", "opportunityid", True)
    cast = sandbox.call("GET", f"RelationshipDefinitions({by_name['MetadataId']})/Microsoft.Dynamics.CRM."
                               "OneToManyRelationshipMetadata?$select=SchemaName").json()
    assert cast["SchemaName"] == "new_opportunity_new_timeentry"
    assert error_of(sandbox.call("GET", "RelationshipDefinitions(SchemaName='nope')"))[0] == 404
    many_to_one = sandbox.call("GET", "EntityDefinitions(LogicalName='new_timeentry')/ManyToOneRelationships?"
                                      "$select=ReferencedEntity,ReferencingEntityNavigationPropertyName").json()
    assert {"ReferencedEntity": "opportunity", "ReferencingEntityNavigationPropertyName": "new_OpportunityId"} in \
        [{k: v for k, v in item.items() if k[0] != "@" and k != "MetadataId"} for item in many_to_one["value"]]
    one_to_many = sandbox.call("GET", "EntityDefinitions(LogicalName='opportunity')/OneToManyRelationships").json()
    assert "new_opportunity_new_timeentry" in {item["SchemaName"] for item in one_to_many["value"]}
    lookup = sandbox.call("GET", "EntityDefinitions(LogicalName='new_timeentry')/Attributes(LogicalName="
                                 "'new_opportunityid')/Microsoft.Dynamics.CRM.LookupAttributeMetadata?"
                                 "$select=AttributeType,Targets").json()
    assert (lookup["AttributeType"], lookup["Targets"]) == ("Lookup", ["opportunity"])
    # Targets is a LookupAttributeMetadata property: not on the base type without a cast (OData typing).
    assert "Could not find a property named 'Targets'" in error_of(sandbox.call(
        "GET", "EntityDefinitions(LogicalName='new_timeentry')/Attributes?$select=LogicalName,Targets"))[2]


def test_records_bind_through_a_custom_lookup(sandbox: Sandbox) -> None:
    _with_time_entries(sandbox)
    for table in ("opportunity", "new_timeentry"):
        assert sandbox.call("POST", f"EntityDefinitions(LogicalName='{table}')/Attributes", json=CLIO_ID
                            ).status_code == 204
        assert sandbox.call("POST", f"EntityDefinitions(LogicalName='{table}')/Keys", json={
            "SchemaName": "new_clioid_key", "KeyAttributes": ["new_clioid"]}).status_code == 204
    sandbox.state.clock.advance(60)
    matter = sandbox.create("opportunities", {"name": "Smith v Jones", "new_clioid": "M-1"})
    account = sandbox.create("accounts", {"name": "Smith"})
    by_key = sandbox.call("PATCH", "new_timeentries(new_clioid='T-1')", json={
        "new_name": "Call", "new_OpportunityId@odata.bind": "/opportunities(new_clioid='M-1')"})
    assert by_key.status_code == 204, by_key.text
    sandbox.create("new_timeentries", {"new_name": "Draft",
                                       "new_OpportunityId@odata.bind": f"/opportunities({matter})"})
    assert error_of(sandbox.call("POST", "new_timeentries", json={
        "new_name": "x", "new_OpportunityId@odata.bind": f"/accounts({account})"}))[:2] == (400, "0x80048d19")
    assert "undeclared property 'new_opportunityid' which only has property annotations" in error_of(sandbox.call(
        "POST", "new_timeentries", json={"new_name": "x", "new_opportunityid@odata.bind": f"/opportunities({matter})"}
    ))[2]
    assert error_of(sandbox.call("POST", "new_timeentries", json={"new_name": "x", "new_opportunityid": matter}))[0] \
        == 400
    rows = sandbox.call("GET", f"new_timeentries?$select=new_name,_new_opportunityid_value&"
                               f"$filter=_new_opportunityid_value eq {matter}&$orderby=new_name").json()["value"]
    assert [(row["new_name"], row["_new_opportunityid_value"]) for row in rows] == [("Call", matter),
                                                                                   ("Draft", matter)]
    assert sandbox.call("DELETE", f"opportunities({matter})").status_code == 204  # RemoveLink
    assert {row["_new_opportunityid_value"] for row in sandbox.state.rows("new_timeentries")} == {None}


def test_restrict_blocks_the_parent_delete_and_lookups_survive_a_snapshot(sandbox: Sandbox) -> None:
    assert sandbox.call("POST", "EntityDefinitions", json=TABLE).status_code == 204
    body = relationship("new_AccountId", "new_account_new_timeentry", "account",
                        CascadeConfiguration={"Delete": "Restrict"})
    assert sandbox.call("POST", "RelationshipDefinitions", json=body).status_code == 204
    account = sandbox.create("accounts", {"name": "Smith"})
    sandbox.create("new_timeentries", {"new_name": "t", "new_AccountId@odata.bind": f"/accounts({account})"})
    assert error_of(sandbox.call("DELETE", f"accounts({account})"))[:2] == (400, "0x80040227")
    exported = sandbox.state.export()
    assert "new_accountid" not in exported["_metadata"]["new_timeentry"]["columns"]
    again = dataverse_state(create_app(DataverseConfig(application_users=[APP]), exported))
    assert again.export() == exported
    assert again.table("new_timeentry").binds["new_AccountId"] == ("accounts",)


def test_standard_tables_metadata_as_the_service_types_it(sandbox: Sandbox) -> None:
    entity = sandbox.call("GET", "EntityDefinitions(LogicalName='contact')?$select=LogicalName,EntitySetName&"
                                 "$expand=Attributes($select=LogicalName,AttributeType,IsValidForCreate),"
                                 "ManyToOneRelationships($select=ReferencedEntity,ReferencingAttribute,"
                                 "ReferencingEntityNavigationPropertyName)").json()
    assert entity["EntitySetName"] == "contacts" and "PrimaryIdAttribute" not in entity
    types = {item["LogicalName"]: (item["AttributeType"], item["IsValidForCreate"]) for item in entity["Attributes"]}
    assert (types["statecode"], types["statuscode"], types["ownerid"], types["parentcustomerid"],
            types["createdby"], types["contactid"][0]) == (("State", True), ("Status", True), ("Owner", True),
                                                          ("Customer", True), ("Lookup", False), "Uniqueidentifier")
    navs = {(item["ReferencingEntityNavigationPropertyName"], item["ReferencedEntity"])
            for item in entity["ManyToOneRelationships"]}
    assert {("parentcustomerid_account", "account"), ("parentcustomerid_contact", "contact"),
            ("ownerid", "owner")} <= navs
    owner = sandbox.call("GET", "EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='ownerid')/"
                                "Microsoft.Dynamics.CRM.LookupAttributeMetadata?$select=Targets").json()
    assert owner["Targets"] == ["systemuser", "team"]
    picklists = sandbox.call("GET", "EntityDefinitions(LogicalName='opportunity')/Attributes/Microsoft.Dynamics.CRM."
                                    "PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)"
                                    ).json()["value"]
    options = {item["LogicalName"]: [o["Value"] for o in item["OptionSet"]["Options"]] for item in picklists}
    assert options["opportunityratingcode"] == [1, 2, 3] and "statecode" not in options
    state = sandbox.call("GET", "EntityDefinitions(LogicalName='opportunity')/Attributes/Microsoft.Dynamics.CRM."
                                "StateAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)"
                                ).json()["value"]
    assert [o["Value"] for o in state[0]["OptionSet"]["Options"]] == [0, 1, 2]
    plain = sandbox.call("GET", "EntityDefinitions(LogicalName='opportunity')/Attributes/Microsoft.Dynamics.CRM."
                                "PicklistAttributeMetadata?$select=LogicalName").json()["value"]
    assert all("OptionSet" not in item for item in plain)
    assert error_of(sandbox.call("GET", "EntityDefinitions(LogicalName='opportunity')/Attributes?$select=LogicalName"
                                        "&$expand=OptionSet"))[0] == 400
    strings = sandbox.call("GET", "EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM."
                                  "StringAttributeMetadata?$select=LogicalName,MaxLength").json()["value"]
    assert {item["LogicalName"]: item["MaxLength"] for item in strings}["name"] == 160
