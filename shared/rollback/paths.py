"""Where a rollback keeps its work (raw container) and its ledger partitions. A run's plans and outcomes live in a
folder of its own (`<migration>/rollback/<run>/`); the latest report is also copied to a fixed place."""
from __future__ import annotations


def instance_id(migration_id: str) -> str:
    return f"rollback-{migration_id}"


def run_folder(migration_id: str, run: str) -> str:
    return f"{migration_id}/rollback/{run}"


def plan_blob(migration_id: str, run: str, table: str, part: str) -> str:
    return f"{run_folder(migration_id, run)}/plans/{table}/{part}.json"


def outcomes_blob(migration_id: str, run: str, table: str, part: str) -> str:
    return f"{run_folder(migration_id, run)}/outcomes/{table}/{part}.json"


def outcomes_prefix(migration_id: str, run: str) -> str:
    return f"{run_folder(migration_id, run)}/outcomes/"


def protected_blob(migration_id: str, run: str, level: int) -> str:
    return f"{run_folder(migration_id, run)}/protected/{level:03d}.json"


def latest_report(migration_id: str, dry_run: bool) -> str:
    """The last run's report (JSON; the HTML beside it): what the portal serves."""
    return f"{migration_id}/rollback/{'dry-run' if dry_run else 'report'}.json"


def progress_partition(entity_set: str) -> str:
    """The rollback's own ledger partition for a table (below the migration's): versions our restores produced,
    so a run that was stopped and started again does not take its own writes for someone else's edits."""
    return f"rollback|{entity_set}"
