"""A generated tiny firm taken through the real stages into the Dataverse sandbox: extracted pages in Azurite, the
dry-run activity (staged rows, report), the map's schema provisioned, every table map loaded with the loader
activity in lookup order. Four of the firm's eight Clio users have a Dynamics user; the rest fall back."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pytest
from azure.storage.blob import ContainerClient

from activities.dataverse_load import load_dataverse_rows
from activities.mapping_dry_run import dry_run_migration
from activities.reconciliation import reconcile_migration
from firmgen import iter_records
from localrun.dataverse_sandbox import running_dataverse
from sandboxes.dataverse.config import SystemUserSeed
from shared.blobs import container
from shared.clio.models import resource_catalogue
from shared.dataverse.client import DataverseClient
from shared.dataverse.schema import SchemaProvisioner
from shared.mapping.approval import approve
from shared.mapping.live_schema import read_snapshot
from shared.mapping.maps import load_map
from shared.mapping.model import MapFile
from shared.reconcile.report import Reconciliation
from shared.settings import Settings, get_settings
from tests.dataverse_client.conftest import point_settings_at

MIGRATION = "mig-rec"
# Referenced tables first, so every bind finds its row.
LOAD_ORDER = ["company_to_account", "client_person_to_account", "person_to_contact", "matter_to_opportunity",
              "matter_to_case", "bill_to_invoice", "line_item_to_invoice_line", "task_to_task",
              "time_entry_to_timeline_task", "time_entry_to_time_entry", "expense_entry_to_expense_entry",
              "calendar_entry_to_appointment", "phone_communication_to_phonecall", "email_communication_to_email",
              "matter_note_to_annotation", "contact_note_to_annotation", "bank_account_to_trust_account",
              "bank_transaction_to_trust_transaction", "trust_line_item_to_trust_transaction",
              "relationship_to_matter_party"]


@dataclass
class LoadedFirm:
    client: DataverseClient
    raw: ContainerClient
    the_map: MapFile
    firm: list[tuple[str, dict[str, Any]]]
    approved_blob: str

    @property
    def rows_prefix(self) -> str:
        return f"{MIGRATION}/dry-run/{self.the_map.version}/rows"

    def staged(self, table: str) -> list[dict[str, Any]]:
        return [json.loads(line) for blob in sorted(b.name for b in self.raw.list_blobs(
            name_starts_with=f"{self.rows_prefix}/{table}/")) for line in
            self.raw.download_blob(blob).readall().decode().splitlines() if line.strip()]

    def load(self, table: str, batch: str = "00000") -> dict[str, int]:
        target = next(t for t in self.the_map.tables if t.name == table).target
        result: dict[str, int] = load_dataverse_rows({
            "migration_id": MIGRATION, "target": target.model_dump(),
            "rows_blob": f"{self.rows_prefix}/{table}/{batch}.jsonl", "batch_id": f"{table}-{batch}",
            "approved_map_blob": self.approved_blob})
        return result

    def reconcile(self, **payload: Any) -> tuple[dict[str, Any], Reconciliation]:
        answer = reconcile_migration({"migration_id": MIGRATION, "approved_map_blob": self.approved_blob, **payload})
        report = Reconciliation.model_validate_json(self.raw.download_blob(answer["report"]).readall())
        return answer, report

    def id_of(self, entity_set: str, primary_id: str, key: str) -> str:
        rows = self.client.query(entity_set, {"$select": primary_id, "$filter": f"new_clioid eq '{key}'"})
        assert len(rows) == 1, (entity_set, key, rows)
        return str(rows[0][primary_id])


def _provision(client: DataverseClient, the_map: MapFile) -> None:
    provisioner = SchemaProvisioner(client, "ClioMigration", "new", 15)
    assert provisioner.provision(the_map.target_schema).conflicts == []
    deadline = time.monotonic() + 20
    for key in the_map.target_schema.keys:
        while provisioner.key_statuses(key.table).get(key.schema_name.lower()) != "Active":
            assert time.monotonic() < deadline, f"{key.table}.{key.schema_name} did not become Active"
            time.sleep(0.05)


def _extract(raw: ContainerClient, firm: list[tuple[str, dict[str, Any]]]) -> None:
    """The firm as the extractor stores it: one page per stream (notes split by type, as Clio serves them)."""
    for spec in resource_catalogue().resources:
        records = [record for resource, record in firm if resource == spec.resource]
        if spec.key.startswith("notes_"):
            records = [r for r in records if str(r.get("type")).lower() == spec.key.removeprefix("notes_")]
        raw.upload_blob(f"{MIGRATION}/clio/{spec.key}/pages/000001.json", json.dumps({"data": records}).encode())


@contextmanager
def loaded_firm(monkeypatch: pytest.MonkeyPatch, seed: int = 3) -> Iterator[LoadedFirm]:
    firm = list(iter_records(seed, "tiny"))
    users = [record for resource, record in firm if resource == "users"]
    seeds = [SystemUserSeed(fullname=u["name"], internalemailaddress=u["email"]) for u in users[:4]]
    with running_dataverse(key_activation_delay_seconds=0.05, system_users=seeds) as dataverse:
        point_settings_at(dataverse, monkeypatch)
        client = DataverseClient(Settings())
        the_map = load_map()
        _provision(client, the_map)
        raw = container(get_settings().raw_container)
        _extract(raw, firm)
        schema = read_snapshot(client, {t.target.logical_name for t in the_map.tables})
        target = {"schema": schema.model_dump(mode="json"),
                  "system_users": client.query("systemusers", {"$select": "systemuserid,internalemailaddress,"
                                                                          "isdisabled,islicensed"})}
        raw.upload_blob(f"{MIGRATION}/target.json", json.dumps(target).encode())
        raw.upload_blob(f"{MIGRATION}/map.json", the_map.model_dump_json(by_alias=True).encode())
        dry_run_migration({"migration_id": MIGRATION, "map_blob": f"{MIGRATION}/map.json",
                           "snapshot_blob": f"{MIGRATION}/target.json", "fallback_owner_email": users[0]["email"]})
        approved = approve(the_map, "ada.attorney@firm.example", datetime.now(timezone.utc))
        raw.upload_blob(f"{MIGRATION}/mapping/approved.json", approved.model_dump_json().encode())
        loaded = LoadedFirm(client, raw, the_map, firm, f"{MIGRATION}/mapping/approved.json")
        for table in LOAD_ORDER:
            if any(raw.list_blobs(name_starts_with=f"{loaded.rows_prefix}/{table}/")):
                loaded.load(table)
        try:
            yield loaded
        finally:
            client.close()
