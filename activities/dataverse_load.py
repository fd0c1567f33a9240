"""The loader activity: one staged batch of Dataverse-ready rows for one table, upserted by Clio key, every write
recorded in the ledger, every row's outcome written to Blob. Only counts and blob paths are returned."""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone

import azure.durable_functions as df
from pydantic import BaseModel, Field

from shared.blobs import container
from shared.dataverse.loader import AdaptiveSize, LoadRow, TableLoader, TableTarget
from shared.dataverse.shared_client import shared_dataverse_client
from shared.ledger import WriteLedger
from shared.mapping.approval import MapNotApproved, read_approved_map
from shared.reconcile.inputs import OUTCOMES_WRITTEN_AT
from shared.settings import get_settings

bp = df.Blueprint()


class LoadRequest(BaseModel):
    migration_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
    target: TableTarget
    rows_blob: str  # JSON lines of {"key": ..., "values": {...}, "lineage": {...}} in the raw container
    batch_id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")
    approved_map_blob: str  # the approved map (shared.mapping.approval.ApprovedMap) the rows were made with
    omit: list[str] = Field(default_factory=list)  # binds left for a second pass (a lookup cycle, load_order.py)


@bp.activity_trigger(input_name="payload")
def load_dataverse_rows(payload: dict) -> dict:
    request = LoadRequest.model_validate(payload)
    settings = get_settings()
    raw = container(settings.raw_container)
    approved = read_approved_map(raw, request.approved_map_blob)
    lines = [json.loads(line) for line in raw.download_blob(request.rows_blob).readall().decode().splitlines()
             if line.strip()]
    stale = sorted({v.rsplit("@", 1)[-1] for line in lines for v in line.get("lineage", {}).values()}
                   - {approved.version})
    if stale or any(not line.get("lineage") for line in lines):
        raise MapNotApproved(f"{request.rows_blob} holds rows made with map versions {stale or ['unknown']}, "
                             f"not the approved {approved.version}")
    omit = set(request.omit)
    rows = [LoadRow(key=line["key"], values={k: v for k, v in line["values"].items() if k not in omit})
            for line in lines]
    loader = TableLoader(shared_dataverse_client(settings),
                         WriteLedger(settings, request.migration_id, request.target.entity_set), request.target,
                         request.batch_id, AdaptiveSize(settings.dataverse_batch_size))
    outcomes = loader.load(rows)
    path = f"{request.migration_id}/dataverse/{request.target.entity_set}/outcomes/{request.batch_id}.json"
    # Last-Modified has whole seconds: a retry pass in the same second must still read as the later one
    raw.upload_blob(path, json.dumps([o.model_dump() for o in outcomes]).encode(), overwrite=True,
                    metadata={OUTCOMES_WRITTEN_AT: datetime.now(timezone.utc).isoformat()})
    counts = Counter(o.action for o in outcomes)
    return {"outcomes_blob": path, "rows": len(rows), **{a: counts.get(a, 0)
                                                         for a in ("created", "updated", "unchanged", "failed")}}
