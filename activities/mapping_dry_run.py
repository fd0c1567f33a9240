"""The dry run as an activity: the extracted Clio pages of a migration through the (approved or proposed) map and
the target-schema checks, with no Dataverse call. Staged rows go to Blob in chunks per table; the JSON and HTML
reports beside them. Only counts and blob paths are returned."""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import azure.durable_functions as df
from azure.storage.blob import ContainerClient, ContentSettings
from pydantic import BaseModel, Field

from shared.blobs import container
from shared.clio.extracted import extracted_records
from shared.clio.models import resource_catalogue
from shared.mapping.dry_run import MappedRow, dry_run, reports, staged_line
from shared.mapping.engine import CompiledMap
from shared.mapping.model import MapFile
from shared.mapping.target_schema import SchemaSnapshot
from shared.mapping.users import UserResolution, resolve_users
from shared.settings import get_settings

bp = df.Blueprint()
ROWS_PER_BLOB = 5000


class DryRunRequest(BaseModel):
    migration_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
    map_blob: str  # a MapFile (proposed) in the raw container
    snapshot_blob: str  # {"schema": SchemaSnapshot, "system_users": [...]} read from the target beforehand
    parameters: dict[str, list[Any]] = Field(default_factory=dict)
    fallback_owner_email: str | None = None


class _ChunkedRows:
    def __init__(self, raw: ContainerClient, prefix: str) -> None:
        self.raw, self.prefix = raw, prefix
        self.pending: dict[str, list[str]] = defaultdict(list)
        self.written: dict[str, list[str]] = defaultdict(list)

    def __call__(self, row: MappedRow) -> None:
        self.pending[row.table].append(staged_line(row))
        if len(self.pending[row.table]) >= ROWS_PER_BLOB:
            self.flush(row.table)

    def flush(self, table: str) -> None:
        lines = self.pending.pop(table, [])
        if lines:
            path = f"{self.prefix}/{table}/{len(self.written[table]):05d}.jsonl"
            self.raw.upload_blob(path, ("\n".join(lines) + "\n").encode(), overwrite=True)
            self.written[table].append(path)


@dataclass(frozen=True)
class StagedRows:
    summary: dict[str, Any]  # shared.mapping.dry_run.reports' summary
    blobs: dict[str, list[str]]  # table map -> its row blobs, in order
    report: str
    html: str


def stage_rows(raw: ContainerClient, prefix: str, records: Iterable[tuple[str, dict[str, Any]]],
               compiled: CompiledMap, snapshot: SchemaSnapshot, users: UserResolution | None) -> StagedRows:
    """`records` through the dry run: loadable rows to `<prefix>/rows/<table map>/<n>.jsonl` as the loader takes
    them, `report.json` and `report.html` beside them (also what a delta tick stages its changed records with)."""
    sink = _ChunkedRows(raw, f"{prefix}/rows")
    result = dry_run(records, compiled, snapshot, users, sink)
    for table in list(sink.pending):
        sink.flush(table)
    summary, report_json, report_html = reports(result)
    raw.upload_blob(f"{prefix}/report.json", report_json.encode(), overwrite=True)
    raw.upload_blob(f"{prefix}/report.html", report_html.encode(), overwrite=True,
                    content_settings=ContentSettings(content_type="text/html; charset=utf-8"))
    return StagedRows(summary, dict(sink.written), f"{prefix}/report.json", f"{prefix}/report.html")


@bp.activity_trigger(input_name="payload")
def dry_run_migration(payload: dict) -> dict:
    request = DryRunRequest.model_validate(payload)
    raw = container(get_settings().raw_container)
    map_file = MapFile.model_validate_json(raw.download_blob(request.map_blob).readall())
    target = json.loads(raw.download_blob(request.snapshot_blob).readall())
    users = resolve_users([record for _, record in extracted_records(raw, request.migration_id, "users")],
                          target["system_users"], request.fallback_owner_email)
    prefix = f"{request.migration_id}/dry-run/{map_file.version}"
    for stale in raw.list_blobs(name_starts_with=f"{prefix}/"):  # an earlier round's rows (an edited map)
        raw.delete_blob(stale.name)
    compiled = CompiledMap(map_file, request.parameters, users)
    for spec in resource_catalogue().resources:
        if spec.resource in compiled.placed_resources:
            compiled.place(extracted_records(raw, request.migration_id, spec.key))
    staged = stage_rows(raw, prefix, extracted_records(raw, request.migration_id), compiled,
                        SchemaSnapshot.model_validate(target["schema"]), users)
    summary = staged.summary
    return {"report": staged.report, "html": staged.html, "rows": summary["rows"],
            "row_blobs": {table: len(paths) for table, paths in staged.blobs.items()},
            "records": {name: tally["source"] for name, tally in summary["resources"].items()},
            "accounted": all(tally["accounted"] for tally in summary["resources"].values()),
            "unmatched_users": len(summary["users"]["unmatched"])}
