"""Which migrations have their delta-pickup window open at a given moment (the migrations table is written when
a migration reaches cutover)."""
from __future__ import annotations

from datetime import datetime

import azure.durable_functions as df
from azure.core.exceptions import ResourceExistsError
from pydantic import BaseModel

from shared.settings import get_settings
from shared.storage import table_service

bp = df.Blueprint()


class WindowQuery(BaseModel):
    at: datetime


@bp.activity_trigger(input_name="payload")
def find_open_delta_windows(payload: dict) -> dict:
    query = WindowQuery.model_validate(payload)
    settings = get_settings()
    table = table_service(settings).get_table_client(settings.migrations_table)
    try:
        table.create_table()
    except ResourceExistsError:
        pass
    rows = table.query_entities("DeltaWindowOpensAt le @at and DeltaWindowClosesAt gt @at",
                                parameters={"at": query.at}, select=["PartitionKey"])
    return {"at": query.at.isoformat(), "migration_ids": sorted({row["PartitionKey"] for row in rows})}
