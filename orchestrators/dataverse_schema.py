"""Provision the target schema, then wait (durable timers, no busy activity) until every alternate key's index is
Active: upserts by key fail until then."""
from __future__ import annotations

from datetime import timedelta

import azure.durable_functions as df

bp = df.Blueprint()

FIRST_POLL, LONGEST_POLL = timedelta(seconds=2), timedelta(seconds=15)  # small tables' keys activate in seconds
GIVE_UP = timedelta(hours=2)


@bp.orchestration_trigger(context_name="context")
def provision_schema(context: df.DurableOrchestrationContext):
    request = context.get_input()
    report = yield context.call_activity("provision_dataverse_schema", request)
    wanted = set(report["keys"])
    tables = sorted({name.split(".")[0] for name in wanted})
    deadline = context.current_utc_datetime + GIVE_UP
    statuses = report["keys"]
    poll = FIRST_POLL
    while any(statuses.get(key) != "Active" for key in wanted):
        failed = [key for key in wanted if statuses.get(key) == "Failed"]
        if failed or context.current_utc_datetime >= deadline:
            reason = f"key index failed: {failed}" if failed else "key indexes not Active within 2 hours"
            return {**report, "keys": statuses, "ready": False, "reason": reason}
        context.set_custom_status({"phase": "waiting for key indexes",
                                   "pending": sorted(k for k in wanted if statuses.get(k) != "Active")})
        yield context.create_timer(context.current_utc_datetime + poll)
        poll = min(poll * 2, LONGEST_POLL)
        statuses = yield context.call_activity("dataverse_key_statuses", {"tables": tables})
    return {**report, "keys": {key: statuses[key] for key in wanted}, "ready": True, "reason": None}
