"""Clio deletes applied to the rows made from the deleted records (shared/delta/retire.py): those Clio's webhooks
told us of, each tick, and those the final id sweep finds (shared/delta/sweep.py). Each delete's outcome goes to
Blob; only counts and the blob's path go back."""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime

import azure.durable_functions as df
from pydantic import BaseModel, Field

from shared.blobs import container
from shared.clio.models import resource_catalogue
from shared.clio.webhooks import RESOURCE_OF_MODEL, EventStore, ReceivedEvent, WebhookSettings
from shared.dataverse.shared_client import shared_dataverse_client
from shared.delta.landing import Landing, landings, targets
from shared.delta.models import DeleteLine, DeleteSource
from shared.delta.paths import deletes_blob, run_name, sweep_folder
from shared.delta.retire import Retirer
from shared.delta.sweep import comparable, gone, listed_ids
from shared.ledger import WriteLedger
from shared.mapping.approval import read_approved_map
from shared.mapping.model import MapFile
from shared.migration.models import MIGRATION_ID, approved_map_blob
from shared.settings import get_settings

bp = df.Blueprint()


class _Deletes(BaseModel):
    migration_id: str = Field(pattern=MIGRATION_ID)
    tick: int = Field(ge=1)


def _map(migration_id: str) -> MapFile:
    return read_approved_map(container(get_settings().raw_container), approved_map_blob(migration_id))


def _retired(request: _Deletes, map_file: MapFile, rows: list[Landing], source: DeleteSource) -> list[DeleteLine]:
    settings = get_settings()
    retirer = Retirer(shared_dataverse_client(settings), settings, request.migration_id, map_file,
                      settings.delta_delete_mode, f"{run_name(request.tick)}-{source}")
    return retirer.retire(rows, source)


def _written(request: _Deletes, lines: list[DeleteLine], source: DeleteSource) -> dict:
    path = deletes_blob(request.migration_id, request.tick, source)
    container(get_settings().raw_container).upload_blob(
        path, json.dumps([line.model_dump() for line in lines]).encode(), overwrite=True)
    return {"blob": path, "outcomes": dict(Counter(line.outcome for line in lines))}


class WebhookDeletes(_Deletes):
    before: datetime  # the tick's start: created/updated events received earlier are covered by its extraction


@bp.activity_trigger(input_name="payload")
def apply_webhook_deletes(payload: dict) -> dict:
    """The pending `deleted` events of the migration's webhooks, applied; each event is marked applied once every
    row of its record is retired (one that failed stays pending for the next tick). `created` and `updated` events
    only say what the tick's `updated_since` extraction reads anyway: those received before it started are marked
    applied too."""
    request = WebhookDeletes.model_validate(payload)
    store = EventStore(get_settings(), WebhookSettings().events_table)
    events = store.events(request.migration_id, pending_only=True)
    map_file = _map(request.migration_id)
    rows = {event.key: landings(map_file, RESOURCE_OF_MODEL[event.model], event.record_id)
            for event in events if event.event == "deleted"}
    lines = _retired(request, map_file, [row for found in rows.values() for row in found], "webhook")
    failed = {(line.entity_set, line.key) for line in lines if line.outcome == "failed"}
    applied = [event.key for event in events if _settled(event, rows, failed, request.before)]
    store.mark_applied(request.migration_id, applied)
    return {**_written(request, lines, "webhook"), "events": dict(Counter(event.event for event in events)),
            "applied": len(applied),
            "not_mapped": dict(Counter(event.model for event in events
                                       if event.event == "deleted" and not rows[event.key]))}


def _settled(event: ReceivedEvent, rows: dict[str, list[Landing]], failed: set[tuple[str, str]],
             before: datetime) -> bool:
    if event.event != "deleted":
        return event.received_at < before
    return not any((row.target.entity_set, row.key) in failed for row in rows[event.key])


class SweepDeletes(_Deletes):
    streams: list[str]  # the streams the sweep listed
    failed: list[str] = Field(default_factory=list)  # those not listed to the end


@bp.activity_trigger(input_name="payload")
def apply_sweep_deletes(payload: dict) -> dict:
    """Every row we wrote whose Clio record the sweep did not list, for the resources it may compare
    (shared/delta/sweep.py `comparable`); the others are named in `incomplete`."""
    request = SweepDeletes.model_validate(payload)
    map_file = _map(request.migration_id)
    raw = container(get_settings().raw_container)
    listed = listed_ids(raw, sweep_folder(request.migration_id), request.streams)
    complete = comparable(request.streams, request.failed, listed)
    written = {entity_set: WriteLedger(get_settings(), request.migration_id, entity_set).rows()
               for entity_set in targets(map_file)}
    lines = _retired(request, map_file, gone(map_file, written, listed, complete), "sweep")
    swept = {resource_catalogue().get(stream).resource for stream in request.streams}
    return {**_written(request, lines, "sweep"), "listed": {name: len(ids) for name, ids in sorted(listed.items())},
            "incomplete": sorted(swept - complete)}
