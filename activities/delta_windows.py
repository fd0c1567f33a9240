"""Which migrations have their delta-pickup window open at a given moment (the migrations table is written when
a migration reaches cutover)."""
from __future__ import annotations

from datetime import datetime

import azure.durable_functions as df
from pydantic import BaseModel

from shared.settings import get_settings
from shared.storage import table

bp = df.Blueprint()


class WindowQuery(BaseModel):
    at: datetime


@bp.activity_trigger(input_name="payload")
def find_open_delta_windows(payload: dict) -> dict:
    query = WindowQuery.model_validate(payload)
    settings = get_settings()
    rows = table(settings, settings.migrations_table).query_entities(
        "DeltaWindowOpensAt le @at and DeltaWindowClosesAt gt @at", parameters={"at": query.at}, select=["PartitionKey"])
    return {"at": query.at.isoformat(), "migration_ids": sorted({row["PartitionKey"] for row in rows})}
