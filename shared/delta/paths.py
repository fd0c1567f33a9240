"""Where delta pickup keeps its work, below the migration's folder in the raw container:

  <migration>/delta/ticks/<nnnn>/clio/...            the tick's extraction (pages, problems, manifest)
  <migration>/delta/ticks/<nnnn>/rows/<table>/...    its changed records mapped as the loader takes them
  <migration>/delta/ticks/<nnnn>/report.json|html    the mapping report of those records
  <migration>/delta/ticks/<nnnn>/keys.json           the staged keys per table map (what its reconciliation covers)
  <migration>/delta/ticks/<nnnn>/reconciliation.*    the tick's rows against Dataverse
  <migration>/delta/ticks/<nnnn>/deletes/<source>.json  each delete applied, with its outcome
  <migration>/delta/ticks/<nnnn>/summary.json        what the tick did
  <migration>/delta/sweep/clio/...                   the final id sweep's pages (ids only)
  <migration>/delta/certificate.json|html            the delta certificate
"""
from __future__ import annotations


def instance_id(migration_id: str) -> str:
    """The one delta-pickup orchestration a migration has at a time."""
    return f"delta-{migration_id}"


def delta_folder(migration_id: str) -> str:
    return f"{migration_id}/delta"


def ticks_folder(migration_id: str) -> str:
    return f"{delta_folder(migration_id)}/ticks"


def tick_folder(migration_id: str, tick: int) -> str:
    return f"{ticks_folder(migration_id)}/{tick:04d}"


def sweep_folder(migration_id: str) -> str:
    return f"{delta_folder(migration_id)}/sweep"


def deletes_blob(migration_id: str, tick: int, source: str) -> str:
    return f"{tick_folder(migration_id, tick)}/deletes/{source}.json"


def summary_blob(migration_id: str, tick: int) -> str:
    return f"{tick_folder(migration_id, tick)}/summary.json"


def certificate_blob(migration_id: str) -> str:
    """The JSON; the HTML is beside it with the same name."""
    return f"{delta_folder(migration_id)}/certificate.json"


def run_name(tick: int) -> str:
    """The tick's name in load sub-orchestration ids and ledger batch ids."""
    return f"delta{tick:04d}"
