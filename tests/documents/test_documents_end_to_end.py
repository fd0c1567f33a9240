"""A generated small firm's documents through the real orchestration (local runner, Azurite, the Clio, Graph and
Dataverse sandboxes): extraction, matters and contacts loaded, then `move_clio_documents` held to Clio's off-peak
hours. Every document lands with the same bytes under its matter's folder, every matter's folder has its document
location regarding its opportunity or case (document management turned on for case), the ledger names every file
and folder we made, and running it again downloads nothing and changes nothing."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from localrun.host import LocalHost
from shared.blobs import container
from shared.dataverse.client import DataverseClient
from shared.dataverse.loader import AdaptiveSize, LoadRow, TableLoader, TableTarget
from shared.dataverse.schema import SchemaProvisioner
from shared.documents.models import RecordFolder
from shared.graph.client import GraphClient
from shared.ledger import WriteLedger
from shared.mapping.approval import approve
from shared.mapping.engine import CompiledMap
from shared.mapping.maps import load_map
from shared.settings import Settings, get_settings
from tests.dataverse_client.conftest import client, dataverse  # noqa: F401  (fixtures)
from tests.documents.conftest import Stack, expected_sha256, file_sha256

MIGRATION = "docs"
STREAMS = ["matters", "contacts", "folders", "documents", "practice_areas"]


def _provision(client: DataverseClient) -> None:
    provisioner = SchemaProvisioner(client, "ClioMigration", "new", 15)
    assert provisioner.provision(load_map().target_schema).conflicts == []  # the orchestrator keys the locations


def _load_records(client: DataverseClient, settings: Settings, compiled: CompiledMap,
                  records: dict[str, list[dict[str, Any]]]) -> None:
    """Accounts, then contacts, then matters (their customer lookups bind to the first two)."""
    for resource, entity_sets in (("contacts", ["accounts"]), ("contacts", ["contacts"]),
                                  ("matters", ["opportunities", "incidents"])):
        for table in compiled.for_resource(resource):
            target = table.table.target
            if target.entity_set not in entity_sets:
                continue
            rows = [row for row in (table.map(r) for r in records[resource]) if row is not None and row.loadable]
            loader = TableLoader(client, WriteLedger(settings, MIGRATION, target.entity_set),
                                 TableTarget.model_validate(target.model_dump()), "records", AdaptiveSize(200))
            outcomes = loader.load([LoadRow(key=row.key, values=row.values) for row in rows])
            assert {o.action for o in outcomes} <= {"created"}, [o.message for o in outcomes if o.message][:3]


def _records(raw: Any) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for blob in raw.list_blobs(name_starts_with=f"{MIGRATION}/clio/"):
        parts = blob.name.split("/")
        if len(parts) == 5 and parts[3] == "pages":
            found.setdefault(parts[2], []).extend(json.loads(raw.download_blob(blob.name).readall())["data"])
    return found


def _folders_in(graph: GraphClient, drive: str, item: str, path: str = "") -> set[str]:
    found = set()
    for child in graph.children(drive, item):
        if child.is_folder:
            found |= {f"{path}{child.name}"} | _folders_in(graph, drive, child.id, f"{path}{child.name}/")
    return found


def test_a_small_firm_documents_move_link_and_account(stack_with: Callable[..., Stack],
                                                      small_firm: tuple[Path, dict[str, Any]],
                                                      client: DataverseClient, app_host: LocalHost) -> None:
    hour = datetime.now(timezone.utc).hour
    stack = stack_with(small_firm[0], settings={"DOCUMENTS_OFF_PEAK_ONLY": "true", "DOCUMENTS_PER_BATCH": "20",
                                                "CLIO_PEAK_HOURS": f"{hour}-{hour + 1} UTC daily"})
    settings = get_settings()
    _provision(client)
    code, _ = app_host.api.start("extract_clio", "docs-extract", json.dumps({"migration_id": MIGRATION,
                                                                            "streams": STREAMS}))
    assert code == 202 and app_host.run_until_complete("docs-extract", 300)["runtimeStatus"] == "Completed"
    raw = container(settings.raw_container)
    records = _records(raw)
    parameters = {"case_practice_areas": [records["practice_areas"][0]["id"]]}
    compiled = CompiledMap(load_map(), parameters)
    _load_records(client, settings, compiled, records)
    raw.upload_blob(f"{MIGRATION}/mapping/approved.json",
                    approve(load_map(), "tester@firm.example", datetime.now(timezone.utc)).model_dump_json().encode())
    request = {"migration_id": MIGRATION, "approved_map_blob": f"{MIGRATION}/mapping/approved.json",
               "parameters": parameters}

    code, _ = app_host.api.start("move_clio_documents", "docs-1", json.dumps(request))
    assert code == 202
    status = app_host.run_until_complete("docs-1", 900)
    assert status["runtimeStatus"] == "Completed", status.get("output")
    result = status["output"]
    documents = small_firm[1]["documents"]
    moved = result["moved"]
    assert moved["created"] == result["plan"]["documents"] == len(documents) and moved["failed"] == 0
    assert result["report"]["documents"] == len(documents) and result["report"]["not_moved"] == 0

    # held until the peak hour the settings name had passed
    batches = app_host.status("docs-1:batches", show_history=True) or {}
    timers = [e for e in batches.get("historyEvents", []) if e.get("EventType") == "TimerFired"]
    assert timers and timers[0]["FireAt"].startswith(f"{datetime.now(timezone.utc):%Y-%m}")

    graph = GraphClient(settings)
    library = graph.library()
    outcomes = [json.loads(line) for blob in raw.list_blobs(name_starts_with=f"{MIGRATION}/documents/outcomes/")
                for line in raw.download_blob(blob.name).readall().decode().splitlines()]
    by_id = {d["id"]: d for d in documents}
    for outcome in outcomes:
        latest = by_id[outcome["document_id"]]["latest_document_version"]
        stored = stack.graph.state.item_at(outcome["path"])
        assert stored is not None and stored.id == outcome["item_id"]
        assert file_sha256(stack.graph.state.content_path(stored)) == outcome["sha256"] == \
            expected_sha256(latest["id"], latest["size"])

    folders = [RecordFolder.model_validate_json(line) for line in raw.download_blob(
        f"{MIGRATION}/documents/plan/folders.jsonl").readall().decode().splitlines()]
    locations = {row["relativeurl"]: row for row in client.query("sharepointdocumentlocations", {
        "$select": "relativeurl,_regardingobjectid_value,_parentsiteorlocation_value"})}
    report = json.loads(raw.download_blob(result["report"]["report"]).readall())
    unlinked = {line["path"] for line in report["lines"] if line["code"] == "NOT_LINKED"}
    assert unlinked == set()  # the schema step enabled document management on case
    for folder in folders:
        [entity_set] = folder.entity_sets
        primary = {"opportunities": "opportunityid", "incidents": "incidentid"}[entity_set]
        record = client.query(entity_set, {"$filter": f"new_clioid eq '{folder.clio_id}'", "$select": primary})[0]
        assert locations[folder.name]["_regardingobjectid_value"] == record[primary]
    assert {"opportunities", "incidents"} == {f.entity_sets[0] for f in folders}

    ledger_files = {}
    for index in range(result["plan"]["batches"]):
        ledger_files.update(WriteLedger(settings, MIGRATION, f"sharepoint-files|documents-{index:05d}").rows())
    assert {(row.dataverse_id, row.target) for row in ledger_files.values()} == \
        {(o["item_id"], o["path"]) for o in outcomes}
    ledger_folders = {row.target for row in WriteLedger(settings, MIGRATION, "sharepoint-folders").rows().values()}
    assert ledger_folders == _folders_in(graph, library.id, graph.root(library.id).id)

    code, _ = app_host.api.start("move_clio_documents", "docs-2", json.dumps(request))
    again = app_host.run_until_complete("docs-2", 600)["output"]
    assert again["moved"]["unchanged"] == len(documents) and again["moved"]["clio_requests"] == 0
    assert again["locations"]["unchanged"] == again["locations"]["locations"] and again["locations"]["failed"] == 0
    graph.close()
