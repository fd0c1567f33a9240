"""A migration's delta window in the migrations table (settings.migrations_table, the row `record_migration` writes
at cutover, RowKey "migration"): when it opens and closes, and what delta pickup adds to it — ticks done, the
watermark, the last tick and sweep, when the certificate was written."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from azure.data.tables import UpdateMode
from pydantic import BaseModel, ConfigDict, Field

from shared.settings import Settings
from shared.storage import table

ROW = "migration"


class DeltaWindow(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")
    migration_id: str = Field(alias="PartitionKey")
    opens_at: datetime = Field(alias="DeltaWindowOpensAt")
    closes_at: datetime = Field(alias="DeltaWindowClosesAt")
    ticks: int = Field(default=0, alias="DeltaTicks")
    watermark: datetime | None = Field(default=None, alias="DeltaWatermark")
    last_tick_at: datetime | None = Field(default=None, alias="DeltaLastTickAt")
    last_sweep_at: datetime | None = Field(default=None, alias="DeltaLastSweepAt")
    finished_at: datetime | None = Field(default=None, alias="DeltaFinishedAt")
    stopped_at: datetime | None = Field(default=None, alias="DeltaStoppedAt")  # the migration was rolled back


def read_window(settings: Settings, migration_id: str) -> DeltaWindow | None:
    entities = table(settings, settings.migrations_table).query_entities(
        "PartitionKey eq @pk and RowKey eq @rk", parameters={"pk": migration_id, "rk": ROW})
    found = next(iter(entities), None)
    return DeltaWindow.model_validate(found) if found is not None and "DeltaWindowOpensAt" in found else None


def due_windows(settings: Settings, now: datetime) -> list[DeltaWindow]:
    """Windows that have opened and have no certificate yet: open ones get a tick, closed ones their final run.
    A rolled-back migration's window is stopped: a tick would bring back what the rollback removed."""
    entities = table(settings, settings.migrations_table).query_entities(
        "RowKey eq @rk and DeltaWindowOpensAt le @now", parameters={"rk": ROW, "now": now})
    windows = [DeltaWindow.model_validate(entity) for entity in entities]
    return sorted((w for w in windows if w.finished_at is None and w.stopped_at is None),
                  key=lambda w: w.migration_id)


def record_delta(settings: Settings, migration_id: str, **columns: Any) -> None:
    """Merges delta pickup's columns (DeltaTicks, DeltaWatermark, ...) into the migration's row."""
    entity = {"PartitionKey": migration_id, "RowKey": ROW, **{k: v for k, v in columns.items() if v is not None}}
    table(settings, settings.migrations_table).upsert_entity(entity, mode=UpdateMode.MERGE)
