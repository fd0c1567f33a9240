"""Move every Clio document of a migration to SharePoint: key the document-location tables (idempotent), plan
(where each file goes), move the batches in bounded
windows — only in Clio's off-peak hours when the plan says so, waiting on durable timers in between — then link
the record folders to their Dynamics rows and write the report. Run it once the matters and contacts are loaded:
the document locations bind to them. History stays short: the batch loop continues as new every few windows."""
from __future__ import annotations

from datetime import datetime, timezone

import azure.durable_functions as df

from shared.documents.locations import SCHEMA
from shared.documents.off_peak import PeakHours
from shared.eta import eta

bp = df.Blueprint()

WINDOWS_BEFORE_CONTINUE_AS_NEW = 10
MOVE_RETRY = df.RetryOptions(first_retry_interval_in_milliseconds=30_000, max_number_of_attempts=5)
LOCATION_SCHEMA = SCHEMA.model_dump(mode="json")
_TOTALS = ("documents", "created", "updated", "unchanged", "failed", "bytes", "clio_requests")


@bp.orchestration_trigger(context_name="context")
def move_clio_documents(context: df.DurableOrchestrationContext):
    request = context.get_input()
    migration_id = request["migration_id"]
    context.set_custom_status({"phase": "provisioning the document-location keys"})
    schema = yield context.call_sub_orchestrator("provision_schema", {**LOCATION_SCHEMA, "migration_id": migration_id},
                                                 f"{context.instance_id}:schema")
    if not schema["ready"] or schema["conflicts"]:
        raise RuntimeError(f"document locations cannot be keyed: {schema['reason'] or schema['conflicts']}")
    context.set_custom_status({"phase": "planning documents"})
    plan = yield context.call_activity("plan_document_moves", request)
    moved = yield context.call_sub_orchestrator("move_document_batches", {
        "migration_id": migration_id, "batches": plan["batches"], "parallel": plan["parallel"],
        "peak": plan["peak"], "next": 0, "totals": {key: 0 for key in _TOTALS}}, f"{context.instance_id}:batches")
    context.set_custom_status({"phase": "linking document locations", **moved})
    locations = yield context.call_activity("link_document_locations", {"migration_id": migration_id})
    report = yield context.call_activity("write_documents_report", {"migration_id": migration_id})
    context.set_custom_status({"phase": "documents done", **moved})
    return {"plan": plan, "moved": moved, "locations": locations, "report": report}


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


@bp.orchestration_trigger(context_name="context")
def move_document_batches(context: df.DurableOrchestrationContext):
    state = context.get_input()
    peak = PeakHours.model_validate(state["peak"]) if state["peak"] else None
    totals = state["totals"]
    for _ in range(WINDOWS_BEFORE_CONTINUE_AS_NEW):
        if state["next"] >= state["batches"]:
            return totals
        now = _utc(context.current_utc_datetime)
        if peak is not None and peak.is_peak(now):
            until = peak.next_off_peak(now)
            context.set_custom_status({"phase": "waiting for Clio off-peak hours", "until": until.isoformat(),
                                       "batches_done": state["next"], "batches": state["batches"], **totals})
            yield context.create_timer(until)
            continue
        state.setdefault("started", now.isoformat())  # the ETA's pace counts from the first window
        window = range(state["next"], min(state["next"] + state["parallel"], state["batches"]))
        results = yield context.task_all([
            context.call_activity_with_retry("move_document_batch", MOVE_RETRY,
                                             {"migration_id": state["migration_id"], "batch": index})
            for index in window])
        for result in results:
            for key in _TOTALS:
                totals[key] += result[key]
        state["next"] = window.stop
        context.set_custom_status({"phase": "moving documents", "batches_done": state["next"],
                                   "batches": state["batches"], **totals,
                                   "eta": eta(datetime.fromisoformat(state["started"]),
                                              _utc(context.current_utc_datetime), state["next"], state["batches"])})
    context.continue_as_new(state)
    return None
