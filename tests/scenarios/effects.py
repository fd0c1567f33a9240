"""Side effects in Table storage for the at-least-once tests: one idempotent effect row per part, and one row
per invocation so re-runs can be counted."""
from __future__ import annotations

import hashlib
import os
import uuid

from azure.core.exceptions import ResourceExistsError
from azure.data.tables import TableClient, TableServiceClient, UpdateMode

TABLE = "scenarioeffects"


def effects_table() -> TableClient:
    service = TableServiceClient.from_connection_string(os.environ["MIGRATION_STORAGE_CONNECTION_STRING"])
    table = service.get_table_client(TABLE)
    try:
        table.create_table()
    except ResourceExistsError:
        pass
    return table


def record_effect(run: str, part: int) -> dict:
    value = int(hashlib.sha256(f"{run}:{part}".encode()).hexdigest()[:7], 16)  # fits an Int32 table property
    table = effects_table()
    table.create_entity({"PartitionKey": f"{run}-calls", "RowKey": f"{part:06d}-{uuid.uuid4().hex}"})
    table.upsert_entity({"PartitionKey": f"{run}-effects", "RowKey": f"{part:06d}", "Value": value},
                        mode=UpdateMode.REPLACE)
    return {"part": part, "value": value}
