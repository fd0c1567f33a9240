"""What the rollback tests share: a host over the Function App with the rollback registered, running a rollback
to its end, and comparing Dataverse snapshots the way a rollback promises them equal."""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from localrun.host import LocalHost
from sandboxes.dataverse import DataverseState
from shared.blobs import container
from shared.rollback.paths import instance_id
from shared.settings import get_settings

# Maintained by Dataverse on every write (a restore is one): no API sets them back. Nothing else may differ.
SYSTEM_MAINTAINED = frozenset({"modifiedon", "versionnumber", "_modifiedby_value",
                               "_modifiedby_value@Microsoft.Dynamics.CRM.lookuplogicalname"})


@pytest.fixture
def rollback_host(storage_env: str) -> Iterator[LocalHost]:
    from function_app import app
    with LocalHost(app, os.environ["AzureWebJobsStorage"]) as host:
        yield host


def roll_back(host: LocalHost, migration_id: str, **options: Any) -> dict[str, Any]:
    """Starts the rollback through the portal's API (instance rollback-<id>; a finished one is started again) and
    runs it to its end."""
    code, started = host.invoke_json("POST", f"/api/migrations/{migration_id}/rollback", options)
    assert code == 202 and started["instance_id"] == instance_id(migration_id), (code, started)
    status = host.run_until_complete(instance_id(migration_id), timeout=600)
    assert status["runtimeStatus"] == "Completed", status
    code, view = host.invoke_json("GET", f"/api/migrations/{migration_id}/rollback")
    assert code == 200 and view["runtime_status"] == "Completed", view
    output: dict[str, Any] = status["output"]
    return output


def json_input(value: Any) -> str:
    return json.dumps(value)


def report(output: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(container(get_settings().raw_container).download_blob(
        output["report"]).readall())
    return found


def _comparable(row: dict[str, Any]) -> dict[str, Any]:
    """A column absent from a stored row and a column holding null read back the same (null)."""
    return {name: value for name, value in row.items() if value is not None and name not in SYSTEM_MAINTAINED}


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Every row (and the custom metadata) that differs between two exports, SYSTEM_MAINTAINED columns aside."""
    found: list[str] = []
    for name in sorted(set(before) | set(after)):
        if name == "_metadata":
            if before.get(name) != after.get(name):
                found.append(f"_metadata: {before.get(name)} != {after.get(name)}")
            continue
        old = {str(i): _comparable(row) for i, row in enumerate(before.get(name, []))}
        new = {str(i): _comparable(row) for i, row in enumerate(after.get(name, []))}
        old_rows = {tuple(sorted(row.items(), key=str)) for row in old.values()}
        new_rows = {tuple(sorted(row.items(), key=str)) for row in new.values()}
        found += [f"{name} lost {dict(row)}" for row in old_rows - new_rows]
        found += [f"{name} has {dict(row)}" for row in new_rows - old_rows]
    return found


def rewritten(before: dict[str, Any], after: dict[str, Any], state: DataverseState) -> set[str]:
    """Ids of the rows both exports hold whose versionnumber differs: the rows written in between."""
    def by_id(snapshot: dict[str, Any]) -> dict[str, Any]:
        return {str(row[state.catalog.require_set(name).primary_id]): row.get("versionnumber")
                for name, rows in snapshot.items() if name != "_metadata" for row in rows}
    old, new = by_id(before), by_id(after)
    return {row_id for row_id in old.keys() & new.keys() if old[row_id] != new[row_id]}
