"""The loader activity: one staged batch of Dataverse-ready rows for one table, upserted by Clio key, every write
recorded in the ledger, every row's outcome written to Blob. Only counts and blob paths are returned."""
from __future__ import annotations

import json
from collections import Counter

import azure.durable_functions as df
from pydantic import BaseModel, Field

from shared.blobs import container
from shared.dataverse.loader import AdaptiveSize, LoadRow, TableLoader, TableTarget
from shared.dataverse.shared_client import shared_dataverse_client
from shared.ledger import WriteLedger
from shared.settings import get_settings

bp = df.Blueprint()


class LoadRequest(BaseModel):
    migration_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
    target: TableTarget
    rows_blob: str  # JSON lines of {"key": ..., "values": {...}} in the raw container
    batch_id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")


@bp.activity_trigger(input_name="payload")
def load_dataverse_rows(payload: dict) -> dict:
    request = LoadRequest.model_validate(payload)
    settings = get_settings()
    raw = container(settings.raw_container)
    lines = raw.download_blob(request.rows_blob).readall().decode().splitlines()
    rows = [LoadRow.model_validate_json(line) for line in lines if line.strip()]
    loader = TableLoader(shared_dataverse_client(settings),
                         WriteLedger(settings, request.migration_id, request.target.entity_set), request.target,
                         request.batch_id, AdaptiveSize(settings.dataverse_batch_size))
    outcomes = loader.load(rows)
    path = f"{request.migration_id}/dataverse/{request.target.entity_set}/outcomes/{request.batch_id}.json"
    raw.upload_blob(path, json.dumps([o.model_dump() for o in outcomes]).encode(), overwrite=True)
    counts = Counter(o.action for o in outcomes)
    return {"outcomes_blob": path, "rows": len(rows), **{a: counts.get(a, 0)
                                                         for a in ("created", "updated", "unchanged", "failed")}}
