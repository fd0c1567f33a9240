"""Applying Clio deletes to rows the loader wrote, on the Dataverse sandbox (its state rules are dataverse.md §6's):
each table's inactive state, LoseOpportunity for an opportunity, a delete for a table without states; in delete
mode a row other rows point at, or one the org had before the migration, is made inactive instead (or, in a table
without states, kept). Every write is in the ledger with its before-image and the version it left, a key we never
wrote is not touched, a second run changes nothing, and a rollback then leaves the org as it was before the load."""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from localrun.dataverse_sandbox import RunningDataverse, running_dataverse
from localrun.host import LocalHost
from shared.dataverse.client import DataverseClient
from shared.dataverse.loader import AdaptiveSize, LoadRow, TableLoader, TableTarget
from shared.dataverse.schema import SchemaProvisioner, SchemaRequest
from shared.delta.landing import Landing, landings
from shared.delta.models import DeleteLine
from shared.delta.retire import Mode, Retirer
from shared.ledger import WriteLedger
from shared.mapping.maps import load_map
from shared.mapping.model import MapFile
from shared.settings import Settings
from shared.storage import table
from tests.dataverse_client.conftest import point_settings_at
from tests.rollback.conftest import differences, roll_back, rollback_host  # noqa: F401  (fixture)

MIGRATION = "retire1"


@pytest.fixture
def org(storage_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[RunningDataverse, DataverseClient]]:
    """The map's schema provisioned, and an account of the org's own holding a Clio id the load will match."""
    with running_dataverse(key_activation_delay_seconds=0.1) as running:
        point_settings_at(running, monkeypatch)
        client = DataverseClient(Settings())
        provisioner = SchemaProvisioner(client, "ClioMigration", "new", 15)
        schema = SchemaRequest.model_validate(load_map().target_schema.model_dump())
        assert provisioner.provision(schema).conflicts == []
        deadline = time.monotonic() + 30
        while any(provisioner.key_statuses(key.table).get(key.schema_name.lower()) != "Active" for key in schema.keys):
            assert time.monotonic() < deadline, "key indexes did not become Active"
            time.sleep(0.05)
        client.request("POST", "accounts", json_body={"name": "Acme (the org's own)", "new_clioid": "1"})
        client.request("POST", "annotations", json_body={"subject": "The org's own note", "new_clioid": "31"})
        yield running, client
        client.close()


def _target(map_file: MapFile, entity_set: str) -> TableTarget:
    table = next(t for t in map_file.tables if t.target.entity_set == entity_set)
    return TableTarget.model_validate(table.target.model_dump())


def _load(client: DataverseClient, map_file: MapFile, entity_set: str, rows: dict[str, dict[str, Any]]) -> None:
    loader = TableLoader(client, WriteLedger(Settings(), MIGRATION, entity_set), _target(map_file, entity_set),
                         "full-00000", AdaptiveSize(50))
    outcomes = loader.load([LoadRow(key=key, values=values) for key, values in rows.items()])
    assert all(outcome.action in ("created", "updated") for outcome in outcomes), outcomes


def _migrate(client: DataverseClient, map_file: MapFile) -> None:
    _load(client, map_file, "accounts", {"1": {"name": "Acme"}, "2": {"name": "Beta LLP"}, "3": {"name": "Gone Inc"}})
    _load(client, map_file, "contacts", {"10": {"lastname": "Under Beta",
                                                "parentcustomerid_account@odata.bind": "/accounts(new_clioid='2')"}})
    _load(client, map_file, "opportunities", {"20": {"name": "Acquisition"}})
    _load(client, map_file, "tasks", {"40": {"subject": "Call"}})
    _load(client, map_file, "annotations", {"30": {"subject": "Note", "notetext": "text"},
                                            "31": {"subject": "Note (from Clio)"}})
    _load(client, map_file, "new_trustaccounts", {"50": {"new_name": "IOLTA"}})


def _retire(client: DataverseClient, map_file: MapFile, mode: Mode, deleted: dict[str, list[str]]) -> dict[str, str]:
    rows: list[Landing] = [row for resource, ids in deleted.items() for clio_id in ids
                           for row in landings(map_file, resource, clio_id)]
    lines: list[DeleteLine] = Retirer(client, Settings(), MIGRATION, map_file, mode, "delta0001-webhook").retire(
        rows, "webhook")
    return {f"{line.entity_set}:{line.key}": f"{line.outcome} ({line.how or line.message})" for line in lines}


def _pages(entity_set: str) -> int:
    settings = Settings()
    return len(list(table(settings, settings.ledger_table).query_entities(
        "PartitionKey eq @pk", parameters={"pk": f"{MIGRATION}|{entity_set}"})))


def _state(client: DataverseClient, entity_set: str, key: str) -> tuple[int, int] | None:
    found = client.query(entity_set, {"$filter": f"new_clioid eq '{key}'", "$select": "statecode,statuscode"})
    return (found[0]["statecode"], found[0]["statuscode"]) if found else None


def test_deletes_by_table_and_mode_are_ledgered_idempotent_and_rolled_back(
        org: tuple[RunningDataverse, DataverseClient], rollback_host: LocalHost) -> None:  # noqa: F811
    dataverse, client = org
    map_file = load_map()
    before = dataverse.state.export()
    _migrate(client, map_file)
    client.request("POST", "accounts", json_body={"name": "Not ours", "new_clioid": "99"})

    deleted = {"contacts": ["1", "2", "3", "99"], "tasks": ["40"], "notes": ["30", "31"]}
    assert _retire(client, map_file, "delete", deleted) == {
        "accounts:1": "deactivated (statecode 1, statuscode 2: it was in Dataverse before the migration (a rollback "
                      "puts it back as it was), so not deleted)",
        "accounts:2": "deactivated (statecode 1, statuscode 2: other rows point at it, so not deleted)",
        "accounts:3": "deleted (delete)", "tasks:40": "deleted (delete)",
        "annotations:30": "deleted (delete (no inactive state))",
        "annotations:31": "kept (it was in Dataverse before the migration and has no inactive state)",
        # a contact may have become an account or a contact: both are looked for, and neither holds 99 of ours
        "accounts:99": "not-loaded (the ledger has no write of ours for it)",
        "contacts:99": "not-loaded (the ledger has no write of ours for it)"}
    assert _state(client, "accounts", "1") == (1, 2) and _state(client, "accounts", "2") == (1, 2)
    assert _state(client, "accounts", "3") is None and _state(client, "accounts", "99") == (0, 1)
    assert _retire(client, map_file, "deactivate", {"matters": ["20"], "bank_accounts": ["50"]}) == {
        "opportunities:20": "deactivated (LoseOpportunity (status Canceled))",
        "new_trustaccounts:50": "deactivated (statecode 1, statuscode 2)"}
    assert _state(client, "opportunities", "20") == (2, 4) and _state(client, "new_trustaccounts", "50") == (1, 2)

    ledger = WriteLedger(Settings(), MIGRATION, "accounts").rows()
    now = {row["new_clioid"]: str(row["versionnumber"]) for row in client.query(
        "accounts", {"$select": "new_clioid,versionnumber"})}
    assert (ledger["1"].last_action, ledger["1"].version) == ("deactivated", now["1"])
    assert (ledger["3"].last_action, ledger["3"].version) == ("deleted", None)
    assert ledger["1"].before_image is not None and ledger["1"].before_image["name"] == "Acme (the org's own)"
    pages = _pages("accounts")

    again = _retire(client, map_file, "delete", deleted)
    assert set(again.values()) == {"already-inactive (retired by an earlier run)",
                                   "already-gone (retired by an earlier run)",
                                   "not-loaded (the ledger has no write of ours for it)",
                                   "kept (it was in Dataverse before the migration and has no inactive state)"}, again
    assert _pages("accounts") == pages

    [theirs] = client.query("accounts", {"$filter": "new_clioid eq '99'", "$select": "accountid"})
    client.request("DELETE", f"accounts({theirs['accountid']})")  # the org's own, made after `before`
    roll_back(rollback_host, MIGRATION)
    assert differences(before, dataverse.state.export()) == []
