"""The write ledger (Table storage): one entity per row we wrote to Dataverse, so a migration can be verified and
rolled back exactly. PartitionKey = "<migration>|<entity set>", RowKey = the Clio key.

`Origin` is set by the first write and never changes: "created" rows are deleted by a rollback, "pre-existing"
rows get their `BeforeImage` (the row as it was before our first write; in Blob when large) put back. `Version`
is the row's versionnumber after our last write, so a rollback can tell a row a person edited since.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from azure.core.exceptions import ResourceExistsError
from azure.data.tables import TableClient, UpdateMode

from shared.blobs import container
from shared.settings import Settings
from shared.storage import table_service

_INLINE_LIMIT = 30_000  # characters: table string properties hold 64 KiB of UTF-16


@dataclass
class LedgerEntry:
    key: str
    dataverse_id: str
    origin: str  # "created" | "pre-existing"
    last_action: str  # "created" | "updated"
    content_hash: str
    version: str | None
    batch: str
    written_at: datetime
    before_image: dict[str, Any] | None = None


def _row_key(key: str) -> str:
    return quote(key, safe="")  # table keys may not hold / \ # ? or control characters


class WriteLedger:
    def __init__(self, settings: Settings, migration_id: str, entity_set: str) -> None:
        self._settings = settings
        self.partition = f"{migration_id}|{entity_set}"
        self._table: TableClient = table_service(settings).get_table_client(settings.ledger_table)
        try:
            self._table.create_table()
        except ResourceExistsError:
            pass

    def get_many(self, keys: Iterable[str]) -> dict[str, LedgerEntry]:
        found: dict[str, LedgerEntry] = {}
        wanted = list(keys)
        for start in range(0, len(wanted), 40):
            chunk = wanted[start:start + 40]
            terms = " or ".join(f"RowKey eq @k{i}" for i in range(len(chunk)))
            parameters = {"pk": self.partition, **{f"k{i}": _row_key(key) for i, key in enumerate(chunk)}}
            query = f"PartitionKey eq @pk and ( {terms} )"  # the SDK substitutes @names between spaces
            for entity in self._table.query_entities(query, parameters=parameters):
                entry = self._entry(entity)
                found[entry.key] = entry
        return found

    def all(self) -> list[LedgerEntry]:
        return [self._entry(e) for e in self._table.query_entities("PartitionKey eq @pk",
                                                                   parameters={"pk": self.partition})]

    def record(self, entries: list[LedgerEntry]) -> None:
        operations = []
        for entry in entries:
            entity: dict[str, Any] = {
                "PartitionKey": self.partition, "RowKey": _row_key(entry.key), "Key": entry.key,
                "DataverseId": entry.dataverse_id, "Origin": entry.origin, "LastAction": entry.last_action,
                "ContentHash": entry.content_hash, "Version": entry.version or "", "Batch": entry.batch,
                "WrittenAt": entry.written_at}
            if entry.before_image is not None:
                image = json.dumps(entry.before_image)
                if len(image) <= _INLINE_LIMIT:
                    entity["BeforeImage"] = image
                else:
                    path = f"{self.partition.replace('|', '/')}/{_row_key(entry.key)}.json"
                    container(self._settings.ledger_container).upload_blob(path, image.encode(), overwrite=True)
                    entity["BeforeImageBlob"] = path
            operations.append(("upsert", entity, {"mode": UpdateMode.MERGE}))
        for start in range(0, len(operations), 100):
            self._table.submit_transaction(operations[start:start + 100])

    def _entry(self, entity: dict[str, Any]) -> LedgerEntry:
        image: dict[str, Any] | None = None
        if entity.get("BeforeImage"):
            image = json.loads(entity["BeforeImage"])
        elif entity.get("BeforeImageBlob"):
            blob = container(self._settings.ledger_container).download_blob(entity["BeforeImageBlob"])
            image = json.loads(blob.readall())
        written = entity.get("WrittenAt")
        return LedgerEntry(entity["Key"], entity["DataverseId"], entity["Origin"], entity["LastAction"],
                           entity["ContentHash"], entity.get("Version") or None, entity.get("Batch", ""),
                           written if isinstance(written, datetime) else datetime.now(timezone.utc), image)
