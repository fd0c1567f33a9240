"""The reconciliation as an activity: the dry run's staged rows against what Dataverse holds, every difference
checked against the dry-run report and the loader's outcomes. After the full run it covers every staged row and
looks for extra rows (`<migration>/reconciliation/report.json|html`); with `tables` (a reconcile group, see
activities/migration.py) it covers those table maps only, so groups can be reconciled while others still load, and
with `parts` it assembles the full report from the groups' reports. With `keys_blob` it is the sample diff over
those keys only (`<migration>/sample/diff.json|html`). Only counts and blob paths are returned."""
from __future__ import annotations

import azure.durable_functions as df
from azure.storage.blob import ContainerClient, ContentSettings
from pydantic import BaseModel, Field

from shared.blobs import container
from shared.dataverse.shared_client import shared_dataverse_client
from shared.mapping.approval import read_approved_map
from shared.mapping.model import MapFile
from shared.reconcile.evidence import Evidence
from shared.reconcile.inputs import read_outcomes, read_reconciliation, read_report, read_sample, read_staged
from shared.reconcile.report import Reconciliation, merged, to_html, to_json
from shared.reconcile.run import Scope, reconcile
from shared.settings import get_settings

bp = df.Blueprint()


class ReconcileRequest(BaseModel):
    migration_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
    approved_map_blob: str  # the approved map the rows were made and loaded with
    dry_run_prefix: str | None = None  # default `<migration>/dry-run/<map version>` (rows/ and report.json)
    keys_blob: str | None = None  # sample mode: {"tables": {"<table map>": ["<key>", ...]}}
    tables: list[str] | None = None  # full mode: only these table maps (default: every staged one)
    output_prefix: str | None = None  # default `<migration>/reconciliation/report` or `<migration>/sample/diff`
    parts: list[str] | None = None  # assemble mode: the full reconciliation from these group reports (JSON blobs)


@bp.activity_trigger(input_name="payload")
def reconcile_migration(payload: dict) -> dict:
    request = ReconcileRequest.model_validate(payload)
    raw = container(get_settings().raw_container)
    map_file = read_approved_map(raw, request.approved_map_blob)
    sample = read_sample(raw, request.keys_blob).tables if request.keys_blob else None
    result = (merged([read_reconciliation(raw, part) for part in request.parts], [t.name for t in map_file.tables])
              if request.parts is not None else _reconciled(raw, request, map_file, sample))
    output = request.output_prefix or (f"{request.migration_id}/reconciliation/report" if sample is None
                                       else f"{request.migration_id}/sample/diff")
    raw.upload_blob(f"{output}.json", to_json(result).encode(), overwrite=True,
                    content_settings=ContentSettings(content_type="application/json"))
    raw.upload_blob(f"{output}.html", to_html(result).encode(), overwrite=True,
                    content_settings=ContentSettings(content_type="text/html; charset=utf-8"))
    return {"report": f"{output}.json", "html": f"{output}.html", "mode": result.mode,
            **result.totals.model_dump(),
            "tables": {table.name: table.unexplained for table in result.tables}}


def _reconciled(raw: ContainerClient, request: ReconcileRequest, map_file: MapFile,
                sample: dict[str, list[str]] | None) -> Reconciliation:
    prefix = request.dry_run_prefix or f"{request.migration_id}/dry-run/{map_file.version}"
    # a group of table maps reads only its own staged rows: its resources and entity sets are in no other group
    staged = read_staged(raw, f"{prefix}/rows", request.tables or [table.name for table in map_file.tables])
    scope = Scope.of(map_file, staged, request.tables, sample)
    written = {table.target.entity_set for table in map_file.tables}
    evidence = Evidence(read_report(raw, f"{prefix}/report.json"),
                        read_outcomes(raw, request.migration_id, written), map_file.tables)
    return reconcile(shared_dataverse_client(get_settings()), request.migration_id, map_file, staged, evidence,
                     scope)
