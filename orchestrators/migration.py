"""One migration, as the product page walks it: pre-flight → extraction → proposed map → mapping approval → schema →
sample loaded and diffed field by field → sample approval (a rejection goes back to the mapping) → full load, each
table a sub-orchestration started once the tables it binds to are in, each group of tables reconciled once it is
final (orchestrators/table_loads.py) → documents → the reconciliation assembled → cutover, which opens the delta
window. The custom status always says the phase and what is known so far; the gates wait for the portal's
external events, with a timeout."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import azure.durable_functions as df

from orchestrators.table_loads import load_tables

bp = df.Blueprint()

MAPPING_EVENT, SAMPLE_EVENT = "mapping_decision", "sample_decision"
WEBHOOKS_BEFORE_CUTOVER = timedelta(days=31)  # as long as Clio allows; cutover sets the real end


def _decision(context: df.DurableOrchestrationContext, event: str, hours: int):
    """The engineer's decision at a gate, or None when the timeout passes first."""
    timer = context.create_timer(context.current_utc_datetime + timedelta(hours=hours))
    answer = context.wait_for_external_event(event)
    winner = yield context.task_any([answer, timer])
    if winner == answer:
        timer.cancel()
        return answer.result
    return None


@bp.orchestration_trigger(context_name="context")
def migrate(context: df.DurableOrchestrationContext):
    request = context.get_input()
    migration_id = request["migration_id"]
    timeout = request.get("approval_timeout_hours", 72)

    def phase(name: str, **known: Any) -> None:
        context.set_custom_status({**(context.custom_status or {}), "migration_id": migration_id, "phase": name,
                                   **known})

    def record(name: str, delta_window_hours: int | None = None, **detail: Any):
        return context.call_activity("record_migration", {
            "migration_id": migration_id, "phase": name, "detail": detail, "delta_window_hours": delta_window_hours,
            "at": context.current_utc_datetime.isoformat()})

    phase("pre-flight")
    yield record("pre-flight")
    preflight = yield context.call_activity("run_preflight", request)
    phase("pre-flight", preflight=preflight)
    if preflight["blocking"]:
        yield record("failed", reason="pre-flight", checks=preflight["blocking"])
        return {"phase": "failed", "reason": f"pre-flight failed: {', '.join(preflight['blocking'])}",
                "preflight": preflight}

    def watch(window_closes_at: datetime):
        """The webhooks made or renewed; if Clio refuses them, why (deletes then come from the final id sweep)."""
        try:
            return (yield context.call_activity("ensure_clio_webhooks", {
                "migration_id": migration_id, "streams": request.get("objects"),
                "window_closes_at": window_closes_at.isoformat()}))
        except Exception as error:
            return {"configured": True, "failed": str(error)[:2000]}

    # deletes made in Clio while the migration runs reach the receiver too (Clio has no tombstones to read later)
    webhooks = yield from watch(context.current_utc_datetime + WEBHOOKS_BEFORE_CUTOVER)
    phase("extracting", webhooks=webhooks)
    extraction = yield context.call_sub_orchestrator(
        "extract_clio", {"migration_id": migration_id, "streams": request.get("objects")},
        f"{context.instance_id}:extract")
    phase("extracted", records=extraction["records"], extraction_failed=extraction["failed"])
    if extraction["failed"]:
        yield record("failed", reason="extraction", streams=extraction["failed"])
        return {"phase": "failed", "reason": "extraction failed", "extraction": extraction}

    mapping_round = 0
    while True:
        phase("proposing the map", round=mapping_round)
        proposal = yield context.call_activity("propose_migration_map", {
            "migration_id": migration_id, "round": mapping_round,
            "case_practice_areas": request.get("case_practice_areas", []),
            "fallback_owner_email": request.get("fallback_owner_email")})
        yield record("awaiting mapping approval", round=mapping_round)
        phase("awaiting mapping approval", proposal=proposal)  # published as the wait starts
        decision = yield from _decision(context, MAPPING_EVENT, timeout)
        if decision is None:
            yield record("failed", reason="mapping approval timed out")
            return {"phase": "failed", "reason": f"no mapping decision within {timeout} h"}
        if not decision["approved"]:
            mapping_round += 1
            continue
        approved = yield context.call_activity("approve_migration_map", {
            "migration_id": migration_id, "decision": decision, "at": context.current_utc_datetime.isoformat()})

        phase("provisioning the schema", version=approved["version"])
        schema, sample = yield context.task_all([  # the sample is chosen from the staged rows meanwhile
            context.call_sub_orchestrator("provision_schema", {"schema_blob": approved["schema_blob"],
                                                               "migration_id": migration_id},
                                          f"{context.instance_id}:schema:{mapping_round}"),
            context.call_activity("stage_sample", {
                "migration_id": migration_id, "version": approved["version"],
                "size": request.get("sample_size", 100), "round": mapping_round})])
        if not schema["ready"] or schema["conflicts"]:
            yield record("failed", reason="schema", conflicts=schema["conflicts"])
            return {"phase": "failed", "reason": schema["reason"] or f"schema conflicts: {schema['conflicts']}"}

        phase("loading the sample")
        sample_loads = yield from load_tables(context, migration_id, sample, approved["approved_map_blob"],
                                              f"sample{mapping_round}")
        diff = yield context.call_activity("reconcile_migration", {
            "migration_id": migration_id, "approved_map_blob": approved["approved_map_blob"],
            "keys_blob": sample["keys_blob"]})
        yield record("awaiting sample approval", round=mapping_round)
        phase("awaiting sample approval", sample={"rows": sample["rows"], "diff": diff, "loads": sample_loads.totals})
        decision = yield from _decision(context, SAMPLE_EVENT, timeout)
        if decision is None:
            yield record("failed", reason="sample approval timed out")
            return {"phase": "failed", "reason": f"no sample decision within {timeout} h"}
        if decision["approved"]:
            break
        # a rejected sample goes back to the mapping, and its rows go: the next map may not make them again
        phase("undoing the sample", round=mapping_round)
        yield context.call_sub_orchestrator("rollback_migration", {
            "migration_id": migration_id, "dry_run": False, "force": False, "remove_schema": False},
            f"{context.instance_id}:undo-sample{mapping_round}")
        mapping_round += 1

    phase("loading")
    yield record("loading", version=approved["version"])
    plan = yield context.call_activity("plan_full_load", {"migration_id": migration_id,
                                                           "version": approved["version"]})
    full = yield from load_tables(context, migration_id, plan, approved["approved_map_blob"], "full", reconcile=True)
    loads = full.totals

    phase("moving documents", loads=loads)  # the last reconcile groups finish meanwhile
    moving = context.call_sub_orchestrator("move_clio_documents", {
        "migration_id": migration_id, "approved_map_blob": approved["approved_map_blob"],
        "parameters": {"case_practice_areas": request.get("case_practice_areas", [])}},
        f"{context.instance_id}:documents")
    finishing = sorted(full.reconciling.items())
    settled = yield context.task_all([moving, *(task for _, task in finishing)])
    documents = settled[0]
    full.parts.update({number: part for (number, _), part in zip(finishing, settled[1:])})

    phase("reconciling", documents=documents["moved"])
    reconciliation = yield context.call_activity("reconcile_migration", {
        "migration_id": migration_id, "approved_map_blob": approved["approved_map_blob"],
        "parts": [full.parts[number]["report"] for number in sorted(full.parts)]})
    yield record("cutover", request["delta_window_hours"], unexplained=reconciliation["unexplained"])
    webhooks = yield from watch(context.current_utc_datetime + timedelta(hours=request["delta_window_hours"]))
    result = {"phase": "cutover", "version": approved["version"], "records": extraction["records"],
              "loads": loads, "documents": documents["moved"], "reconciliation": reconciliation,
              "webhooks": webhooks}
    phase("cutover", reconciliation=reconciliation)
    return result
