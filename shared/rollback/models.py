"""What a rollback is asked, what it plans for each row it knows from the ledger, and what came of it."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.migration.models import MIGRATION_ID

# delete: a row we created; restore: a row that existed before, its before-image put back; keep-edited: changed by
# someone since our last write (left as it is unless `force`); keep: left for another reason (`reason` says which);
# already-done: nothing left to undo (gone, or already as it was).
Action = Literal["delete", "restore", "keep-edited", "keep", "already-done"]
Outcome = Literal["deleted", "restored", "forced", "kept-edited", "kept", "already-done", "failed",
                  "would-delete", "would-restore", "would-force"]


class RollbackOptions(BaseModel):
    """What the portal sends to start a rollback (`POST /api/migrations/<id>/rollback`)."""
    model_config = ConfigDict(extra="forbid")
    dry_run: bool = Field(default=False, description="Plan and report, write nothing")
    force: bool = Field(default=False, description="Also undo rows and files changed by someone since our write")
    remove_schema: bool = Field(default=False, description="Also remove the tables, columns and keys we created")


class RollbackRequest(RollbackOptions):
    """The orchestration's input: the options and the migration they apply to."""
    migration_id: str = Field(pattern=MIGRATION_ID)


class PlannedWrite(BaseModel):
    """One Dataverse call of a restore; the calls of one row go in one changeset."""
    method: Literal["PATCH"]
    url: str  # relative to the API base: "<entity set>(<id>)"
    body: dict[str, Any] | None = None
    if_match: str | None = None


class RowPlan(BaseModel):
    key: str  # the ledger's key (the Clio key of a row; "doc-<id>", "folder:<path>", "column:<t>.<c>", ...)
    action: Action
    dataverse_id: str | None = None  # the row's id, a drive item's id
    origin: str | None = None
    forced: bool = False  # a delete or restore of something changed since our write, because of `force`
    columns: list[str] = Field(default_factory=list)  # restore: the columns put back
    writes: list[PlannedWrite] = Field(default_factory=list)  # restore: in order, all or nothing
    refs: list[str] = Field(default_factory=list)  # ids the row's lookups hold now: what a row that stays needs
    parents: list[str] = Field(default_factory=list)  # of `refs`, those whose delete would delete this row too
    reason: str | None = None


class OutcomeLine(BaseModel):
    table: str  # an entity set, "sharepoint-files", "sharepoint-folders" or "schema"
    key: str
    outcome: Outcome
    dataverse_id: str | None = None
    columns: list[str] = Field(default_factory=list)
    code: str | None = None
    message: str | None = None


_SETTLED: dict[str, Outcome] = {"keep-edited": "kept-edited", "keep": "kept", "already-done": "already-done"}


def settled_outcome(plan: RowPlan, table: str) -> OutcomeLine:
    """The outcome of a row the plan leaves as it is."""
    outcome = _SETTLED[plan.action]
    return OutcomeLine(table=table, key=plan.key, outcome=outcome, dataverse_id=plan.dataverse_id,
                       columns=plan.columns, message=plan.reason)


def done_outcome(plan: RowPlan, table: str, dry_run: bool) -> OutcomeLine:
    """The outcome of a planned delete or restore that went through (or would, in a dry run)."""
    if dry_run:
        outcome: Outcome = "would-force" if plan.forced else \
            "would-delete" if plan.action == "delete" else "would-restore"
    else:
        outcome = "forced" if plan.forced else "deleted" if plan.action == "delete" else "restored"
    return OutcomeLine(table=table, key=plan.key, outcome=outcome, dataverse_id=plan.dataverse_id,
                       columns=plan.columns, message=plan.reason)
