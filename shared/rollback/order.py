"""A level's deletes, once its restores are done: the created rows that must stay set aside (what rows that stay
point at — rows the plans left alone, restores that did not go through — and what those reach in turn, see
protect.py), the others in waves, children before parents, each wave in chunks. The protected ids carry over to
the next level, whose tables are the parents of this one's."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from shared.rollback.models import OutcomeLine, RowPlan
from shared.rollback.paths import plan_blob, protected_blob
from shared.rollback.protect import delete_waves, protected_ids
from shared.rollback.workspace import Workspace

_NAME = r"^[a-z][a-z0-9_]*$"
_THROUGH = ("restored", "forced", "would-restore", "would-force", "already-done")


class RestoredChunk(BaseModel):
    plan_blob: str
    outcomes_blob: str


class DeleteChunk(BaseModel):
    entity_set: str = Field(pattern=_NAME)
    primary_id: str = Field(pattern=_NAME)
    plan_blob: str


class LevelDeletes(BaseModel):
    level: int = Field(ge=0)
    previous: str | None = None  # the protected ids after the level before
    settled: list[str]  # each table's settled plans
    restored: list[RestoredChunk]
    deletes: list[DeleteChunk]  # the plans' delete chunks


def _staying(work: Workspace, level: LevelDeletes) -> list[RowPlan]:
    staying = [plan for path in level.settled for plan in work.read(path, RowPlan)]
    for restored in level.restored:
        through = {line["key"] for line in work.read_json(restored.outcomes_blob) if line["outcome"] in _THROUGH}
        staying += [plan for plan in work.read(restored.plan_blob, RowPlan) if plan.key not in through]
    return staying


def order_deletes(work: Workspace, level: LevelDeletes, chunk_rows: int) -> dict[str, Any]:
    """{protected_blob, waves: [[DeleteChunk as dict]], kept: [outcome counts per table]}."""
    tables = sorted({(chunk.entity_set, chunk.primary_id) for chunk in level.deletes})
    candidates = [(chunk.entity_set, plan) for chunk in level.deletes for plan in work.read(chunk.plan_blob, RowPlan)]
    table_of = {(plan.dataverse_id or "").lower(): entity_set for entity_set, plan in candidates}
    previous = work.read_json(level.previous) if level.previous else []
    protected = protected_ids(previous, _staying(work, level), [plan for _, plan in candidates])
    kept = [(entity_set, plan) for entity_set, plan in candidates if (plan.dataverse_id or "").lower() in protected]
    outcomes = [work.outcomes(entity_set, f"kept-{level.level:03d}", [
        OutcomeLine(table=entity_set, key=plan.key, outcome="kept", dataverse_id=plan.dataverse_id,
                    message="a row that stays points at it") for table, plan in kept if table == entity_set])
        for entity_set, _ in tables]
    going = [plan for _, plan in candidates if (plan.dataverse_id or "").lower() not in protected]
    waves = []
    for number, wave in enumerate(delete_waves(going)):
        chunks = []
        for entity_set, primary_id in tables:
            rows = [plan for plan in wave if table_of[(plan.dataverse_id or "").lower()] == entity_set]
            for start in range(0, len(rows), chunk_rows):
                part = f"delete-{level.level:03d}-{number:03d}-{start // chunk_rows:05d}"
                path = work.put(plan_blob(work.migration_id, work.run, entity_set, part), rows[start:start + chunk_rows])
                chunks.append(DeleteChunk(entity_set=entity_set, primary_id=primary_id, plan_blob=path).model_dump())
        waves.append(chunks)
    path = work.put(protected_blob(work.migration_id, work.run, level.level), sorted(protected))
    return {"protected_blob": path, "waves": waves, "kept": outcomes}
