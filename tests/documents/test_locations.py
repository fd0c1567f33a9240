"""Document locations on the Dataverse sandbox: the site, the library and area locations and a record folder's
location regarding its opportunity, bound by alternate key, loaded twice without change; a table without document
management (incident, contact) is reported, not bound; an org's own site row is reused, not copied."""
from __future__ import annotations

import time

from shared.dataverse.client import DataverseClient
from shared.dataverse.loader import LoadRow
from shared.dataverse.schema import ColumnSpec, KeySpec, SchemaProvisioner, SchemaRequest
from shared.documents.locations import LOCATION, SCHEMA, SITE, LocationRows
from shared.documents.models import RecordFolder
from shared.mapping.live_schema import read_snapshot
from tests.dataverse_client.conftest import client, dataverse  # noqa: F401  (fixtures)
from tests.dataverse_client.test_loader import load
from tests.dataverse_client.test_lookups import target

SITE_URL = "https://contoso.sharepoint.com/sites/ClioMigration"
OPPORTUNITY_KEYS = SchemaRequest(
    columns=[ColumnSpec(table="opportunity", schema_name=name, type="string", label=name, max_length=100)
             for name in ("new_ClioId", "new_ClioLoadHash")],
    keys=[KeySpec(table="opportunity", schema_name="new_clioid_key", columns=["new_clioid"])])


def _provision(client: DataverseClient) -> None:
    provisioner = SchemaProvisioner(client, "ClioMigration", "new", 15)
    # keys only: document management stays as a new org has it (off for case and contact)
    for request in (SCHEMA.model_copy(update={"document_management": []}), OPPORTUNITY_KEYS):
        assert provisioner.provision(request).conflicts == []
    deadline = time.monotonic() + 10
    while any(provisioner.key_statuses(t).get("new_clioid_key") != "Active"
              for t in ("sharepointsite", "sharepointdocumentlocation", "opportunity")):
        assert time.monotonic() < deadline
        time.sleep(0.05)


def _folders() -> list[RecordFolder]:
    return [RecordFolder(resource="matters", clio_id="11", area="Matters", name="00011-Smith",
                         entity_sets=["opportunities"]),
            RecordFolder(resource="matters", clio_id="12", area="Matters", name="00012-Jones",
                         entity_sets=["incidents"]),
            RecordFolder(resource="contacts", clio_id="13", area="Contacts", name="Ann Lee (13)",
                         entity_sets=["contacts"])]


def _load_all(client: DataverseClient, rows: LocationRows, regarding: dict[str, list[str]]) -> dict[str, str]:
    records, lines = rows.records(_folders(), regarding)
    assert [line.path for line in lines] == ["Matters/00012-Jones", "Contacts/Ann Lee (13)"]
    assert all("document management is not enabled" in line.reason for line in lines)
    outcomes = {**load(client, SITE, rows.site()), **load(client, LOCATION, rows.containers({"Matters", "Contacts"})),
                **load(client, LOCATION, records)}
    return {key: outcome.action for key, outcome in outcomes.items()}


def test_locations_chain_site_library_area_and_record(client: DataverseClient) -> None:
    _provision(client)
    load(client, target("opportunities", "opportunity"), [LoadRow(key="11", values={"name": "Smith"})])
    regarding = read_snapshot(client, ["sharepointdocumentlocation"]).tables["sharepointdocumentlocations"].navigations
    assert "regardingobjectid_opportunity" in regarding and "regardingobjectid_incident" not in regarding
    rows = LocationRows(SITE_URL, "Clio Migration", "Documents", "Shared Documents", None)
    first = _load_all(client, rows, regarding)
    assert set(first.values()) == {"created"} and len(first) == 5  # site, library, 2 areas, 1 record folder
    assert set(_load_all(client, rows, regarding).values()) == {"unchanged"}

    record = client.query("sharepointdocumentlocations", {
        "$filter": "relativeurl eq '00011-Smith'",
        "$select": "_regardingobjectid_value,_parentsiteorlocation_value,name"})[0]
    opportunity = client.query("opportunities", {"$filter": "new_clioid eq '11'", "$select": "opportunityid"})[0]
    assert record["_regardingobjectid_value"] == opportunity["opportunityid"]
    chain = []
    parent = record["_parentsiteorlocation_value"]
    for _ in range(2):
        row = client.get_json(f"sharepointdocumentlocations({parent})")
        chain.append(row["relativeurl"])
        parent = row["_parentsiteorlocation_value"]
    site = client.get_json(f"sharepointsites({parent})")
    assert chain == ["Matters", "Shared Documents"] and site["absoluteurl"] == SITE_URL


def test_an_existing_site_row_is_reused(client: DataverseClient) -> None:
    _provision(client)
    created = client.request("POST", "sharepointsites", json_body={"name": "Firm site", "absoluteurl": SITE_URL},
                             headers={"Prefer": "return=representation"}).json()
    rows = LocationRows(SITE_URL, "Clio Migration", "Documents", "Shared Documents", created["sharepointsiteid"])
    assert rows.site() == []
    outcomes = load(client, LOCATION, rows.containers({"Matters"}))
    assert {o.action for o in outcomes.values()} == {"created"}
    library = client.query("sharepointdocumentlocations", {"$filter": "relativeurl eq 'Shared Documents'",
                                                          "$select": "_parentsiteorlocation_value"})[0]
    assert library["_parentsiteorlocation_value"] == created["sharepointsiteid"]
    assert len(client.query("sharepointsites", {"$select": "sharepointsiteid"})) == 1
