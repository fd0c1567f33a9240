"""The sample run: fan out per batch (sub-orchestrations) and per window of activities, write parts to Blob
storage, then check the manifest. Only ids, counts and blob paths cross activity boundaries."""
from __future__ import annotations

import azure.durable_functions as df

bp = df.Blueprint()


@bp.orchestration_trigger(context_name="context")
def sample_fanout(context: df.DurableOrchestrationContext):
    spec = context.get_input() or {}
    run_id, parts = spec["run_id"], int(spec["parts"])
    batch_size, window = int(spec.get("batch_size", 500)), int(spec.get("window", 50))
    records = int(spec.get("records_per_part", 50))
    batches = [{"run_id": run_id, "first": first, "count": min(batch_size, parts - first), "window": window,
                "records": records} for first in range(0, parts, batch_size)]
    context.set_custom_status({"phase": "writing", "batches": len(batches), "parts": parts})
    results = yield context.task_all([
        context.call_sub_orchestrator("sample_fanout_batch", batch, f"{context.instance_id}:batch-{n:04d}")
        for n, batch in enumerate(batches)])
    written = sum(r["parts"] for r in results)
    context.set_custom_status({"phase": "checking", "batches": len(batches), "parts": parts, "written": written})
    manifest = yield context.call_activity("write_sample_manifest", {"run_id": run_id, "expected_parts": parts})
    context.set_custom_status({"phase": "done", "parts": parts, "written": written})
    return {"run_id": run_id, "parts": written, "records": sum(r["records"] for r in results),
            "bytes": sum(r["bytes"] for r in results), "manifest": manifest}


@bp.orchestration_trigger(context_name="context")
def sample_fanout_batch(context: df.DurableOrchestrationContext):
    batch = context.get_input()
    retry = df.RetryOptions(first_retry_interval_in_milliseconds=1000, max_number_of_attempts=3)
    totals = {"parts": 0, "records": 0, "bytes": 0}
    end = batch["first"] + batch["count"]
    for start in range(batch["first"], end, batch["window"]):
        written = yield context.task_all([
            context.call_activity_with_retry("write_sample_part", retry,
                                             {"run_id": batch["run_id"], "part": part, "records": batch["records"]})
            for part in range(start, min(start + batch["window"], end))])
        totals["parts"] += len(written)
        totals["records"] += sum(w["records"] for w in written)
        totals["bytes"] += sum(w["bytes"] for w in written)
        context.set_custom_status(totals)
    return totals
