"""The gates and the refusals of the portal API: an edited map replaces the proposal after a rejection, a rejected
sample goes back to the mapping, a cancel stops the migration and its sub-orchestrations, and every bad request is
a 4xx with a message that starts nothing."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from localrun.host import LocalHost
from localrun.stack import LocalStack
from shared.blobs import container
from shared.mapping.approval import ApprovedMap
from shared.migration.models import approved_map_blob
from shared.settings import get_settings
from shared.storage import table
from tests.migration.conftest import call

APPROVE = {"approved": True, "by": "lead@firm.example"}
REJECT = {"approved": False, "by": "lead@firm.example", "note": "not yet"}
GATES = {"awaiting mapping approval", "awaiting sample approval"}


def _clio_keyed_rows(stack: LocalStack) -> int:
    return sum(1 for rows in stack.dataverse.state.export().values() if isinstance(rows, list)
               for row in rows if row.get("new_clioid"))


def test_an_edited_map_and_a_rejected_sample_go_round_again(stack: LocalStack, app_host: LocalHost) -> None:
    assert call(app_host, "POST", "migrations", {"migration_id": "m2", "sample_size": 50,
                                                 "fallback_owner_email": stack.dynamics_users[0]})[0] == 202
    status = app_host.run_until_phase("migration-m2", GATES)
    assert status["customStatus"]["phase"] == "awaiting mapping approval"
    code, proposed = call(app_host, "GET", "migrations/m2/mapping")
    edited = {**proposed, "tables": [t for t in proposed["tables"] if t["name"] != "relationship_to_matter_party"]}
    assert call(app_host, "PUT", "migrations/m2/mapping", {**edited, "tables": "nope"})[0] == 400
    assert call(app_host, "POST", "migrations/m2/mapping/decision", {"approved": "maybe", "by": "x"})[0] == 400
    assert call(app_host, "PUT", "migrations/m2/mapping", edited)[0] == 202
    assert call(app_host, "POST", "migrations/m2/mapping/decision", REJECT)[0] == 202

    status = app_host.run_until_phase("migration-m2", GATES, after=status["customStatus"])
    assert (status["customStatus"]["phase"], status["customStatus"]["round"]) == ("awaiting mapping approval", 1)
    assert status["customStatus"]["proposal"]["source"] == "edited"
    assert call(app_host, "POST", "migrations/m2/mapping/decision", APPROVE)[0] == 202
    status = app_host.run_until_phase("migration-m2", GATES, after=status["customStatus"])
    assert status["customStatus"]["phase"] == "awaiting sample approval", str(status.get("output"))[:3000]
    assert _clio_keyed_rows(stack) == status["customStatus"]["sample"]["rows"]
    assert call(app_host, "POST", "migrations/m2/sample/decision", REJECT)[0] == 202  # back to the mapping

    status = app_host.run_until_phase("migration-m2", GATES, after=status["customStatus"])
    assert (status["customStatus"]["phase"], status["customStatus"]["round"]) == ("awaiting mapping approval", 2)
    assert _clio_keyed_rows(stack) == 0  # the rejected sample's rows were rolled back
    assert call(app_host, "POST", "migrations/m2/mapping/decision", APPROVE)[0] == 202
    status = app_host.run_until_phase("migration-m2", GATES, after=status["customStatus"])
    assert call(app_host, "POST", "migrations/m2/sample/decision", APPROVE)[0] == 202
    final = app_host.run_until_complete("migration-m2", timeout=900)
    assert final["output"]["phase"] == "cutover" and final["output"]["reconciliation"]["unexplained"] == 0
    approved = ApprovedMap.model_validate_json(
        container(get_settings().raw_container).download_blob(approved_map_blob("m2")).readall())
    assert "relationship_to_matter_party" not in {t.name for t in approved.map.tables}
    assert approved.approval.approved_by == "lead@firm.example"
    assert "relationship_to_matter_party" not in final["output"]["loads"]


def test_cancel_stops_the_migration_and_its_children(stack: LocalStack, app_host: LocalHost) -> None:
    assert call(app_host, "POST", "migrations", {"migration_id": "m3"})[0] == 202
    app_host.run_until_phase("migration-m3", {"extracting"})
    code, answer = call(app_host, "POST", "migrations/m3/cancel")
    assert code == 202 and answer["cancelled"][0] == "migration-m3"
    app_host.run_until_idle(timeout=60)
    assert app_host.status("migration-m3")["runtimeStatus"] == "Terminated"
    children = [i for i in answer["cancelled"][1:]]
    assert all(app_host.status(child)["runtimeStatus"] == "Terminated" for child in children)
    assert call(app_host, "POST", "migrations/m3/cancel")[0] == 409
    assert call(app_host, "POST", "migrations/m3/mapping/decision", APPROVE)[0] == 409


def test_rollback_is_refused_while_the_migration_runs_and_stops_delta_pickup(
        stack: LocalStack, app_host: LocalHost, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIO_WEBHOOK_BASE_URL", "https://receiver.example/api")  # but no key to seal secrets with
    assert call(app_host, "POST", "migrations", {"migration_id": "m5"})[0] == 202
    status = app_host.run_until_phase("migration-m5", GATES)
    assert "CLIO_WEBHOOK_SECRET_KEY" in status["customStatus"]["webhooks"]["failed"]  # said, and the run goes on
    code, refused = call(app_host, "POST", "migrations/m5/rollback", {})
    assert code == 409 and "migration-m5" in refused["error"]
    code, refused = call(app_host, "POST", "migrations/m5/rollback", {"dry_run": "perhaps", "everything": True})
    assert code == 400 and {p["field"] for p in refused["problems"]} == {"dry_run", "everything"}
    assert call(app_host, "POST", "migrations/m5/cancel")[0] == 202
    app_host.run_until_idle(timeout=60)

    code, started = call(app_host, "POST", "migrations/m5/rollback", {})  # nothing loaded yet: nothing to undo
    assert code == 202 and started["instance_id"] == "rollback-m5" and started["dry_run"] is False
    assert call(app_host, "POST", "migrations/m5/rollback", {})[0] == 409  # one at a time
    assert app_host.run_until_complete("rollback-m5", timeout=300)["runtimeStatus"] == "Completed"
    code, view = call(app_host, "GET", "migrations/m5/rollback")
    assert code == 200 and view["runtime_status"] == "Completed" and view["output"]["dry_run"] is False
    row = table(get_settings(), get_settings().migrations_table).get_entity("m5", "migration")
    assert row["DeltaStoppedBecause"] == "rolled back" and row["Phase"] == "rolled back"
    assert call(app_host, "GET", "migrations/m5/reports/rollback")[0] == 200
    assert call(app_host, "POST", "migrations/never-started/rollback", {})[0] == 404


@pytest.mark.parametrize("body, field", [
    (b"not json", None),
    ({}, "migration_id"),
    ({"migration_id": "has space"}, "migration_id"),
    ({"migration_id": "ok", "sample_size": 10}, "sample_size"),
    ({"migration_id": "ok", "objects": ["matters", "invoices"]}, "objects"),
    ({"migration_id": "ok", "source": "other-firm"}, "source"),
    ({"migration_id": "ok", "fallback_owner_email": "nobody"}, "fallback_owner_email"),
    ({"migration_id": "ok", "surprise": True}, "surprise"),
])
def test_bad_start_requests_are_refused_and_start_nothing(app_host: LocalHost, body: Any, field: str | None) -> None:
    code, answer = call(app_host, "POST", "migrations", raw=body if isinstance(body, bytes) else None,
                        body=None if isinstance(body, bytes) else body)
    assert code == 400 and answer["error"]
    if field is not None:
        assert field in {problem["field"] for problem in answer["problems"]}
    assert app_host.status("migration-ok") is None


def test_other_refusals(app_host: LocalHost) -> None:
    assert call(app_host, "GET", "migrations/nothing-here")[0] == 404
    assert call(app_host, "GET", "migrations/bad id")[0] == 400
    assert call(app_host, "GET", "migrations/none/reports/everything")[0] == 404
    assert call(app_host, "POST", "migrations/none/approval/decision", APPROVE)[0] == 404
    assert call(app_host, "POST", "migrations/none/mapping/decision", {"approved": True, "by": "x@y"})[0] == 404
    code, document = call(app_host, "GET", "openapi.json")
    assert code == 200 and document["openapi"].startswith("3.") and "/migrations" in document["paths"]
