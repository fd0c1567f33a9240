"""The rollback of rows the loader wrote, through the real orchestration on the Dataverse sandbox: rows we created
are deleted (children before parents), rows that existed before get exactly their before-image back — plain
columns, a lookup re-bound through a polymorphic navigation or cleared, the owner, a closed task reopened — and
the export equals the one before loading, system-maintained columns of the restored rows aside. A dry run writes
nothing; a second run finds nothing to do. A row someone edited after our write is listed and kept (so is the
row it points at), and `force` puts it back."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from localrun.dataverse_sandbox import RunningDataverse, running_dataverse
from localrun.host import LocalHost
from sandboxes.dataverse import SystemUserSeed
from shared.blobs import container
from shared.dataverse.client import DataverseClient
from shared.dataverse.loader import AdaptiveSize, LoadRow, TableLoader, TableTarget
from shared.ledger import WriteLedger
from shared.settings import Settings
from tests.dataverse_client.conftest import point_settings_at, provision_clio_keys
from tests.rollback.conftest import differences, report, rewritten, roll_back

MIGRATION = "rows1"
ALICE = SystemUserSeed(systemuserid="0a11ce00-0000-4000-8000-000000000001", fullname="Alice Partner",
                       internalemailaddress="alice@firm.example")


def _target(entity_set: str, logical: str, primary_id: str) -> TableTarget:
    return TableTarget(entity_set=entity_set, logical_name=logical, primary_id=primary_id,
                       key_column="new_clioid", hash_column="new_clioloadhash")


ACCOUNTS, CONTACTS = _target("accounts", "account", "accountid"), _target("contacts", "contact", "contactid")
TASKS = _target("tasks", "task", "activityid")


@dataclass
class Org:
    dataverse: RunningDataverse
    client: DataverseClient
    ids: dict[str, str]


def create(client: DataverseClient, entity_set: str, body: dict[str, Any]) -> str:
    response = client.request("POST", entity_set, json_body=body)
    return response.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")


@pytest.fixture
def org(storage_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Org]:
    """Keys provisioned, and the rows the org had before: a parent account nobody migrates, and an account, a
    contact and an open task carrying the Clio ids the load will match."""
    with running_dataverse(system_users=[ALICE], key_activation_delay_seconds=0.1) as running:
        point_settings_at(running, monkeypatch)
        client = DataverseClient(Settings())
        provision_clio_keys(client)
        parent = create(client, "accounts", {"name": "Parent Ltd"})
        acme = create(client, "accounts", {"name": "Acme (before)", "telephone1": "555-0100", "new_clioid": "1"})
        ann = create(client, "contacts", {"firstname": "Ann", "lastname": "Before", "new_clioid": "10",
                                          "parentcustomerid_account@odata.bind": f"/accounts({parent})"})
        call = create(client, "tasks", {"subject": "Call (before)", "new_clioid": "20",
                                        "regardingobjectid_account_task@odata.bind": f"/accounts({acme})"})
        yield Org(running, client, {"parent": parent, "acme": acme, "ann": ann, "call": call})
        client.close()


def _load(client: DataverseClient, target: TableTarget, rows: list[LoadRow]) -> None:
    loader = TableLoader(client, WriteLedger(Settings(), MIGRATION, target.entity_set), target, "full-00000",
                         AdaptiveSize(50))
    outcomes = loader.load(rows)
    assert all(outcome.action in ("created", "updated") for outcome in outcomes), outcomes


def _migrate(client: DataverseClient) -> None:
    new_account = "/accounts(new_clioid='2')"
    _load(client, ACCOUNTS, [
        LoadRow(key="1", values={"name": "Acme", "telephone1": None,
                                 "ownerid@odata.bind": f"/systemusers({ALICE.systemuserid})"}),
        LoadRow(key="2", values={"name": "Beta LLP"})])
    _load(client, CONTACTS, [
        LoadRow(key="10", values={"lastname": "After", "emailaddress1": "ann@firm.example",
                                  "parentcustomerid_account@odata.bind": new_account}),
        LoadRow(key="11", values={"firstname": "Bob", "lastname": "New",
                                  "parentcustomerid_account@odata.bind": new_account})])
    _load(client, TASKS, [
        LoadRow(key="20", values={"subject": "Call", "statecode": 1, "statuscode": 5,
                                  "regardingobjectid_contact_task@odata.bind": "/contacts(new_clioid='10')"}),
        LoadRow(key="21", values={"subject": "Follow up", "regardingobjectid_account_task@odata.bind": new_account})])


def _row(org: Org, entity_set: str, row_id: str) -> dict[str, Any] | None:
    table = org.dataverse.state.catalog.require_set(entity_set)
    return org.dataverse.state.store.get(table.logical, row_id)


def test_created_rows_go_and_existing_rows_get_their_before_image_back(org: Org, rollback_host: LocalHost) -> None:
    before = org.dataverse.state.export()
    _migrate(org.client)
    migrated = org.dataverse.state.export()
    assert _row(org, "tasks", org.ids["call"])["statecode"] == 1  # type: ignore[index]

    dry = roll_back(rollback_host, MIGRATION, dry_run=True)
    assert org.dataverse.state.export() == migrated, "a dry run writes nothing"
    assert dry["totals"] == {"would-delete": 3, "would-restore": 3}, dry
    planned = {line["key"]: line for line in report(dry)["lines"]}
    assert planned["10"]["columns"] == ["emailaddress1", "lastname", "new_clioloadhash",
                                        "parentcustomerid"]
    assert planned["1"]["columns"] == ["name", "new_clioloadhash", "ownerid", "telephone1"]
    page = container(Settings().raw_container).download_blob(dry["html"]).readall().decode()
    assert "Dry run: nothing was written" in page and "<td>would-restore</td>" not in page  # counts, not lines

    done = roll_back(rollback_host, MIGRATION)
    assert done["totals"] == {"deleted": 3, "restored": 3}, done
    after = org.dataverse.state.export()
    assert differences(before, after) == []
    assert rewritten(before, after, org.dataverse.state) == {org.ids[name] for name in ("acme", "ann", "call")}

    again = roll_back(rollback_host, MIGRATION)
    assert again["totals"] == {"already-done": 6}, again
    assert org.dataverse.state.export() == after


def test_a_row_edited_after_the_migration_is_kept_and_force_restores_it(org: Org, rollback_host: LocalHost) -> None:
    before = org.dataverse.state.export()
    _migrate(org.client)
    bob = org.client.query("contacts", {"$filter": "new_clioid eq '11'", "$select": "contactid"})[0]["contactid"]
    beta = org.client.query("accounts", {"$filter": "new_clioid eq '2'", "$select": "accountid"})[0]["accountid"]
    org.client.request("PATCH", f"contacts({bob})", json_body={"jobtitle": "Partner"}, headers={"If-Match": "*"})
    org.client.request("PATCH", f"accounts({org.ids['acme']})", json_body={"telephone1": "555-0199"},
                       headers={"If-Match": "*"})

    kept = roll_back(rollback_host, MIGRATION)
    lines = {line["key"]: line for line in report(kept)["attention"]}
    assert {key: line["outcome"] for key, line in lines.items()} == {"11": "kept-edited", "2": "kept",
                                                                     "1": "kept-edited"}, lines
    assert lines["2"]["message"] == "a row that stays points at it"
    assert lines["1"]["columns"] == ["name", "new_clioloadhash", "ownerid", "telephone1"]
    assert _row(org, "contacts", bob)["jobtitle"] == "Partner"  # type: ignore[index]
    assert _row(org, "accounts", beta) is not None
    assert _row(org, "accounts", org.ids["acme"])["telephone1"] == "555-0199"  # type: ignore[index]
    assert _row(org, "contacts", org.ids["ann"])["_parentcustomerid_value"] == org.ids["parent"]  # type: ignore[index]
    assert kept["totals"] == {"deleted": 1, "restored": 2, "kept-edited": 2, "kept": 1}, kept

    forced = roll_back(rollback_host, MIGRATION, force=True)
    assert forced["totals"] == {"forced": 2, "deleted": 1, "already-done": 3}, forced
    assert differences(before, org.dataverse.state.export()) == []


def test_a_row_dataverse_refuses_to_delete_fails_alone_with_its_code(org: Org, rollback_host: LocalHost) -> None:
    _migrate(org.client)
    beta = org.client.query("accounts", {"$filter": "new_clioid eq '2'", "$select": "accountid"})[0]["accountid"]
    create(org.client, "invoices", {"name": "INV-1 (a person's)", "customerid_account@odata.bind": f"/accounts({beta})"})

    done = roll_back(rollback_host, MIGRATION)
    [failed] = [line for line in report(done)["attention"] if line["outcome"] == "failed"]
    assert (failed["table"], failed["key"], failed["code"]) == ("accounts", "2", "0x80040227")
    assert "referenced by invoice" in failed["message"]
    assert done["totals"] == {"deleted": 2, "restored": 3, "failed": 1}, done
    assert _row(org, "accounts", beta) is not None


def test_rows_a_delta_load_wrote_after_the_migration_are_rolled_back_too(org: Org, rollback_host: LocalHost) -> None:
    """Delta runs load through the same loader and ledger: a row they create goes, a row that existed before and
    that only the delta touched gets the before-image the delta's load recorded."""
    create(org.client, "accounts", {"name": "Gamma (before)", "new_clioid": "3"})
    before = org.dataverse.state.export()
    _migrate(org.client)
    _load(org.client, ACCOUNTS, [LoadRow(key="2", values={"name": "Beta LLP (renamed in Clio)"}),
                                 LoadRow(key="3", values={"name": "Gamma"})])
    _load(org.client, CONTACTS, [LoadRow(key="12", values={"lastname": "Added later",
                                                           "parentcustomerid_account@odata.bind": "/accounts("
                                                                                                  "new_clioid='3')"})])
    done = roll_back(rollback_host, MIGRATION)
    assert done["totals"] == {"deleted": 4, "restored": 4}, done
    assert differences(before, org.dataverse.state.export()) == []
