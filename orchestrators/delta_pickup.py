"""Delta pickup, started by the timer as a singleton: finds the migrations whose delta window is open now."""
from __future__ import annotations

import azure.durable_functions as df

bp = df.Blueprint()

DELTA_PICKUP_INSTANCE_ID = "delta-pickup"


@bp.orchestration_trigger(context_name="context")
def delta_pickup(context: df.DurableOrchestrationContext):
    found = yield context.call_activity("find_open_delta_windows", {"at": context.current_utc_datetime.isoformat()})
    context.set_custom_status({"open_windows": len(found["migration_ids"])})
    return found
