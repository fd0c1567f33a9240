"""Rolling a migration back (instance `rollback-<migration id>`): SharePoint files, then the folders we created;
then the tables level by level in reverse load order — each level planned table by table, its restores carried
out, the created rows that rows staying point at set aside, its deletes carried out in waves, children before
parents — then, if asked, the schema
we created, and the report. A dry run goes through the same steps without writing.

Work runs in bounded windows of chunk activities; the orchestration continues as new after each level so its
history stays short. Only blob paths, ids and counts cross activity boundaries; the custom status always names
the phase, the level and each table's counts so far. Stopped and started again, it plans from what Dataverse and
SharePoint hold then: what is already undone is reported as already-done."""
from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import azure.durable_functions as df

from shared.rollback.models import RollbackRequest
from shared.rollback.paths import instance_id

bp = df.Blueprint()

RETRY = df.RetryOptions(first_retry_interval_in_milliseconds=30_000, max_number_of_attempts=5)
WINDOW = 8  # chunk activities in flight at once


def _windows(context: df.DurableOrchestrationContext, name: str,
             payloads: list[dict[str, Any]]) -> Generator[Any, Any, list[dict[str, Any]]]:
    results: list[dict[str, Any]] = []
    for start in range(0, len(payloads), WINDOW):
        results += yield context.task_all([context.call_activity_with_retry(name, RETRY, payload)
                                           for payload in payloads[start:start + WINDOW]])
    return results


def _tally(totals: dict[str, dict[str, int]], results: list[dict[str, Any]]) -> None:
    for result in results:
        counts = totals.setdefault(result["table"], {})
        for outcome, number in result["counts"].items():
            counts[outcome] = counts.get(outcome, 0) + number


def _first_state(context: df.DurableOrchestrationContext, payload: dict[str, Any]) -> dict[str, Any]:
    request = RollbackRequest.model_validate(payload).model_dump()
    # The time names the run for people; the (replay-safe) uuid keeps two runs in one second apart.
    run = f"{context.current_utc_datetime:%Y%m%dT%H%M%SZ}-{str(context.new_uuid())[:8]}" + \
        ("-dry-run" if request["dry_run"] else "")
    return {"request": request, "run": run, "stage": "documents", "levels": [], "next": 0, "schema": False,
            "protected": None, "tables": {}}


@bp.orchestration_trigger(context_name="context")
def rollback_migration(context: df.DurableOrchestrationContext):
    given = context.get_input()
    state = given if "stage" in given else _first_state(context, given)
    request = state["request"]
    base = {"migration_id": request["migration_id"], "run": state["run"], "dry_run": request["dry_run"]}

    def phase(name: str, **known: Any) -> None:
        context.set_custom_status({"migration_id": request["migration_id"], "run": state["run"],
                                   "dry_run": request["dry_run"], "phase": name, "level": state["next"],
                                   "levels": len(state["levels"]), "tables": state["tables"], **known})

    if state["stage"] == "documents":
        phase("planning")
        prepared = yield context.call_activity_with_retry("prepare_rollback", RETRY, base)
        state.update(levels=prepared["levels"], schema=prepared["schema"])
        phase("removing documents")
        _tally(state["tables"], (yield from _windows(context, "remove_rollback_files", [
            {**base, "partition": partition} for partition in prepared["files"]])))
        if prepared["folders"]:
            _tally(state["tables"], [(yield context.call_activity_with_retry("remove_rollback_folders", RETRY,
                                                                             base))])
        state["stage"] = "levels"
        context.continue_as_new(state)
        return None

    if state["next"] < len(state["levels"]):
        yield from _level(context, state, base, phase)
        context.continue_as_new(state)
        return None

    if request["remove_schema"] and state["schema"]:
        phase("removing the schema")
        _tally(state["tables"], [(yield context.call_activity_with_retry("remove_rollback_schema", RETRY, base))])
    phase("writing the report")
    report = yield context.call_activity_with_retry("write_rollback_report", RETRY, {
        **base, "force": request["force"], "remove_schema": request["remove_schema"]})
    if not request["dry_run"] and context.instance_id == instance_id(request["migration_id"]):  # not a sample's undo
        yield context.call_activity("record_migration", {
            "migration_id": request["migration_id"], "phase": "rolled back",
            "at": context.current_utc_datetime.isoformat(), "detail": {"run": state["run"], "report": report["report"], "force": request["force"],
                       "remove_schema": request["remove_schema"]}})
    phase("done", report=report["report"])
    return {"phase": "done", "run": state["run"], "dry_run": request["dry_run"], **report, "tables": state["tables"]}


def _level(context: df.DurableOrchestrationContext, state: dict[str, Any], base: dict[str, Any],
           phase: Callable[..., None]) -> Generator[Any, Any, None]:
    """One level's tables: plan, restore, set aside what must stay, delete."""
    level = state["levels"][state["next"]]
    phase("planning tables", level_tables=level)
    plans = yield context.task_all([context.call_activity_with_retry("plan_rollback_table", RETRY, {
        **base, "entity_set": entity_set, "force": state["request"]["force"]}) for entity_set in level])
    _tally(state["tables"], plans)

    phase("restoring rows", level_tables=level)
    restore_chunks = [{**base, "entity_set": plan["entity_set"], "primary_id": plan["primary_id"],
                       "plan_blob": blob, "force": state["request"]["force"]}
                      for plan in plans for blob in plan["restore"]]
    restored = yield from _windows(context, "restore_rollback_rows", restore_chunks)
    _tally(state["tables"], restored)
    phase("setting aside rows that stay", level_tables=level)
    ordered = yield context.call_activity_with_retry("order_rollback_deletes", RETRY, {
        **base, "level": state["next"], "previous": state["protected"],
        "settled": [plan["settled"] for plan in plans],
        "deletes": [{"entity_set": plan["entity_set"], "primary_id": plan["primary_id"], "plan_blob": blob}
                    for plan in plans for blob in plan["delete"]],
        "restored": [{"plan_blob": chunk["plan_blob"], "outcomes_blob": result["outcomes_blob"]}
                     for chunk, result in zip(restore_chunks, restored)]})
    _tally(state["tables"], ordered["kept"])
    for number, wave in enumerate(ordered["waves"]):  # children before parents: a wave waits for the one before
        phase("deleting rows", level_tables=level, wave=number, waves=len(ordered["waves"]))
        _tally(state["tables"], (yield from _windows(context, "delete_rollback_rows",
                                                      [{**base, **chunk} for chunk in wave])))
    state["protected"] = ordered["protected_blob"]
    state["next"] += 1
