"""The loader against the strict Dataverse sandbox, with the ledger in Azurite."""
from __future__ import annotations

from typing import Any

import pytest

from localrun.dataverse_sandbox import running_dataverse
from shared.dataverse.client import DataverseClient
from shared.dataverse.loader import AdaptiveSize, LoadRow, RowOutcome, TableLoader, TableTarget
from shared.ledger import WriteLedger
from shared.settings import Settings, get_settings
from tests.dataverse_client.conftest import point_settings_at, provision_clio_keys

ACCOUNTS = TableTarget(entity_set="accounts", logical_name="account", primary_id="accountid",
                       key_column="new_clioid", hash_column="new_clioloadhash", bulk=True)
TASKS = TableTarget(entity_set="tasks", logical_name="task", primary_id="activityid", key_column="new_clioid",
                    hash_column="new_clioloadhash", bulk=False)


def accounts(n: int, prefix: str = "Firm") -> list[LoadRow]:
    return [LoadRow(key=str(1000 + i), values={"name": f"{prefix} {i}", "telephone1": f"+1 555 01{i:02d}"})
            for i in range(n)]


def load(client: DataverseClient, target: TableTarget, rows: list[LoadRow], batch: str = "b1",
         migration: str = "mig1", size: int = 20) -> dict[str, RowOutcome]:
    loader = TableLoader(client, WriteLedger(get_settings(), migration, target.entity_set), target, batch,
                         AdaptiveSize(size))
    return {o.key: o for o in loader.load(rows)}


def snapshot(client: DataverseClient, entity_set: str) -> list[dict[str, Any]]:
    rows = client.query(entity_set, {"$select": "new_clioid,name,telephone1", "$orderby": "new_clioid"})
    return [{k: v for k, v in row.items() if not k.startswith("@")} for row in rows]


def test_loading_twice_changes_nothing_and_never_duplicates(client: DataverseClient) -> None:
    provision_clio_keys(client)
    first = load(client, ACCOUNTS, accounts(45))
    assert {o.action for o in first.values()} == {"created"}
    after_first = snapshot(client, "accounts")
    second = load(client, ACCOUNTS, accounts(45), batch="b2")
    assert {o.action for o in second.values()} == {"unchanged"}
    assert snapshot(client, "accounts") == after_first and len(after_first) == 45
    assert {o.dataverse_id for o in first.values()} == {o.dataverse_id for o in second.values()}
    changed = accounts(45)
    for row in changed[:5]:
        row.values["name"] += " (renamed)"
    third = load(client, ACCOUNTS, changed, batch="b3")
    assert sorted(o.action for o in third.values()).count("updated") == 5
    entries = WriteLedger(get_settings(), "mig1", "accounts").rows()
    assert len(entries) == 45 and {e.origin for e in entries.values()} == {"created"}
    assert entries["1000"].last_action == "updated" and entries["1000"].batch == "b3"
    assert entries["1000"].writes == 2 and entries["1010"].writes == 1
    assert entries["1000"].dataverse_id == first["1000"].dataverse_id


def test_bad_rows_fail_alone_with_dataverse_codes(client: DataverseClient) -> None:
    provision_clio_keys(client)
    rows = accounts(30)
    rows[3].values["name"] = "x" * 200  # account.name allows 160 characters
    rows[11].values["nosuchcolumn"] = 1
    rows[17].values["accountcategorycode"] = 999  # not an option of the choice
    outcomes = load(client, ACCOUNTS, rows, size=30)
    failed = {key: o for key, o in outcomes.items() if o.action == "failed"}
    assert set(failed) == {"1003", "1011", "1017"}
    assert failed["1003"].code == "0x80044331" and failed["1011"].code == "0x0"
    assert failed["1017"].code == "0x8004431A"
    assert sum(o.action == "created" for o in outcomes.values()) == 27
    assert len(snapshot(client, "accounts")) == 27


def test_rows_that_existed_before_keep_a_before_image(client: DataverseClient) -> None:
    provision_clio_keys(client)
    client.request("POST", "accounts", json_body={"name": "Acme (entered by hand)", "new_clioid": "1002",
                                                   "telephone1": "+1 555 9999"})
    outcomes = load(client, ACCOUNTS, accounts(4))
    assert outcomes["1002"].action == "updated"
    entry = WriteLedger(get_settings(), "mig1", "accounts").rows()["1002"]
    assert entry.origin == "pre-existing"
    assert entry.before_image is not None and entry.before_image["name"] == "Acme (entered by hand)"
    assert WriteLedger(get_settings(), "mig1", "accounts").rows()["1001"].origin == "created"
    load(client, ACCOUNTS, [LoadRow(key="1002", values={"name": "Acme again", "telephone1": "x"})], batch="b2")
    entry = WriteLedger(get_settings(), "mig1", "accounts").rows()["1002"]
    assert entry.origin == "pre-existing" and entry.writes == 2
    assert entry.before_image is not None and entry.before_image["name"] == "Acme (entered by hand)"


def test_a_worker_dying_between_write_and_record_leaves_the_row_known(client: DataverseClient,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    provision_clio_keys(client)
    ledger = WriteLedger(get_settings(), "mig1", "accounts")
    recorded = ledger.record

    def die_after_writing(batch: str, writes: list[Any]) -> None:
        if writes and writes[0].action != "intent":
            raise RuntimeError("worker killed")
        recorded(batch, writes)

    monkeypatch.setattr(ledger, "record", die_after_writing)
    loader = TableLoader(client, ledger, ACCOUNTS, "b1", AdaptiveSize(10))
    with pytest.raises(RuntimeError):
        loader.load(accounts(5))
    rows = WriteLedger(get_settings(), "mig1", "accounts").rows()
    assert set(rows) == {str(1000 + i) for i in range(5)}
    assert {r.origin for r in rows.values()} == {"created"} and {r.last_action for r in rows.values()} == {"intent"}
    again = load(client, ACCOUNTS, accounts(5), batch="b2")  # the retried activity
    assert {o.action for o in again.values()} == {"unchanged"}
    assert len(snapshot(client, "accounts")) == 5


def test_tables_without_bulk_messages_go_through_batch(client: DataverseClient) -> None:
    provision_clio_keys(client)
    rows = [LoadRow(key=f"t{i}", values={"subject": f"Call the client {i}"}) for i in range(12)]
    rows[5].values["subject"] = "s" * 250  # task.subject allows 200
    outcomes = load(client, TASKS, rows)
    assert outcomes["t5"].action == "failed" and outcomes["t5"].code == "0x80044331"
    assert sum(o.action == "created" for o in outcomes.values()) == 11
    again = load(client, TASKS, rows, batch="b2")
    assert sum(o.action == "unchanged" for o in again.values()) == 11


def test_throttling_pauses_and_every_row_lands(storage_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    protection = {"window_seconds": 2.0, "max_requests": 8, "max_execution_seconds": 1000.0, "max_concurrent": 52}
    with running_dataverse(key_activation_delay_seconds=0.1, service_protection=protection) as dataverse:
        point_settings_at(dataverse, monkeypatch)
        client = DataverseClient(Settings())
        provision_clio_keys(client)
        outcomes = load(client, ACCOUNTS, accounts(60), size=10)
        assert {o.action for o in outcomes.values()} == {"created"}
        assert client.gate.throttled > 0
        client.close()


def test_schema_and_load_through_the_orchestrators(app_host: Any, storage_env: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """provision_schema waits on durable timers until the key indexes are Active; the loader activity then loads
    staged rows from Blob and reports counts."""
    import json

    from shared.blobs import container
    from tests.dataverse_client.conftest import CLIO_KEYS

    with running_dataverse(key_activation_delay_seconds=1.5) as dataverse:
        point_settings_at(dataverse, monkeypatch)
        app_host.api.start("provision_schema", "schema-1", CLIO_KEYS.model_dump_json())
        status = app_host.run_until_complete("schema-1", timeout=60)
        assert status["output"]["ready"] is True, status
        assert set(status["output"]["keys"].values()) == {"Active"}
        assert "TimerFired" in [e["EventType"] for e in app_host.status("schema-1", show_history=True)["historyEvents"]]
        from datetime import datetime, timezone

        from shared.mapping.approval import approve
        from shared.mapping.maps import load_map
        raw = container(get_settings().raw_container)
        approved = approve(load_map(), "ada.attorney@firm.example", datetime.now(timezone.utc))
        raw.upload_blob("mig9/mapping/approved.json", approved.model_dump_json().encode())
        lineage = {"name": f"contacts.name | text@{approved.map.version}"}
        staged = "\n".join(json.dumps({**row.model_dump(), "lineage": lineage}) for row in accounts(25))
        raw.upload_blob("mig9/staged/accounts/000001.jsonl", staged.encode())
        request = {"migration_id": "mig9", "target": ACCOUNTS.model_dump(), "batch_id": "000001",
                   "rows_blob": "mig9/staged/accounts/000001.jsonl", "approved_map_blob": "mig9/mapping/approved.json"}
        from activities.dataverse_load import load_dataverse_rows
        first = load_dataverse_rows(request)
        second = load_dataverse_rows(request)
        assert (first["created"], second["unchanged"]) == (25, 25)
        outcomes = json.loads(container(get_settings().raw_container).download_blob(first["outcomes_blob"]).readall())
        assert len(outcomes) == 25 and all(o["dataverse_id"] for o in outcomes)
        from shared.mapping.approval import MapNotApproved
        tampered = approved.model_copy(deep=True)
        tampered.map.tables[0].fields[0].args["max_length"] = 10
        raw.upload_blob("mig9/mapping/tampered.json", tampered.model_dump_json().encode())
        with pytest.raises(MapNotApproved, match="differs from what ada.attorney"):
            load_dataverse_rows({**request, "approved_map_blob": "mig9/mapping/tampered.json"})
        stale = "\n".join(json.dumps({**row.model_dump(), "lineage": {"name": "x | text@0.9.0"}}) for row in accounts(2))
        raw.upload_blob("mig9/staged/accounts/old.jsonl", stale.encode())
        with pytest.raises(MapNotApproved, match="0.9.0"):
            load_dataverse_rows({**request, "rows_blob": "mig9/staged/accounts/old.jsonl"})


def test_lookups_bind_through_alternate_keys(client: DataverseClient) -> None:
    provision_clio_keys(client)
    load(client, ACCOUNTS, accounts(3))
    contacts = TableTarget(entity_set="contacts", logical_name="contact", primary_id="contactid",
                           key_column="new_clioid", hash_column="new_clioloadhash")
    rows = [LoadRow(key=f"p{i}", values={"lastname": f"Person {i}", "overriddencreatedon": "2019-03-04T10:00:00Z",
                                         "parentcustomerid_account@odata.bind": f"/accounts(new_clioid='{1000 + i}')"})
            for i in range(3)]
    rows.append(LoadRow(key="p9", values={"lastname": "Orphan",
                                          "parentcustomerid_account@odata.bind": "/accounts(new_clioid='424242')"}))
    outcomes = load(client, contacts, rows)
    assert [outcomes[f"p{i}"].action for i in range(3)] == ["created"] * 3
    assert outcomes["p9"].action == "failed" and outcomes["p9"].code == "0x80060891"
    account_ids = {r["new_clioid"]: r["accountid"] for r in client.query("accounts", {"$select": "accountid,new_clioid"})}
    for contact in client.query("contacts", {"$select": "new_clioid,_parentcustomerid_value,createdon"}):
        assert contact["_parentcustomerid_value"] == account_ids[str(1000 + int(contact["new_clioid"][1:]))]
        assert contact["createdon"].startswith("2019-03-04")
