"""Loading the staged rows, table by table, as a dataflow rather than level after level: a table's first pass
starts as soon as the tables its rows bind to have had theirs; a table with lookups into its own cycle, or with
failed rows, gets a second pass once its cycle is in and the tables it binds to are final. In the full run each
reconcile group (activities/migration.py) is reconciled as soon as its tables are final, while others still load.
Each table is a `load_table` sub-orchestration, its blobs kept in flight a few at a time."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import azure.durable_functions as df
from azure.durable_functions.models.Task import TaskState

from shared.eta import eta

bp = df.Blueprint()

LOAD_RETRY = df.RetryOptions(first_retry_interval_in_milliseconds=30_000, max_number_of_attempts=5)
BLOBS_IN_FLIGHT = 4
BLOBS_BEFORE_CONTINUE_AS_NEW = 80
LOAD_TOTALS = ("rows", "created", "updated", "unchanged", "failed")


@dataclass
class Loads:
    """What `load_tables` leaves: per-table totals, the reconcile groups' reports so far and the reconciliations
    still running (the caller waits for them alongside whatever it starts next)."""
    totals: dict[str, dict[str, int]]
    parts: dict[int, dict[str, Any]] = field(default_factory=dict)
    reconciling: dict[int, Any] = field(default_factory=dict)


def settled(task: Any) -> Any:
    """The result of a task `task_any` returned: it returns a failed task like any other, so raise its error here,
    as `task_all` would have."""
    if task.state is TaskState.FAILED:
        raise task.result
    return task.result


def _load_table(context: df.DurableOrchestrationContext, migration_id: str, table: dict[str, Any],
                approved_map_blob: str, run: str, omit: list[str]) -> Any:
    return context.call_sub_orchestrator("load_table", {
        "migration_id": migration_id, "table": table["table"], "target": table["target"], "blobs": table["blobs"],
        "approved_map_blob": approved_map_blob, "run": run, "omit": omit, "next": 0,
        "totals": {key: 0 for key in LOAD_TOTALS}}, f"{context.instance_id}:{run}:{table['table']}")


def load_tables(context: df.DurableOrchestrationContext, migration_id: str, plan: dict[str, Any],
                approved_map_blob: str, run: str, reconcile: bool = False):
    tables = {table["table"]: table for level in plan["levels"] for table in level}
    groups: list[list[str]] = plan.get("reconcile_groups", []) if reconcile else []
    loads = Loads(totals={})
    first_done: set[str] = set()
    final: set[str] = set(name for group in groups for name in group) - set(tables)  # nothing staged: final now
    again: set[str] = set()
    waiting, unreconciled = list(tables), list(range(len(groups)))
    running: list[tuple[Any, str, Any]] = []  # (task, what, which)
    started, blobs = context.current_utc_datetime, sum(len(table["blobs"]) for table in tables.values())
    loaded = 0

    def start_what_is_ready() -> None:
        for name in [name for name in waiting if set(tables[name]["after"]) <= first_done]:
            waiting.remove(name)
            running.append((_load_table(context, migration_id, tables[name], approved_map_blob, run,
                                        tables[name]["deferred"]), "first", name))
        for name in sorted(name for name in again
                           if set(tables[name]["cycle"]) <= first_done and set(tables[name]["after"]) <= final):
            again.remove(name)
            running.append((_load_table(context, migration_id, tables[name], approved_map_blob, f"{run}-again", []),
                            "again", name))
        for number in [number for number in unreconciled if set(groups[number]) <= final]:
            unreconciled.remove(number)
            loads.reconciling[number] = context.call_activity("reconcile_migration", {
                "migration_id": migration_id, "approved_map_blob": approved_map_blob, "tables": groups[number],
                "output_prefix": f"{migration_id}/reconciliation/parts/{number:03d}"})
            running.append((loads.reconciling[number], "reconcile", number))

    start_what_is_ready()
    while any(what != "reconcile" for _, what, _ in running):
        finished = yield context.task_any([task for task, _, _ in running])
        task, what, which = next(entry for entry in running if entry[0] is finished)
        running.remove((task, what, which))
        result = settled(task)
        if what == "reconcile":
            loads.parts[which] = result
            del loads.reconciling[which]
        elif what == "first":
            loads.totals[which] = result
            first_done.add(which)
            loaded += len(tables[which]["blobs"])
            if tables[which]["deferred"] or result["failed"]:
                again.add(which)
            else:
                final.add(which)
        else:
            loads.totals[which]["failed"] = result["failed"]
            final.add(which)
        start_what_is_ready()
        context.set_custom_status({**context.custom_status, "tables": loads.totals, "final_tables": len(final),
                                   "reconciled_groups": len(loads.parts),
                                   "eta": eta(started, context.current_utc_datetime, loaded, blobs)})
    return loads


@bp.orchestration_trigger(context_name="context")
def load_table(context: df.DurableOrchestrationContext):
    """One table map's staged blobs through the loader, a few in flight at a time (the next starts as one ends);
    history kept short with continue_as_new once the in-flight ones are in."""
    state = context.get_input()
    totals = state["totals"]
    in_flight: list[Any] = []
    stop = min(len(state["blobs"]), state["next"] + BLOBS_BEFORE_CONTINUE_AS_NEW)
    position = state["next"]
    while position < stop or in_flight:
        while position < stop and len(in_flight) < BLOBS_IN_FLIGHT:
            in_flight.append(context.call_activity_with_retry("load_dataverse_rows", LOAD_RETRY, {
                "migration_id": state["migration_id"], "target": state["target"],
                "rows_blob": state["blobs"][position],
                "batch_id": f"{state['run']}-{state['table']}-{position:05d}"[:64],
                "approved_map_blob": state["approved_map_blob"], "omit": state["omit"]}))
            position += 1
        finished = yield context.task_any(in_flight)
        in_flight = [task for task in in_flight if task is not finished]
        result = settled(finished)
        for key in LOAD_TOTALS:
            totals[key] += result[key]
        context.set_custom_status({"table": state["table"], "blobs_done": position - len(in_flight),
                                   "blobs": len(state["blobs"]), **totals})
    if position >= len(state["blobs"]):
        return totals
    state["next"] = position
    context.continue_as_new(state)
    return None
