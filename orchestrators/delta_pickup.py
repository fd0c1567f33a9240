"""One delta-pickup tick of one migration (instance `delta-<migration>`, started by the timer when none is
running, shared/delta/starter.py): extract what changed in Clio since the watermark less the overlap into the
tick's own folder → map it with the approved map → load it through the same per-table loads as the full run
(idempotent upserts, every write in the ledger) → reconcile the tick's rows → apply the deletes Clio's webhooks
reported → keep the webhooks alive (`ensure_clio_webhooks`). Once the window has closed the run is the final one:
after the same steps it removes the webhooks, lists every id Clio still has, retires the rows whose records are
gone, and writes the delta certificate. Each tick's summary is recorded; the watermark advances to the tick's start
only when its extraction and loads went through. A step that fails is recorded with its reason and the tick goes
on; the next tick (or, at the end, the next final run) catches up."""
from __future__ import annotations

from typing import Any

import azure.durable_functions as df

from orchestrators.table_loads import load_tables
from shared.delta.paths import run_name, sweep_folder

bp = df.Blueprint()


def _extract(context: df.DurableOrchestrationContext, plan: dict[str, Any], name: str, streams: list[str],
             **options: Any):
    return context.call_sub_orchestrator("extract_clio", {
        "migration_id": plan["migration_id"], "streams": streams, **options},
        f"{context.instance_id}:t{plan['tick']:04d}:{name}")


def _failed_streams(extraction: dict[str, Any], what: str) -> list[str]:
    return [f"{what} of {stream}: {reason}" for stream, reason in sorted(extraction["failed"].items())]


@bp.orchestration_trigger(context_name="context")
def delta_pickup(context: df.DurableOrchestrationContext):
    request = context.get_input()
    migration_id = request["migration_id"]

    def phase(name: str, **known: Any) -> None:
        context.set_custom_status({**(context.custom_status or {}), "migration_id": migration_id, "phase": name,
                                   **known})

    phase("planning")
    plan = yield context.call_activity("begin_delta_tick", {**request, "at": context.current_utc_datetime.isoformat()})
    if plan["finished"]:
        phase("finished")
        return {"migration_id": migration_id, "finished": True}
    tick, folder, approved = plan["tick"], plan["folder"], plan["approved_map_blob"]
    summary: dict[str, Any] = {"migration_id": migration_id, "tick": tick, "at": plan["at"], "final": plan["final"],
                               "updated_since": plan["updated_since"], "watermark": None,
                               "watermark_source": plan["watermark_source"],
                               "unfiltered_streams": plan["unfiltered_streams"], "delete_blobs": [], "deletes": {},
                               "failures": []}

    phase("extracting", tick=tick, updated_since=plan["updated_since"])
    try:
        extraction = yield _extract(context, plan, "extract", plan["streams"],
                                    updated_since=plan["updated_since"], root=folder)
        summary["changed"] = {stream["stream"]: stream["records"] for stream in extraction["streams"]}
        summary["failures"] += _failed_streams(extraction, "extraction")
        extracted = not extraction["failed"]
    except Exception as error:  # Clio kept failing past the retries: what did land is still loaded
        summary["failures"].append(f"extraction: {error}")
        extracted = False

    phase("mapping")
    staged = yield context.call_activity("stage_delta_rows", {**request, "tick": tick})
    summary["staged"] = staged["rows"]
    loaded = True
    if staged["rows"]:
        phase("loading", staged=staged["rows"])
        try:
            loads = yield from load_tables(context, migration_id, staged, approved, run_name(tick))
            summary["loads"] = loads.totals
            summary["reconciliation"] = yield context.call_activity("reconcile_migration", {
                "migration_id": migration_id, "approved_map_blob": approved, "dry_run_prefix": folder,
                "keys_blob": staged["keys_blob"], "output_prefix": f"{folder}/reconciliation"})
        except Exception as error:  # a load that failed after its retries: recorded, and the watermark stays
            summary["failures"].append(f"loading: {error}")
            loaded = False

    phase("applying deletes")
    webhook = yield context.call_activity("apply_webhook_deletes", {"migration_id": migration_id, "tick": tick,
                                                                    "before": plan["at"]})
    try:
        if plan["final"]:  # the sweep below finds what changes from here on
            summary["webhooks"] = yield context.call_activity("remove_clio_webhooks",
                                                              {"migration_id": migration_id})
        else:  # renewed while the window is open, made again if one expired or was lost
            summary["webhooks"] = yield context.call_activity("ensure_clio_webhooks", {
                "migration_id": migration_id, "streams": request.get("streams") or None,
                "window_closes_at": plan["closes_at"]})
    except Exception as error:  # deletes still come from the sweep; the next tick tries again
        summary["failures"].append(f"{'removing' if plan['final'] else 'keeping'} the webhooks: {error}")
    summary["deletes"]["webhook"], summary["webhook_events"] = webhook["outcomes"], webhook["events"]
    summary["delete_blobs"].append(webhook["blob"])
    summary["failures"] += [f"webhook delete of a {model} not mapped to any table ({n})"
                            for model, n in sorted(webhook["not_mapped"].items()) if model not in ("document",
                                                                                                   "folder")]
    listed_in_full = False
    if plan["final"]:
        phase("sweeping ids")
        try:
            listing = yield _extract(context, plan, "sweep", plan["sweep_streams"], ids_only=True,
                                     root=sweep_folder(migration_id))
        except Exception as error:  # nothing is compared: which streams were listed in full is not known
            summary["failures"].append(f"the id sweep: {error}")
        else:
            swept = yield context.call_activity("apply_sweep_deletes", {
                "migration_id": migration_id, "tick": tick, "streams": plan["sweep_streams"],
                "failed": sorted(listing["failed"])})
            summary["sweep"] = {"listed": swept["listed"], "incomplete": swept["incomplete"]}
            summary["deletes"]["sweep"] = swept["outcomes"]
            summary["delete_blobs"].append(swept["blob"])
            summary["failures"] += _failed_streams(listing, "the id sweep")
            listed_in_full = not listing["failed"]

    if loaded and extracted:
        summary["watermark"] = plan["at"]
    # finished only when the last changes are in and every id was compared; else the next timer tick runs again
    finished = listed_in_full and summary["watermark"] is not None
    yield context.call_activity("record_delta_tick", summary)
    result = {"migration_id": migration_id, "tick": tick, "final": plan["final"], "staged": summary["staged"],
              "loads": summary.get("loads", {}), "deletes": summary["deletes"], "failures": summary["failures"]}
    if plan["final"]:
        phase("writing the certificate")
        result["certificate"] = yield context.call_activity("write_delta_certificate", {
            "migration_id": migration_id, "at": plan["at"], "final": finished})
    phase("done", **{key: result[key] for key in ("tick", "staged", "deletes")})
    return result
