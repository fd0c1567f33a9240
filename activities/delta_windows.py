"""Delta pickup's bookkeeping activities: a tick's plan (its number, folder, `updated_since` from the watermark
less the overlap, whether the window has closed) and its record (the summary in Blob, the tick and the watermark
in the migrations table). The watermark is when the last complete extraction started, on the orchestration's
clock: whatever changes in Clio after that has a later `updated_at` (give or take the skew the overlap covers)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import azure.durable_functions as df
from azure.storage.blob import ContainerClient

from shared.blobs import container
from shared.clio.models import resource_catalogue
from shared.delta.landing import mapped_resources
from shared.delta.models import DeltaRequest, TickPlan, TickSummary
from shared.delta.paths import summary_blob, sweep_folder, tick_folder
from shared.delta.window import DeltaWindow, read_window, record_delta
from shared.mapping.approval import read_approved_map
from shared.migration.models import approved_map_blob
from shared.settings import get_settings

bp = df.Blueprint()


class TickRequest(DeltaRequest):
    at: datetime


def _watermark(raw: ContainerClient, window: DeltaWindow) -> tuple[datetime, str]:
    """The watermark and what it is: the last tick's start, else the full extraction's start (its manifest), else
    the newest `updated_at` that extraction saw (clio.md §6's inferred algorithm), else the window's opening."""
    if window.watermark is not None:
        return window.watermark, "the start of the last tick that went through"
    manifest = json.loads(raw.download_blob(f"{window.migration_id}/clio/manifest.json").readall())
    if manifest.get("started_at"):
        return datetime.fromisoformat(manifest["started_at"]), "the start of the full extraction"
    stamps = [stream["max_updated_at"] for stream in manifest["streams"] if stream.get("max_updated_at")]
    if stamps:
        return max(datetime.fromisoformat(stamp) for stamp in stamps), "the newest updated_at of the full extraction"
    return window.opens_at, "the opening of the delta window"


def _streams(request: DeltaRequest, sources: list[str]) -> tuple[list[str], list[str]]:
    """(the streams each tick extracts, those the final sweep lists: the ones whose records become rows)."""
    chosen = [spec for spec in resource_catalogue().resources if not request.streams or spec.key in request.streams]
    return [spec.key for spec in chosen], [spec.key for spec in chosen if spec.resource in sources]


@bp.activity_trigger(input_name="payload")
def begin_delta_tick(payload: dict) -> dict:
    request = TickRequest.model_validate(payload)
    settings = get_settings()
    window = read_window(settings, request.migration_id)
    if window is None:
        raise ValueError(f"migration {request.migration_id} has no delta window: it has not reached cutover")
    tick = window.ticks + 1
    folder = tick_folder(request.migration_id, tick)
    plan = TickPlan(migration_id=request.migration_id, tick=tick, folder=folder, at=request.at,
                    closes_at=window.closes_at, final=request.at >= window.closes_at,
                    finished=window.finished_at is not None)
    if plan.finished:
        return plan.model_dump(mode="json")
    raw = container(settings.raw_container)
    for folder_to_clear in [folder, *([sweep_folder(request.migration_id)] if plan.final else [])]:
        for stale in raw.list_blobs(name_starts_with=f"{folder_to_clear}/"):  # from a run that did not finish
            raw.delete_blob(stale.name)
    watermark, source = _watermark(raw, window)
    map_file = read_approved_map(raw, approved_map_blob(request.migration_id))
    streams, sweep = _streams(request, mapped_resources(map_file))
    return plan.model_copy(update={
        "watermark": watermark, "watermark_source": source, "streams": streams, "sweep_streams": sweep,
        "updated_since": (watermark - timedelta(minutes=settings.delta_overlap_minutes)).isoformat(),
        "unfiltered_streams": [key for key in streams if not resource_catalogue().get(key).incremental],
        "approved_map_blob": approved_map_blob(request.migration_id)}).model_dump(mode="json")


@bp.activity_trigger(input_name="payload")
def record_delta_tick(payload: dict) -> dict:
    """The tick's summary to Blob; the tick, its time, the watermark (when it advanced) and the sweep's time to the
    migration's row."""
    summary = TickSummary.model_validate(payload)
    settings = get_settings()
    path = summary_blob(summary.migration_id, summary.tick)
    container(settings.raw_container).upload_blob(path, summary.model_dump_json(indent=1).encode(), overwrite=True)
    record_delta(settings, summary.migration_id, DeltaTicks=summary.tick, DeltaLastTickAt=summary.at,
                 DeltaWatermark=summary.watermark, DeltaLastSweepAt=summary.at if summary.sweep else None)
    return {"summary": path, "tick": summary.tick}
