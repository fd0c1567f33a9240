"""The reconciliation's inputs as the earlier stages left them in Blob: the dry run's staged rows
(`<prefix>/<table map>/<n>.jsonl`) and `report.json`, and the loader's outcomes
(`<migration>/dataverse/<entity set>/outcomes/<batch>.json`)."""
from __future__ import annotations

import json
from collections.abc import Iterable

from azure.storage.blob import ContainerClient
from pydantic import BaseModel, Field

from shared.dataverse.loader import RowOutcome
from shared.reconcile.compare import StagedRow
from shared.reconcile.evidence import DryRunReport
from shared.reconcile.report import Reconciliation


OUTCOMES_WRITTEN_AT = "writtenat"  # blob metadata: when the outcomes were written, to the microsecond


class SampleKeys(BaseModel):
    """The keys of the sample, per table map name."""
    tables: dict[str, list[str]] = Field(default_factory=dict)


def _text(raw: ContainerClient, blob: str) -> str:
    return raw.download_blob(blob).readall().decode("utf-8")


def read_staged(raw: ContainerClient, rows_prefix: str, tables: Iterable[str]) -> dict[str, list[StagedRow]]:
    staged: dict[str, list[StagedRow]] = {}
    for table in tables:
        blobs = sorted(blob.name for blob in raw.list_blobs(name_starts_with=f"{rows_prefix}/{table}/"))
        staged[table] = [StagedRow.model_validate_json(line) for blob in blobs
                         for line in _text(raw, blob).splitlines() if line.strip()]
    return staged


def read_report(raw: ContainerClient, blob: str) -> DryRunReport:
    return DryRunReport.model_validate_json(_text(raw, blob))


def read_outcomes(raw: ContainerClient, migration_id: str, entity_sets: Iterable[str]
                  ) -> dict[str, dict[str, RowOutcome]]:
    """Per entity set, each key's last outcome: batches in the order they were written, so a retried batch's
    outcome replaces the one before."""
    outcomes: dict[str, dict[str, RowOutcome]] = {}
    for entity_set in sorted(set(entity_sets)):
        blobs = sorted(raw.list_blobs(name_starts_with=f"{migration_id}/dataverse/{entity_set}/outcomes/",
                                      include=["metadata"]),
                       key=lambda blob: ((blob.metadata or {}).get(OUTCOMES_WRITTEN_AT)
                                         or blob.last_modified.isoformat(), blob.name))
        last = outcomes.setdefault(entity_set, {})
        for blob in blobs:
            for item in json.loads(_text(raw, blob.name)):
                outcome = RowOutcome.model_validate(item)
                last[outcome.key] = outcome
    return outcomes


def read_reconciliation(raw: ContainerClient, blob: str) -> Reconciliation:
    return Reconciliation.model_validate_json(_text(raw, blob))


def read_sample(raw: ContainerClient, blob: str) -> SampleKeys:
    return SampleKeys.model_validate_json(_text(raw, blob))
