"""A whole migration of a generated firm through the portal's API and the local runner: pre-flight, extraction,
the proposed map and its dry run, approval, schema, the sample loaded and diffed, approval, the full load in
dependency order, documents, reconciliation with nothing unexplained, cutover with the delta window open."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from localrun.host import LocalHost
from localrun.stack import LocalStack
from shared.blobs import container
from shared.settings import get_settings
from shared.storage import table_service
from tests.migration.conftest import call

APPROVE = {"approved": True, "by": "lead@firm.example", "note": "looks right"}


def test_a_migration_runs_end_to_end_through_the_api(stack: LocalStack, app_host: LocalHost,
                                                     tiny_firm: tuple[Path, dict[str, Any]]) -> None:
    areas = [tiny_firm[1]["practice_areas"][0]["id"]]
    start = {"migration_id": "m1", "case_practice_areas": areas, "sample_size": 50,
             "fallback_owner_email": stack.dynamics_users[0]}
    code, started = call(app_host, "POST", "migrations", start)
    assert code == 202 and started["instance_id"] == "migration-m1"
    status = app_host.run_until_phase("migration-m1", {"awaiting mapping approval"})
    assert status["runtimeStatus"] == "Running", str(app_host.status("migration-m1"))[-3000:]
    records, documents, moving = status["customStatus"]["proposal"]["estimate"]
    assert records.startswith(f"{status['customStatus']['records']:,} Clio records extracted")
    assert "documents" in documents and "Clio requests/min" in moving

    code, again = call(app_host, "POST", "migrations", start)
    assert code == 409 and "already exists" in again["error"]
    code, preflight = call(app_host, "GET", "migrations/m1/reports/preflight")
    assert code == 200 and {c["name"]: c["status"] for c in preflight["checks"]}["clio"] == "ok"
    code, proposed = call(app_host, "GET", "migrations/m1/mapping")
    assert code == 200 and proposed["version"] == "1.2.0"
    code, dry_run = call(app_host, "GET", "migrations/m1/reports/dry-run")
    assert code == 200 and all(t["accounted"] for t in dry_run["resources"].values())
    code, early = call(app_host, "POST", "migrations/m1/sample/decision", APPROVE)
    assert code == 409  # not at that gate yet

    assert call(app_host, "POST", "migrations/m1/mapping/decision", APPROVE)[0] == 202
    status = app_host.run_until_phase("migration-m1", {"awaiting sample approval"})
    sample = status["customStatus"]["sample"]
    assert 50 <= sample["rows"] <= 200 and sample["diff"]["unexplained"] == 0, sample
    code, diff = call(app_host, "GET", "migrations/m1/reports/sample-diff")
    assert code == 200 and diff["mode"] == "sample"

    assert call(app_host, "POST", "migrations/m1/sample/decision", APPROVE)[0] == 202
    final = app_host.run_until_complete("migration-m1", timeout=900)
    assert final["runtimeStatus"] == "Completed", final
    output = final["output"]
    assert output["phase"] == "cutover"
    assert output["reconciliation"]["unexplained"] == 0 and output["reconciliation"]["unaccounted_records"] == 0
    assert output["documents"]["failed"] == 0
    assert output["documents"]["created"] == len(tiny_firm[1]["documents"])
    assert all(table["failed"] == 0 for table in output["loads"].values()), failures(output)

    code, view = call(app_host, "GET", "migrations/m1")
    assert code == 200 and view["phase"] == "cutover" and view["runtime_status"] == "Completed"
    settings = get_settings()
    row = table_service(settings).get_table_client(settings.migrations_table).get_entity("m1", "migration")
    assert row["Phase"] == "cutover" and row["DeltaWindowClosesAt"] > row["DeltaWindowOpensAt"]



def failures(output: dict[str, Any]) -> str:
    """The tables with failed rows, and the first rows' reasons, for an assertion message."""
    raw = container(get_settings().raw_container)
    found = [(blob.name.split("/")[-1], outcome["key"], (outcome["message"] or "")[-120:])
             for blob in raw.list_blobs(name_starts_with="m1/dataverse/")
             for outcome in json.loads(raw.download_blob(blob.name).readall()) if outcome["action"] == "failed"]
    failed = {name: table["failed"] for name, table in output["loads"].items() if table["failed"]}
    return f"{failed}\n" + "\n".join(map(str, found[:40]))
