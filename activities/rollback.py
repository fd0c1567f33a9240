"""The rollback's activities: what to undo and in what order, SharePoint files and folders, each table's plan, its
restores and deletes chunk by chunk, which created rows must stay and the order the others go in, the schema, the
report. Plans and outcomes go to Blob; only paths, ids and counts go back to the orchestrator
(orchestrators/rollback.py). Each activity that writes keeps its result (`Workspace.once`): run a second time, as
activities may be, it returns what the first execution did instead of doing or reporting it again."""
from __future__ import annotations

from collections import Counter
from typing import Any

import azure.durable_functions as df
from pydantic import BaseModel, Field

from shared.blobs import container
from shared.dataverse.loader import TableTarget
from shared.dataverse.shared_client import shared_dataverse_client
from shared.graph.shared_client import shared_graph_client
from shared.ledger import LedgerRow, WriteLedger
from shared.migration.models import MIGRATION_ID
from shared.rollback.documents import FILES, FOLDERS, DocumentRemover
from shared.rollback.execute import ChunkWriter
from shared.rollback.models import RollbackRequest, RowPlan, settled_outcome
from shared.rollback.order import LevelDeletes, order_deletes
from shared.rollback.paths import latest_report, plan_blob, progress_partition, run_folder
from shared.rollback.plan import plan_table
from shared.rollback.report import rollback_report
from shared.rollback.schema_removal import TABLE as SCHEMA, SchemaRemover
from shared.rollback.shape import Shapes
from shared.rollback.targets import migration_map, reverse_levels, table_targets
from shared.rollback.workspace import Workspace
from shared.settings import get_settings

bp = df.Blueprint()

CHUNK_ROWS = 500  # rows per restore or delete activity
_RUN = r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}(-dry-run)?$"
_NAME = r"^[a-z][a-z0-9_]*$"


class _Run(BaseModel):
    migration_id: str = Field(pattern=MIGRATION_ID)
    run: str = Field(pattern=_RUN)
    dry_run: bool = False


def _workspace(request: _Run) -> Workspace:
    return Workspace(container(get_settings().raw_container), request.migration_id, request.run)


def _ledger(migration_id: str, partition: str) -> dict[str, LedgerRow]:
    return WriteLedger(get_settings(), migration_id, partition).rows()


def _target(work: Workspace, entity_set: str) -> TableTarget:
    return table_targets(migration_map(work.raw, work.migration_id))[entity_set]


@bp.activity_trigger(input_name="payload")
def prepare_rollback(payload: dict) -> dict:
    """The written tables in reverse dependency order, the SharePoint file partitions, and whether there are
    folders and schema to remove."""
    request = _Run.model_validate(payload)
    partitions = WriteLedger.partitions(get_settings(), request.migration_id)
    tables = {name for name in partitions if "|" not in name and name not in (FOLDERS, SCHEMA)}
    map_file = migration_map(_workspace(request).raw, request.migration_id)
    return {"levels": reverse_levels(map_file, tables),
            "files": [name for name in partitions if name.startswith(f"{FILES}|")],
            "folders": FOLDERS in partitions, "schema": SCHEMA in partitions}


class _Files(_Run):
    partition: str = Field(pattern=rf"^{FILES}\|[A-Za-z0-9._-]+$")


def _remover(dry_run: bool) -> DocumentRemover:
    graph = shared_graph_client(get_settings())
    return DocumentRemover(graph, graph.library().id, dry_run)


@bp.activity_trigger(input_name="payload")
def remove_rollback_files(payload: dict) -> dict:
    request = _Files.model_validate(payload)
    work, part = _workspace(request), request.partition.split("|", 1)[1]
    return work.once(f"files-{part}", lambda: work.outcomes(FILES, part, _remover(request.dry_run).files(
        list(_ledger(request.migration_id, request.partition).values()))))


@bp.activity_trigger(input_name="payload")
def remove_rollback_folders(payload: dict) -> dict:
    request = _Run.model_validate(payload)
    work = _workspace(request)

    def remove() -> dict[str, Any]:
        partitions = WriteLedger.partitions(get_settings(), request.migration_id)
        written = [row for name in partitions if name.startswith(f"{FILES}|") or name == FOLDERS
                   for row in _ledger(request.migration_id, name).values()]
        folders = [row for row in written if row.key.startswith("folder:")]
        lines = _remover(request.dry_run).folders(folders, {row.target for row in written if row.target})
        return work.outcomes(FOLDERS, "all", lines)
    return work.once("folders", remove)


class _Table(_Run):
    entity_set: str = Field(pattern=_NAME)
    force: bool = False


def _plan(work: Workspace, request: _Table, keys: set[str] | None = None) -> list[RowPlan]:
    """The table's plan as of now (only the rows with `keys`, when given)."""
    client = shared_dataverse_client(get_settings())
    ledger = _ledger(request.migration_id, request.entity_set)
    return plan_table(client, Shapes(client), _target(work, request.entity_set),
                      {key: row for key, row in ledger.items() if keys is None or key in keys},
                      _ledger(request.migration_id, progress_partition(request.entity_set)), request.force)


@bp.activity_trigger(input_name="payload")
def plan_rollback_table(payload: dict) -> dict:
    """The table's plan in chunks (restores, deletes) and the rows it leaves as they are (with their outcomes)."""
    request = _Table.model_validate(payload)
    work = _workspace(request)

    def plan() -> dict[str, Any]:
        plans = _plan(work, request)
        chunks: dict[str, list[str]] = {"restore": [], "delete": []}
        for action, paths in chunks.items():
            chosen = [plan for plan in plans if plan.action == action]
            for start in range(0, len(chosen), CHUNK_ROWS):
                path = plan_blob(request.migration_id, request.run, request.entity_set,
                                 f"{action}-planned-{start // CHUNK_ROWS:05d}")
                paths.append(work.put(path, chosen[start:start + CHUNK_ROWS]))
        settled = [plan for plan in plans if plan.action not in chunks]
        path = work.put(plan_blob(request.migration_id, request.run, request.entity_set, "settled"), settled)
        written = work.outcomes(request.entity_set, "settled", [settled_outcome(plan, request.entity_set)
                                                               for plan in settled])
        return {**written, "entity_set": request.entity_set, "primary_id": _target(work, request.entity_set).primary_id,
                "settled": path, "restore": chunks["restore"], "delete": chunks["delete"],
                "planned": dict(Counter(plan.action for plan in plans))}
    return work.once(f"plan-{request.entity_set}", plan)


class _Chunk(_Table):
    primary_id: str = Field(pattern=_NAME)
    plan_blob: str

    @property
    def part(self) -> str:
        return self.plan_blob.rsplit("/", 1)[1].removesuffix(".json")


def _writer(request: _Chunk) -> ChunkWriter:
    progress = WriteLedger(get_settings(), request.migration_id, progress_partition(request.entity_set))
    return ChunkWriter(shared_dataverse_client(get_settings()), request.entity_set, request.primary_id, progress,
                       f"{request.run}-{request.part}")


@bp.activity_trigger(input_name="payload")
def restore_rollback_rows(payload: dict) -> dict:
    """The chunk's rows planned again first: a row an earlier, interrupted execution already restored is
    already-done now, not taken for someone's edit."""
    request = _Chunk.model_validate(payload)
    work = _workspace(request)

    def restore() -> dict[str, Any]:
        fresh = _plan(work, request, {plan.key for plan in work.read(request.plan_blob, RowPlan)})
        restoring = [plan for plan in fresh if plan.action == "restore"]
        lines = _writer(request).restore(restoring, request.dry_run)
        lines += [settled_outcome(plan, request.entity_set) for plan in fresh if plan.action != "restore"]
        return work.outcomes(request.entity_set, request.part, lines)
    return work.once(f"{request.entity_set}-{request.part}", restore)


@bp.activity_trigger(input_name="payload")
def delete_rollback_rows(payload: dict) -> dict:
    request = _Chunk.model_validate(payload)
    work = _workspace(request)
    return work.once(f"{request.entity_set}-{request.part}", lambda: work.outcomes(
        request.entity_set, request.part, _writer(request).delete(work.read(request.plan_blob, RowPlan),
                                                                  request.dry_run)))


class _Order(_Run, LevelDeletes):
    pass


@bp.activity_trigger(input_name="payload")
def order_rollback_deletes(payload: dict) -> dict:
    """A level's deletes, after setting aside the created rows that must stay (what rows that stay point at, and
    what those reach in turn): in waves, children before parents, each wave in chunks. The protected ids carry
    over to the next level."""
    request = _Order.model_validate(payload)
    work = _workspace(request)
    return work.once(f"order-{request.level:03d}", lambda: order_deletes(work, request, CHUNK_ROWS))


@bp.activity_trigger(input_name="payload")
def remove_rollback_schema(payload: dict) -> dict:
    request = _Run.model_validate(payload)
    work = _workspace(request)
    return work.once("schema", lambda: work.outcomes(SCHEMA, "all", SchemaRemover(
        shared_dataverse_client(get_settings()), request.dry_run).remove(list(_ledger(request.migration_id,
                                                                                      SCHEMA).values()))))


class _Report(_Run):
    force: bool = False
    remove_schema: bool = False


@bp.activity_trigger(input_name="payload")
def write_rollback_report(payload: dict) -> dict[str, Any]:
    request = _Report.model_validate(payload)
    work = _workspace(request)
    summary, report_json, report_html = rollback_report(
        RollbackRequest(migration_id=request.migration_id, dry_run=request.dry_run, force=request.force,
                        remove_schema=request.remove_schema), request.run, work.every_outcome())
    folder = run_folder(request.migration_id, request.run)
    latest = latest_report(request.migration_id, request.dry_run).removesuffix(".json")
    for base in (f"{folder}/report", latest):
        work.put_text(f"{base}.json", report_json)
        work.put_text(f"{base}.html", report_html, html=True)
    return {"report": f"{folder}/report.json", "html": f"{folder}/report.html", "latest": f"{latest}.json",
            "totals": summary["totals"]}
