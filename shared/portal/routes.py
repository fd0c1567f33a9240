"""Migrations over HTTP: start (once per migration id), status, reports, the proposed map (read, or replace with an
edited one), the two gates' decisions, cancel. Bodies are validated with the same pydantic models the
orchestration uses; every refusal is a 4xx with a message and changes nothing."""
from __future__ import annotations

from typing import Any

import azure.durable_functions as df
import azure.functions as func

from shared.blobs import container
from shared.mapping.model import MapFile
from shared.migration.models import (REPORTS, Decision, MigrationInput, MigrationRequest, edited_map_blob,
                                     instance_id, proposed_map_blob)
from shared.portal.http import ACTIVE, body_of, error, instance_view, json_answer, migration_id_of
from shared.portal.openapi import openapi_document
from shared.settings import get_settings

bp = df.Blueprint()
GATES = {"mapping": ("mapping_decision", "awaiting mapping approval"),
         "sample": ("sample_decision", "awaiting sample approval")}


async def _status(client: df.DurableOrchestrationClient, migration_id: str) -> Any:
    status = await client.get_status(instance_id(migration_id), show_input=False)
    return status if status.runtime_status is not None else None


@bp.route(route="migrations", methods=["POST"])
@bp.durable_client_input(client_name="client")
async def start_migration(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    request = body_of(req, MigrationRequest)
    if isinstance(request, func.HttpResponse):
        return request
    existing = await _status(client, request.migration_id)
    if existing is not None:
        state = existing.runtime_status.value
        return error(409, f"Migration '{request.migration_id}' already exists ({state}); it is not started again",
                      status=instance_view(request.migration_id, existing))
    payload = MigrationInput(**request.model_dump(), delta_window_hours=get_settings().delta_window_hours)
    await client.start_new("migrate", instance_id(request.migration_id), payload.model_dump())
    location = f"/api/migrations/{request.migration_id}"
    return json_answer({"migration_id": request.migration_id, "instance_id": instance_id(request.migration_id),
                  "status": location}, 202, {"Location": location})


@bp.route(route="migrations/{migration_id}", methods=["GET"])
@bp.durable_client_input(client_name="client")
async def migration_status(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    migration_id = migration_id_of(req)
    if isinstance(migration_id, func.HttpResponse):
        return migration_id
    status = await _status(client, migration_id)
    return json_answer(instance_view(migration_id, status)) if status else error(404, f"No migration '{migration_id}'")


@bp.route(route="migrations/{migration_id}/reports/{name}", methods=["GET"])
def migration_report(req: func.HttpRequest) -> func.HttpResponse:
    migration_id = migration_id_of(req)
    if isinstance(migration_id, func.HttpResponse):
        return migration_id
    name = req.route_params["name"]
    if name not in REPORTS:
        return error(404, f"No report named '{name}'; reports: {sorted(REPORTS)}")
    html = req.params.get("format") == "html"
    path = f"{migration_id}/{REPORTS[name]}"
    blob = container(get_settings().raw_container).get_blob_client(path[:-len(".json")] + ".html" if html else path)
    if not blob.exists():
        return error(404, f"The {name} report of '{migration_id}' is not written yet")
    return func.HttpResponse(blob.download_blob().readall(), mimetype="text/html" if html else "application/json")


@bp.route(route="migrations/{migration_id}/mapping", methods=["GET", "PUT"])
@bp.durable_client_input(client_name="client")
async def migration_mapping(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    migration_id = migration_id_of(req)
    if isinstance(migration_id, func.HttpResponse):
        return migration_id
    raw = container(get_settings().raw_container)
    if req.method == "GET":
        blob = raw.get_blob_client(proposed_map_blob(migration_id))
        if not blob.exists():
            return error(404, f"Migration '{migration_id}' has no proposed map yet")
        return func.HttpResponse(blob.download_blob().readall(), mimetype="application/json")
    refusal = await _at_gate(client, migration_id, "mapping")
    if refusal is not None:
        return refusal
    edited = body_of(req, MapFile)
    if isinstance(edited, func.HttpResponse):
        return edited
    raw.upload_blob(edited_map_blob(migration_id), edited.model_dump_json().encode(), overwrite=True)
    return json_answer({"migration_id": migration_id, "stored": edited_map_blob(migration_id),
                  "next": "reject the current proposal to dry-run this map, then approve it"}, 202)


async def _at_gate(client: df.DurableOrchestrationClient, migration_id: str,
                   gate: str) -> func.HttpResponse | None:
    status = await _status(client, migration_id)
    if status is None:
        return error(404, f"No migration '{migration_id}'")
    phase = (status.custom_status or {}).get("phase")
    if status.runtime_status not in ACTIVE or phase != GATES[gate][1]:
        return error(409, f"Migration '{migration_id}' is not {GATES[gate][1]} (it is {phase or 'starting'}, "
                           f"{status.runtime_status.value})")
    return None


@bp.route(route="migrations/{migration_id}/{gate}/decision", methods=["POST"])
@bp.durable_client_input(client_name="client")
async def migration_decision(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    migration_id = migration_id_of(req)
    if isinstance(migration_id, func.HttpResponse):
        return migration_id
    gate = req.route_params["gate"]
    if gate not in GATES:
        return error(404, f"No gate '{gate}'; gates: {sorted(GATES)}")
    refusal = await _at_gate(client, migration_id, gate)
    if refusal is not None:
        return refusal
    decision = body_of(req, Decision)
    if isinstance(decision, func.HttpResponse):
        return decision
    await client.raise_event(instance_id(migration_id), GATES[gate][0], decision.model_dump())
    return json_answer({"migration_id": migration_id, "gate": gate, "approved": decision.approved}, 202)


@bp.route(route="migrations/{migration_id}/cancel", methods=["POST"])
@bp.durable_client_input(client_name="client")
async def cancel_migration(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    migration_id = migration_id_of(req)
    if isinstance(migration_id, func.HttpResponse):
        return migration_id
    status = await _status(client, migration_id)
    if status is None:
        return error(404, f"No migration '{migration_id}'")
    if status.runtime_status not in ACTIVE:
        return error(409, f"Migration '{migration_id}' is {status.runtime_status.value}; nothing to cancel")
    root = instance_id(migration_id)
    running = await client.get_status_by(runtime_status=list(ACTIVE))
    children = [s.instance_id for s in running if s.instance_id and s.instance_id.startswith(f"{root}:")]
    reason = f"cancelled from the portal: {req.params.get('reason', 'no reason given')}"
    for child in [root, *children]:
        await client.terminate(child, reason)
    return json_answer({"migration_id": migration_id, "cancelled": [root, *children]}, 202)


@bp.route(route="openapi.json", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def openapi(req: func.HttpRequest) -> func.HttpResponse:
    return json_answer(openapi_document())
