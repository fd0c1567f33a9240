"""A whole migration of a generated firm through the portal's API, then its rollback, on the embedded stack.

Before the migration the org is prepared (schema provisioned) and holds rows of its own, two of them with the
Clio ids the migration will match and update; SharePoint holds a folder and a file of its own. After the rollback
the Dataverse export equals the one taken before the migration, SYSTEM_MAINTAINED columns of the rows restored
aside, and SharePoint holds exactly what it held. A dry run first writes nothing. A row someone edits after the
migration is reported and kept (with what it points at) until `force`. Killed mid-way and started again, the
rollback finishes cleanly; another run then finds nothing left to do."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from localrun.demo import migrate
from localrun.host import LocalHost
from localrun.stack import LocalStack
from localrun.store import TaskHubStore
from shared.dataverse.client import DataverseClient
from shared.dataverse.schema import SchemaProvisioner, SchemaRequest
from shared.documents.locations import SCHEMA as LOCATION_SCHEMA
from shared.graph.client import GraphClient
from shared.mapping.maps import load_map
from shared.rollback.paths import instance_id
from shared.settings import Settings
from tests.clio_client.conftest import tiny_firm  # noqa: F401  (fixture)
from tests.migration.conftest import stack  # noqa: F401  (fixture)
from tests.rollback.conftest import differences, report, rewritten, roll_back

ROOT = Path(__file__).resolve().parents[2]


def _prepare(settings: Settings, firm: dict[str, Any]) -> dict[str, str]:
    """The org as the firm had it: the schema provisioned, an account nobody migrates, and an account and a contact
    holding the Clio ids of one of the firm's companies and people (from an earlier manual import)."""
    client = DataverseClient(settings)
    provisioner = SchemaProvisioner(client, settings.dataverse_solution, settings.dataverse_publisher_prefix, 15)
    for request in (load_map().target_schema, LOCATION_SCHEMA):
        assert provisioner.provision(SchemaRequest.model_validate(request.model_dump())).conflicts == []
    deadline = time.monotonic() + 30
    while any(status != "Active" for request in (load_map().target_schema, LOCATION_SCHEMA) for key in request.keys
              for status in [provisioner.key_statuses(key.table).get(key.schema_name.lower())]):
        assert time.monotonic() < deadline, "key indexes did not become Active"
        time.sleep(0.1)
    company = next(c for c in firm["contacts"] if c["type"] == "Company")
    person = next(c for c in firm["contacts"] if c["type"] == "Person" and not c.get("is_client"))
    created: dict[str, str] = {}
    for name, entity_set, body in (
            ("parent", "accounts", {"name": "Parent Ltd", "telephone1": "555-0000"}),
            ("company", "accounts", {"name": "Old Co (before)", "telephone1": "555-0100",
                                     "new_clioid": str(company["id"])}),
            ("person", "contacts", {"firstname": "Before", "lastname": "Import", "jobtitle": "Clerk",
                                    "new_clioid": str(person["id"])})):
        if name == "person":
            body["parentcustomerid_account@odata.bind"] = f"/accounts({created['parent']})"
        response = client.request("POST", entity_set, json_body=body)
        created[name] = response.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")
    client.close()
    return created


def _sharepoint(graph: GraphClient) -> dict[str, int]:
    """Every folder (path/) and file (path -> size) in the library."""
    library = graph.library()
    found: dict[str, int] = {}
    folders = [("", graph.root(library.id).id)]
    while folders:
        path, item_id = folders.pop()
        for child in graph.children(library.id, item_id):
            if child.is_folder:
                found[f"{path}{child.name}/"] = 0
                folders.append((f"{path}{child.name}/", child.id))
            else:
                found[f"{path}{child.name}"] = child.size
    return found


def _own_files(graph: GraphClient) -> None:
    library = graph.library()
    folder = graph.ensure_folder(library.id, "Matters")
    graph.upload(library.id, folder.id, "Engagement terms.txt", [b"the firm's own file"], 19)


def _migrated(host: LocalHost, running: LocalStack, firm: dict[str, Any], migration_id: str) -> None:
    body = {"migration_id": migration_id, "sample_size": 50, "fallback_owner_email": running.dynamics_users[0],
            "case_practice_areas": [firm["practice_areas"][0]["id"]]}
    status = migrate(host, body, timeout=600)
    assert status["runtimeStatus"] == "Completed" and status["output"]["phase"] == "cutover", status


def test_a_migration_rolled_back_leaves_dataverse_and_sharepoint_as_they_were(
        stack: LocalStack, tiny_firm: tuple[Path, dict[str, Any]], rollback_host: LocalHost) -> None:  # noqa: F811
    settings = Settings()
    ours = _prepare(settings, tiny_firm[1])
    graph = GraphClient(settings)
    _own_files(graph)
    before, files_before = stack.dataverse.state.export(), _sharepoint(graph)

    _migrated(rollback_host, stack, tiny_firm[1], "m1")
    migrated, files_migrated = stack.dataverse.state.export(), _sharepoint(graph)
    assert len(files_migrated) > len(files_before) + len(tiny_firm[1]["documents"])
    assert {ours["company"], ours["person"]} <= rewritten(before, migrated, stack.dataverse.state)
    client = DataverseClient(settings)
    opportunity = client.query("opportunities", {"$select": "opportunityid,new_clioid,_customerid_value",
                                                 "$filter": "new_clioid ne null", "$top": "1"})[0]
    client.request("PATCH", f"opportunities({opportunity['opportunityid']})", json_body={"name": "Renamed by Dana"},
                   headers={"If-Match": "*"})
    edited = stack.dataverse.state.export()

    dry = roll_back(rollback_host, "m1", dry_run=True)
    assert stack.dataverse.state.export() == edited and _sharepoint(graph) == files_migrated
    assert dry["totals"]["would-restore"] == 2 and dry["totals"]["would-delete"] > 300, dry

    kept = roll_back(rollback_host, "m1")
    attention = {(line["table"], line["key"]): line for line in report(kept)["attention"]}
    assert attention[("opportunities", opportunity["new_clioid"])]["outcome"] == "kept-edited"
    assert attention[("accounts", _key_of(client, "accounts", opportunity["_customerid_value"]))]["outcome"] == "kept"
    assert (stack.dataverse.state.store.get("opportunity", opportunity["opportunityid"]) or {}).get("name") == \
        "Renamed by Dana"
    assert _sharepoint(graph) == files_before
    assert "failed" not in kept["totals"], report(kept)["attention"][:5]

    assert differences(before, stack.dataverse.state.export())[0].startswith("_metadata")  # the firm's custom fields
    forced = roll_back(rollback_host, "m1", force=True, remove_schema=True)
    assert forced["totals"].get("forced") == 1 and "failed" not in forced["totals"], forced
    after = stack.dataverse.state.export()
    assert differences(before, after) == []
    assert rewritten(before, after, stack.dataverse.state) == {ours["company"], ours["person"]}
    assert _sharepoint(graph) == files_before
    client.close()
    graph.close()


def _key_of(client: DataverseClient, entity_set: str, row_id: str) -> str:
    primary = entity_set[:-1] + "id"
    return str(client.query(entity_set, {"$select": "new_clioid", "$filter": f"{primary} eq {row_id}"})[0]["new_clioid"])


def _command(migration_id: str) -> list[str]:
    """The local runner driving the rollback in a process of its own, as the Functions host would."""
    return [sys.executable, "-m", "localrun", "run", "--orchestrator",
            "rollback_migration", "--instance-id", instance_id(migration_id), "--input",
            json.dumps({"migration_id": migration_id, "remove_schema": True}), "--timeout", "600"]


def test_a_rollback_killed_mid_way_finishes_when_started_again(
        stack: LocalStack, tiny_firm: tuple[Path, dict[str, Any]], rollback_host: LocalHost,  # noqa: F811
        storage_env: str) -> None:
    settings = Settings()
    _prepare(settings, tiny_firm[1])
    before = stack.dataverse.state.export()
    _migrated(rollback_host, stack, tiny_firm[1], "m2")

    store = TaskHubStore(os.environ["AzureWebJobsStorage"], storage_env)
    runner = subprocess.Popen(_command("m2"), cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while True:
        assert runner.poll() is None, (runner.stderr.read() if runner.stderr else b"").decode()[-3000:]
        assert time.monotonic() < deadline, "the rollback did not reach its second level"
        record = store.get_instance(instance_id("m2"))
        custom = json.loads(record.custom_status) if record and record.custom_status else {}
        if custom.get("level", 0) >= 2 and custom.get("phase") in ("restoring rows", "deleting rows"):
            break
        time.sleep(0.02)
    os.kill(runner.pid, signal.SIGKILL)
    runner.wait()
    record = store.get_instance(instance_id("m2"))
    assert record is not None and record.runtime_status == "Running", "the kill must land mid-run"

    resumed = subprocess.run(_command("m2"), cwd=ROOT, env=dict(os.environ), capture_output=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr.decode()[-3000:]
    output = json.loads(resumed.stdout.decode().strip().splitlines()[-1])["output"]
    assert set(output["totals"]) <= {"deleted", "restored", "already-done"}, output
    assert differences(before, stack.dataverse.state.export()) == []

    again = roll_back(rollback_host, "m2", remove_schema=True)
    assert set(again["totals"]) == {"already-done"}, again
    assert differences(before, stack.dataverse.state.export()) == []
