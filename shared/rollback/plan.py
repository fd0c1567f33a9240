"""One table's rollback plan: each row the ledger knows, against the row as Dataverse holds it now.

- created by us → delete; pre-existing → restore its before-image (only what differs now);
- changed since our last write (its versionnumber is not the one our last write, or our own earlier restore,
  left) → keep-edited, listed and left alone unless `force`;
- already gone, or already as it was before → already-done: running the rollback again changes nothing;
- anything the ledger cannot vouch for (no before-image, first written by an earlier migration) → keep.
"""
from __future__ import annotations

from typing import Any

from shared.dataverse.client import DataverseClient
from shared.dataverse.loader import TableTarget
from shared.ledger import LedgerRow
from shared.rollback.current import Row, Targets, cascade_parents, references, rows_where
from shared.rollback.models import RowPlan
from shared.rollback.restore import Unbindable, changed_columns, column_names, restore_writes, wanted_targets
from shared.rollback.shape import Shapes, TableShape

RESTORED = "restored"  # the progress ledger's action for a row our restore wrote (its version after it)


def _current(client: DataverseClient, shape: TableShape, target: TableTarget,
             rows: list[LedgerRow]) -> dict[str, Row]:
    """Ledger key -> the row now: by id once the ledger has it, else (a worker died before the done page) by key."""
    by_id = {str(row[shape.primary_id]).lower(): row for row in rows_where(
        client, shape.entity_set, shape.primary_id, [r.dataverse_id for r in rows if r.dataverse_id])}
    by_key = {str(row[target.key_column]): row for row in rows_where(
        client, shape.entity_set, target.key_column, [r.key for r in rows if not r.dataverse_id])}
    found = {row.key: by_id.get(row.dataverse_id.lower()) if row.dataverse_id else by_key.get(row.key)
             for row in rows}
    return {key: row for key, row in found.items() if row is not None}


def _expected_version(row: LedgerRow, progress: LedgerRow | None) -> str | None:
    if progress is not None and progress.last_action == RESTORED and progress.version:
        return progress.version
    return row.version


def _decide(shape: TableShape, row: LedgerRow, current: Row | None, progress: LedgerRow | None,
            force: bool) -> tuple[RowPlan, dict[str, Any]]:
    """The row's plan without its restore calls, and (for a restore) the columns to put back."""
    row_id = str(current[shape.primary_id]) if current else row.dataverse_id
    plan = RowPlan(key=row.key, action="keep", dataverse_id=row_id, origin=row.origin,
                   refs=references(current) if current else [],
                   parents=cascade_parents(shape, current) if current else [])
    if current is None:
        if row.origin == "pre-existing":
            return plan.model_copy(update={"reason": "deleted in Dynamics since our write; not recreated"}), {}
        return plan.model_copy(update={"action": "already-done"}), {}
    expected = _expected_version(row, progress)
    edited = expected is not None and str(current.get("versionnumber")) != expected
    if row.origin == "created":
        if edited and not force:
            return plan.model_copy(update={"action": "keep-edited", "reason": "changed in Dynamics since our write"}), {}
        return plan.model_copy(update={"action": "delete", "forced": edited}), {}
    if row.origin != "pre-existing" or row.before_image is None:
        return plan.model_copy(update={"reason": "the ledger has no before-image of this row (it was first written "
                                                 "before this migration's first write), so it is left as it is"}), {}
    changed = changed_columns(shape, row.before_image, current)
    if not changed:
        return plan.model_copy(update={"action": "already-done"}), {}
    columns = column_names(changed)
    if edited and not force:
        return plan.model_copy(update={"action": "keep-edited", "columns": columns,
                                       "reason": "changed in Dynamics since our write"}), {}
    return plan.model_copy(update={"action": "restore", "forced": edited, "columns": columns}), changed


def plan_table(client: DataverseClient, shapes: Shapes, target: TableTarget, ledger: dict[str, LedgerRow],
               progress: dict[str, LedgerRow], force: bool) -> list[RowPlan]:
    shape = shapes.of(target.logical_name)
    rows = sorted(ledger.values(), key=lambda row: row.key)
    current = _current(client, shape, target, rows)
    decided = [(row, *_decide(shape, row, current.get(row.key), progress.get(row.key), force)) for row in rows]
    targets = Targets(client, shapes)
    wanted: dict[str, set[str]] = {}
    for row, _, changed in decided:
        if changed and row.before_image is not None:
            for table, ids in wanted_targets(shape, row.before_image, changed).items():
                wanted.setdefault(table, set()).update(ids)
    targets.find(wanted)
    plans: list[RowPlan] = []
    for row, plan, changed in decided:
        if plan.action == "restore" and row.before_image is not None and plan.dataverse_id:
            now = current[row.key]
            try:
                writes = restore_writes(shape, shapes, targets, plan.dataverse_id, str(now.get("versionnumber")),
                                        row.before_image, now, changed)
            except Unbindable as problem:
                plan = plan.model_copy(update={"action": "keep", "reason": f"cannot be restored: {problem}"})
            else:
                plan = plan.model_copy(update={"writes": writes})
        plans.append(plan)
    return plans
