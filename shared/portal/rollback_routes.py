"""Rollback over HTTP: `POST /migrations/{id}/rollback` starts one (or, with `dry_run`, the preview of what it
would do per table), `GET` reads its status. Nothing else may be writing meanwhile: a running migration, rollback
or delta pickup tick is a 409. A real rollback also stops delta pickup for the migration, so no later tick brings
back what the rollback removed. Starting again after a stop resumes: the rollback reports what is already undone.
A migration whose orchestration history was purged can still be rolled back: the write ledger is what counts."""
from __future__ import annotations

from datetime import datetime, timezone

import azure.durable_functions as df
import azure.functions as func

from shared.delta.paths import instance_id as delta_instance_id
from shared.delta.window import record_delta
from shared.migration.models import instance_id as migration_instance_id
from shared.portal.http import ACTIVE, body_of, error, instance_view, json_answer, migration_id_of
from shared.rollback.models import RollbackOptions, RollbackRequest
from shared.rollback.paths import instance_id as rollback_instance_id
from shared.settings import get_settings
from shared.storage import table

bp = df.Blueprint()


def _wrote_anything(migration_id: str) -> bool:
    settings = get_settings()
    pages = table(settings, settings.ledger_table).query_entities(
        "PartitionKey ge @low and PartitionKey lt @high", select=["PartitionKey"], results_per_page=1,
        parameters={"low": f"{migration_id}|", "high": f"{migration_id}}}"})  # '}' follows '|'
    return next(iter(pages), None) is not None


async def _refusal(client: df.DurableOrchestrationClient, migration_id: str) -> func.HttpResponse | None:
    migration = await client.get_status(migration_instance_id(migration_id))
    if migration.runtime_status is None and not _wrote_anything(migration_id):  # its history may be purged
        return error(404, f"No migration '{migration_id}' and nothing in the write ledger under that id")
    for instance, what in ((migration_instance_id(migration_id), "The migration"),
                           (rollback_instance_id(migration_id), "A rollback"),
                           (delta_instance_id(migration_id), "A delta pickup tick")):
        status = await client.get_status(instance)
        if status.runtime_status in ACTIVE:
            return error(409, f"{what} of '{migration_id}' is {status.runtime_status.value} ({instance}): cancel "
                              "it or wait for it to end before rolling back")
    return None


@bp.route(route="migrations/{migration_id}/rollback", methods=["GET", "POST"])
@bp.durable_client_input(client_name="client")
async def migration_rollback(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    migration_id = migration_id_of(req)
    if isinstance(migration_id, func.HttpResponse):
        return migration_id
    instance = rollback_instance_id(migration_id)
    if req.method == "GET":
        status = await client.get_status(instance)
        if status.runtime_status is None:
            return error(404, f"Migration '{migration_id}' has not been rolled back")
        return json_answer(instance_view(migration_id, status))
    options = body_of(req, RollbackOptions)
    if isinstance(options, func.HttpResponse):
        return options
    refusal = await _refusal(client, migration_id)
    if refusal is not None:
        return refusal
    if not options.dry_run:
        record_delta(get_settings(), migration_id, DeltaStoppedAt=datetime.now(timezone.utc),
                     DeltaStoppedBecause="rolled back")
    request = RollbackRequest(migration_id=migration_id, **options.model_dump())
    await client.start_new("rollback_migration", instance, request.model_dump())
    location = f"/api/migrations/{migration_id}/rollback"
    return json_answer({"migration_id": migration_id, "instance_id": instance, "dry_run": options.dry_run,
                        "status": location}, 202, {"Location": location})
