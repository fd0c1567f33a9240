"""The Function App: blueprints from orchestrators/ and activities/, plus the portal's HTTP starters and the
delta-pickup timer. Importing this module has no side effects beyond registration."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import azure.durable_functions as df
import azure.functions as func

from activities import (clio_extract, clio_webhooks, dataverse_load, dataverse_schema, delta_certificate,
                        delta_deletes, delta_stage, delta_windows, documents, mapping_dry_run, migration,
                        reconciliation, rollback, sample_parts)
from orchestrators import clio_extraction, delta_pickup, sample_fanout, table_loads
from orchestrators import dataverse_schema as dataverse_schema_orchestrator
from orchestrators import documents as documents_orchestrator
from orchestrators import migration as migration_orchestrator
from orchestrators import rollback as rollback_orchestrator
from shared.delta.starter import start_delta_pickups
from shared.portal import clio_webhooks as webhook_receiver
from shared.portal import rollback_routes
from shared.portal import routes as portal_routes

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)
for blueprint in (sample_parts.bp, clio_webhooks.bp, delta_windows.bp, delta_stage.bp, delta_deletes.bp,
                  delta_certificate.bp, clio_extract.bp, dataverse_load.bp, dataverse_schema.bp, mapping_dry_run.bp,
                  documents.bp, reconciliation.bp, migration.bp, rollback.bp,
                  sample_fanout.bp, delta_pickup.bp, clio_extraction.bp, dataverse_schema_orchestrator.bp,
                  documents_orchestrator.bp, migration_orchestrator.bp, table_loads.bp, rollback_orchestrator.bp,
                  portal_routes.bp, rollback_routes.bp, webhook_receiver.bp):
    app.register_functions(blueprint)

# What the internal portal may start over HTTP; sub-orchestrators and the timer's singleton are not on the list.
PORTAL_ORCHESTRATORS = frozenset({"sample_fanout", "extract_clio"})
ACTIVE_STATES = {df.OrchestrationRuntimeStatus.Pending, df.OrchestrationRuntimeStatus.Running,
                 df.OrchestrationRuntimeStatus.ContinuedAsNew}


def _error(status: int, message: str) -> func.HttpResponse:
    return func.HttpResponse(json.dumps({"error": message}), status_code=status, mimetype="application/json")


@app.route(route="orchestrations/{name}", methods=["POST"])
@app.durable_client_input(client_name="client")
async def start_orchestration(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    name = req.route_params["name"]
    if name not in PORTAL_ORCHESTRATORS:
        return _error(404, f"No orchestration named '{name}' can be started from the portal")
    try:
        body = req.get_json() if req.get_body() else None
    except ValueError:
        return _error(400, "The request body must be JSON")
    instance_id = req.params.get("instanceId")
    if instance_id:
        existing = await client.get_status(instance_id)
        if existing.runtime_status in ACTIVE_STATES:
            return _error(409, f"Instance '{instance_id}' is already {existing.runtime_status.value}")
    started = await client.start_new(name, instance_id, body)
    return client.create_check_status_response(req, started)


@app.route(route="orchestrations/instances/{instance_id}", methods=["GET"])
@app.durable_client_input(client_name="client")
async def orchestration_status(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    """What engineers read in the portal: status, custom status and (with ?history=true) the history."""
    with_history = req.params.get("history", "").lower() == "true"
    status = await client.get_status(req.route_params["instance_id"], show_history=with_history,
                                     show_history_output=with_history, show_input=True)
    if status.runtime_status is None:
        return _error(404, f"No instance '{req.route_params['instance_id']}'")
    body = status.to_json()
    if with_history:
        body["history"] = getattr(status, "historyEvents", None)
    return func.HttpResponse(json.dumps(body), mimetype="application/json")


@app.timer_trigger(arg_name="timer", schedule="%DELTA_PICKUP_SCHEDULE%", run_on_startup=False, use_monitor=True)
@app.durable_client_input(client_name="client")
async def delta_pickup_timer(timer: func.TimerRequest, client: df.DurableOrchestrationClient) -> None:
    """Each migration whose delta window has opened and has no certificate yet: its run (`delta-<migration>`),
    unless one is still active, so overlapping ticks never start a second."""
    await start_delta_pickups(client, datetime.now(timezone.utc))
