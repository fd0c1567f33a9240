"""Extract every Clio resource into Blob storage: one sub-orchestration per stream, all streams in parallel, each
stream's cursor followed serially in bounded activity calls, history kept short with continue_as_new.

Optional input beside `migration_id`, `streams` and `updated_since`: `root`, the folder the pages go under instead
of `<migration>` (a delta tick's own, so it never overwrites the full extraction's pages), and `ids_only`, which asks
Clio for ids alone (delta pickup's id sweep, clio.md §6). The manifest records when the extraction started."""
from __future__ import annotations

import azure.durable_functions as df

bp = df.Blueprint()

CALLS_BEFORE_CONTINUE_AS_NEW = 25
TRANSIENT_RETRY = df.RetryOptions(first_retry_interval_in_milliseconds=30_000, max_number_of_attempts=5)


@bp.orchestration_trigger(context_name="context")
def extract_clio(context: df.DurableOrchestrationContext):
    request = context.get_input()
    migration_id = request["migration_id"]
    started_at = context.current_utc_datetime.isoformat()
    where = {"root": request.get("root"), "ids_only": request.get("ids_only", False)}
    plan = yield context.call_activity("plan_clio_extraction", {"streams": request.get("streams")})
    context.set_custom_status({"phase": "extracting", "streams": len(plan["streams"])})
    streams = yield context.task_all([
        context.call_sub_orchestrator("extract_clio_stream", {
            "migration_id": migration_id, "stream": stream, "updated_since": request.get("updated_since"),
            "max_pages": plan["pages_per_call"], "seq": 0, "url": None, **where,
            "totals": {"pages": 0, "records": 0, "problems": 0, "requests": 0, "max_updated_at": None}},
            f"{context.instance_id}:{stream}")
        for stream in plan["streams"]])
    manifest = yield context.call_activity("write_extraction_manifest", {
        "migration_id": migration_id, "updated_since": request.get("updated_since"), "streams": streams,
        "root": where["root"], "started_at": started_at})
    context.set_custom_status({"phase": "extracted", "records": manifest["records"],
                               "failed_streams": len(manifest["failed"])})
    return manifest


@bp.orchestration_trigger(context_name="context")
def extract_clio_stream(context: df.DurableOrchestrationContext):
    state = context.get_input()
    totals = state["totals"]
    for _ in range(CALLS_BEFORE_CONTINUE_AS_NEW):
        result = yield context.call_activity_with_retry("extract_clio_pages", TRANSIENT_RETRY, {
            "migration_id": state["migration_id"], "stream": state["stream"], "seq": state["seq"],
            "url": state["url"], "updated_since": state["updated_since"], "max_pages": state["max_pages"],
            "root": state.get("root"), "ids_only": state.get("ids_only", False)})
        for key in ("pages", "records", "problems", "requests"):
            totals[key] += result[key]
        if result["max_updated_at"] and (totals["max_updated_at"] or "") < result["max_updated_at"]:
            totals["max_updated_at"] = result["max_updated_at"]
        state["seq"], state["url"] = result["next_seq"], result["next_url"]
        context.set_custom_status({"stream": state["stream"], **totals})
        if result["failed"] or not result["next_url"]:
            return {"stream": state["stream"], **totals, "failed": result["failed"],
                    "status": "failed" if result["failed"] else "complete"}
    context.continue_as_new(state)
    return None
