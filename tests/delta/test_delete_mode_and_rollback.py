"""DELTA_DELETE_MODE=delete: a record deleted in Clio takes its row out of Dataverse, unless other rows still point
at it (a company's account with its people under it: deleting it would cascade into rows whose records live on),
which is made inactive instead and says why. Every delta write is in the ledger, so a rollback after delta pickup
leaves Dataverse exactly as it was before the migration — the rows delta created and those it deleted too."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from localrun.host import LocalHost
from localrun.stack import LocalStack
from shared.delta.paths import instance_id
from shared.settings import get_settings
from tests.clio_webhooks.function_server import FunctionServer
from tests.delta.conftest import MIGRATION, change, migrate_to_cutover
from tests.delta.test_delta_pickup import TIMER, blob_json, row
from tests.rollback.conftest import differences, roll_back


_SCHEMA = {"_metadata", "solutions", "publishers"}


def _data(export: dict[str, Any]) -> dict[str, Any]:
    """The rows of data: the migration's schema (its solution too) stays after a rollback unless asked to go, and
    that needs the schema step to record what it made."""
    return {name: rows for name, rows in export.items() if name not in _SCHEMA}


def test_delete_mode_deletes_protects_parents_and_rollback_undoes_delta_too(
        stack: LocalStack, delta_host: LocalHost, receiver: FunctionServer, clio_user: httpx.Client,
        tiny_firm: tuple[Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DELTA_DELETE_MODE", "delete")
    get_settings.cache_clear()
    firm = tiny_firm[1]
    before = _data(stack.dataverse.state.export())
    migrate_to_cutover(delta_host, stack, firm)
    people_of = {c.get("company", {}).get("id") for c in firm["contacts"] if c["type"] == "Person"}
    parent = next(c for c in firm["contacts"] if c["type"] == "Company" and c["id"] in people_of)
    task = firm["tasks"][1]
    ada = change(clio_user, "POST", "/contacts.json", {"type": "Person", "first_name": "Ada", "last_name": "Delta"})
    change(clio_user, "DELETE", f"/tasks/{task['id']}.json")
    change(clio_user, "DELETE", f"/contacts/{parent['id']}.json")
    assert stack.clio.state.wait_for_webhooks()

    delta_host.fire_timer(TIMER)
    status = delta_host.run_until_complete(instance_id(MIGRATION), timeout=300)
    assert status["runtimeStatus"] == "Completed", str(status)[-3000:]
    output = status["output"]
    assert output["failures"] == [] and output["deletes"]["webhook"] == {"deleted": 1, "deactivated": 1}, output

    assert row("tasks", str(task["id"]), "activityid") is None
    account = row("accounts", str(parent["id"]), "statecode,statuscode")
    assert account is not None and (account["statecode"], account["statuscode"]) == (1, 2)
    lines = {line["key"]: line for line in blob_json(f"{MIGRATION}/delta/ticks/0001/deletes/webhook.json")}
    assert "other rows point at it" in lines[str(parent["id"])]["how"]
    assert row("contacts", str(ada["id"]), "contactid") is not None

    roll_back(delta_host, MIGRATION)
    assert differences(before, _data(stack.dataverse.state.export())) == []
