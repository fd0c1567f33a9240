"""Delta pickup end to end on the embedded stack: a migration run to cutover, then records created, changed and
deleted in the Clio sandbox through its API. One timer tick (overlapping ticks start one run) brings them to
Dataverse — new rows, changed columns, and the row of a record deleted with a webhook made inactive. A tick Clio
refuses says why and keeps the watermark, so the next one catches up. A delete whose webhook was lost is caught by
the final id sweep once the window closes, and the certificate lists it all."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from localrun.host import LocalHost
from localrun.stack import LocalStack, reset_service_clients
from shared.blobs import container
from shared.dataverse.shared_client import shared_dataverse_client
from shared.delta.paths import certificate_blob, instance_id, summary_blob
from shared.delta.window import read_window, record_delta
from shared.ledger import WriteLedger
from shared.settings import get_settings
from tests.clio_webhooks.function_server import FunctionServer
from tests.delta.conftest import MIGRATION, change, migrate_to_cutover

TIMER = "delta_pickup_tick"


def row(entity_set: str, key: str, select: str) -> dict[str, Any] | None:
    found = shared_dataverse_client(get_settings()).query(entity_set, {"$filter": f"new_clioid eq '{key}'",
                                                                      "$select": select})
    return found[0] if found else None


def blob_json(path: str) -> Any:
    return json.loads(container(get_settings().raw_container).download_blob(path).readall())


def execution(host: LocalHost) -> str:
    record = host.store.get_instance(instance_id(MIGRATION))
    assert record is not None, "no delta run was started"
    return record.execution_id


def tick(host: LocalHost) -> dict[str, Any]:
    host.fire_timer(TIMER)
    status = host.run_until_complete(instance_id(MIGRATION), timeout=300)
    assert status["runtimeStatus"] == "Completed", str(status)[-3000:]
    output: dict[str, Any] = status["output"]
    return output


def test_changes_reach_dataverse_in_one_tick_and_a_missed_delete_is_swept(
        stack: LocalStack, delta_host: LocalHost, receiver: FunctionServer, clio_user: httpx.Client,
        tiny_firm: tuple[Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    firm = tiny_firm[1]
    output = migrate_to_cutover(delta_host, stack, firm)
    assert output["webhooks"]["configured"], output["webhooks"]
    client = next(c for c in firm["contacts"] if c.get("is_client") and c["type"] == "Company")
    person = next(c for c in firm["contacts"] if c["type"] == "Person" and not c.get("is_client"))
    assignee = next(u for u in firm["users"] if u.get("enabled"))
    gone_task, missed_entry = firm["tasks"][0], firm["calendar_entries"][0]

    ada = change(clio_user, "POST", "/contacts.json", {"type": "Person", "first_name": "Ada", "last_name": "Delta"})
    matter = change(clio_user, "POST", "/matters.json", {"client": {"id": client["id"]},
                                                         "description": "Opened after cutover"})
    task = change(clio_user, "POST", "/tasks.json", {"name": "Call after cutover", "description": "new",
                                                     "assignee": {"id": assignee["id"], "type": "User"},
                                                     "matter": {"id": matter["id"]}})
    change(clio_user, "PATCH", f"/contacts/{person['id']}.json", {"title": "Partner since cutover"})
    change(clio_user, "DELETE", f"/tasks/{gone_task['id']}.json")
    assert stack.clio.state.wait_for_webhooks()
    stack.clio.state.drop_webhook_deliveries(times=1)  # the calendar entry's delete never arrives
    change(clio_user, "DELETE", f"/calendar_entries/{missed_entry['id']}.json")
    assert stack.clio.state.wait_for_webhooks()

    delta_host.fire_timer(TIMER)
    first = execution(delta_host)
    delta_host.fire_timer(TIMER)  # overlaps the first run, which has not even started: no second one
    assert execution(delta_host) == first
    status = delta_host.run_until_complete(instance_id(MIGRATION), timeout=300)
    assert status["runtimeStatus"] == "Completed", str(status)[-3000:]
    output = status["output"]
    assert output["tick"] == 1 and output["failures"] == [], output
    assert output["deletes"]["webhook"] == {"deactivated": 1}, output

    new_contact = row("contacts", str(ada["id"]), "firstname,lastname,statecode")
    assert new_contact is not None and (new_contact["firstname"], new_contact["lastname"]) == ("Ada", "Delta")
    assert row("contacts", str(person["id"]), "jobtitle")["jobtitle"] == "Partner since cutover"  # type: ignore
    opportunity = row("opportunities", str(matter["id"]), "name,opportunityid")
    assert opportunity is not None and opportunity["name"] == "Opened after cutover"
    new_task = row("tasks", str(task["id"]), "subject,_regardingobjectid_value")
    assert new_task is not None and new_task["_regardingobjectid_value"] == opportunity["opportunityid"]
    cancelled = row("tasks", str(gone_task["id"]), "statecode,statuscode")
    assert cancelled is not None and (cancelled["statecode"], cancelled["statuscode"]) == (2, 6)
    assert row("appointments", str(missed_entry["id"]), "statecode")["statecode"] == 0  # type: ignore
    summary = blob_json(summary_blob(MIGRATION, 1))
    assert summary["reconciliation"]["unexplained"] == 0, summary["reconciliation"]
    ledger = WriteLedger(get_settings(), MIGRATION, "tasks").rows()[str(gone_task["id"])]
    deactivated = shared_dataverse_client(get_settings()).query("tasks", {
        "$filter": f"new_clioid eq '{gone_task['id']}'", "$select": "versionnumber,activityid"})[0]
    assert (ledger.last_action, ledger.version) == ("deactivated", str(deactivated["versionnumber"]))
    assert ledger.before_image is not None

    # a tick that cannot reach Clio says why, keeps the watermark, and the next tick picks up what it missed
    watermark = read_window(get_settings(), MIGRATION).watermark  # type: ignore[union-attr]
    change(clio_user, "PATCH", f"/matters/{matter['id']}.json", {"description": "Renamed while Clio refused us"})
    with monkeypatch.context() as refused_by_clio:
        refused_by_clio.setenv("CLIO_CLIENT_SECRET", "not the secret")
        reset_service_clients()
        refused = tick(delta_host)
    reset_service_clients()
    assert refused["tick"] == 2 and refused["staged"] == 0, refused
    assert any(f.startswith("extraction of matters: ") and "refused" in f for f in refused["failures"]), refused
    assert read_window(get_settings(), MIGRATION).watermark == watermark  # type: ignore[union-attr]

    # the window closes: the next tick is the final one
    record_delta(get_settings(), MIGRATION, DeltaWindowClosesAt=delta_host.engine.clock.now() - timedelta(seconds=1))
    final = tick(delta_host)
    assert final["final"] and final["failures"] == [] and final["deletes"]["sweep"] == {"deactivated": 1}, final
    assert row("opportunities", str(matter["id"]), "name")["name"] == "Renamed while Clio refused us"  # type: ignore
    appointment = row("appointments", str(missed_entry["id"]), "statecode,statuscode")
    assert appointment is not None and (appointment["statecode"], appointment["statuscode"]) == (2, 4)

    certificate = blob_json(certificate_blob(MIGRATION))
    assert certificate["final"] and certificate["ticks"] == 3 and certificate["failures"]
    assert all(failure.startswith("tick 2: ") for failure in certificate["failures"])
    assert certificate["last_sweep_at"] and certificate["watermark"]
    assert certificate["deletes_by_source"] == {"webhook": {"deactivated": 1}, "sweep": {"deactivated": 1}}
    deleted = {(line["source"], line["entity_set"], line["key"]) for line in certificate["deletes"]}
    assert deleted == {("webhook", "tasks", str(gone_task["id"])),
                       ("sweep", "appointments", str(missed_entry["id"]))}
    # the final tick re-read the first tick's records (the overlap): unchanged, not written again
    assert certificate["tables"]["contacts"] == {"created": 1, "updated": 1, "unchanged": 2, "failed": 0}
    assert certificate["tables"]["opportunities"] == {"created": 1, "updated": 1, "unchanged": 0, "failed": 0}
    assert certificate["tables"]["tasks"]["deactivated"] == 1
    html = container(get_settings().raw_container).download_blob(
        certificate_blob(MIGRATION).replace(".json", ".html")).readall().decode()
    assert "appointments" in html and str(missed_entry["id"]) in html

    window = read_window(get_settings(), MIGRATION)
    assert window is not None and window.finished_at is not None and window.ticks == 3
    finished = execution(delta_host)
    delta_host.fire_timer(TIMER)  # the certificate is written: no more runs
    assert execution(delta_host) == finished
