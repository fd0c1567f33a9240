"""What crosses delta pickup's boundaries: the orchestration's input, a tick's plan, each delete's outcome and a
tick's summary (the certificate is assembled from the summaries)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.migration.models import MIGRATION_ID, MigrationRequest

DeleteSource = Literal["webhook", "sweep"]
# deactivated / deleted: done now; already-*: found so (an earlier attempt, or a person); not-loaded: the ledger has
# no write of ours for that key, so there is nothing of ours to remove; kept: the org had the row before the
# migration and it has no inactive state, so it stays; failed: Dataverse refused (code, message).
DeleteOutcome = Literal["deactivated", "deleted", "already-inactive", "already-gone", "not-loaded", "kept", "failed"]


class DeltaRequest(BaseModel):
    """The orchestration's input: the migration's own choices that mapping a changed record needs again."""
    model_config = ConfigDict(extra="forbid")
    migration_id: str = Field(pattern=MIGRATION_ID)
    streams: list[str] = Field(default_factory=list)  # the migration's selected streams; all when empty
    case_practice_areas: list[int] = Field(default_factory=list)
    fallback_owner_email: str | None = None

    @classmethod
    def of(cls, request: MigrationRequest) -> "DeltaRequest":
        return cls(migration_id=request.migration_id, streams=request.objects,
                   case_practice_areas=request.case_practice_areas, fallback_owner_email=request.fallback_owner_email)


class TickPlan(BaseModel):
    migration_id: str
    tick: int = Field(ge=1)
    folder: str  # the tick's folder (shared/delta/paths.py)
    at: datetime  # when the tick started (the orchestration's clock): the next watermark
    closes_at: datetime  # the window's end
    final: bool  # the window has closed: this tick also sweeps ids and writes the certificate
    finished: bool = False  # the certificate is written: nothing left to do
    updated_since: str | None = None
    watermark: datetime | None = None
    watermark_source: str = ""  # what the watermark is the start of (for the tick's summary)
    streams: list[str] = Field(default_factory=list)  # extracted each tick
    sweep_streams: list[str] = Field(default_factory=list)  # listed by the final sweep: those that become rows
    unfiltered_streams: list[str] = Field(default_factory=list)  # Clio cannot filter them: read whole each tick
    approved_map_blob: str = ""


class DeleteLine(BaseModel):
    source: DeleteSource
    resource: str  # the Clio resource
    clio_id: str
    entity_set: str
    key: str  # the row's Clio key (key prefix + id)
    outcome: DeleteOutcome
    dataverse_id: str | None = None
    how: str | None = None  # "statecode 1, statuscode 2", "LoseOpportunity", "delete", ...
    code: str | None = None
    message: str | None = None


class TickSummary(BaseModel):
    """One tick, as its last activity recorded it."""
    migration_id: str
    tick: int
    at: datetime
    final: bool
    updated_since: str | None
    watermark: datetime | None  # the watermark after the tick (None: not advanced, something failed)
    watermark_source: str = ""  # what `updated_since` was counted back from
    changed: dict[str, int] = Field(default_factory=dict)  # records extracted, per stream
    unfiltered_streams: list[str] = Field(default_factory=list)  # re-read whole: Clio cannot filter them
    staged: int = 0
    loads: dict[str, dict[str, int]] = Field(default_factory=dict)  # table map -> created/updated/unchanged/failed
    reconciliation: dict[str, Any] | None = None
    deletes: dict[str, dict[str, int]] = Field(default_factory=dict)  # source -> outcome -> rows
    delete_blobs: list[str] = Field(default_factory=list)
    webhook_events: dict[str, int] = Field(default_factory=dict)  # event -> deliveries taken in this tick
    webhooks: dict[str, Any] | None = None  # what keeping (or, at the end, removing) the webhooks did
    sweep: dict[str, Any] | None = None  # the final tick: streams listed, ids, gone keys, incomplete streams
    failures: list[str] = Field(default_factory=list)
