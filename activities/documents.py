"""Document activities: plan where every Clio document goes, move a batch of them to SharePoint, link the record
folders to their Dynamics rows, and write the documents report. Only blob paths, ids and counts cross these
boundaries; the plan, the outcomes and the report lines live in Blob under <migration>/documents/."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import azure.durable_functions as df
from azure.storage.blob import ContainerClient, ContentSettings
from pydantic import BaseModel, Field

from shared.blobs import container
from shared.clio.extracted import extracted_records
from shared.clio.client import shared_client
from shared.dataverse.loader import AdaptiveSize, LoadRow, RowOutcome, TableLoader, TableTarget, key_literal
from shared.dataverse.shared_client import shared_dataverse_client
from shared.documents.locations import LOCATION, SITE, LocationRows
from shared.documents.models import DocumentLine, DocumentTask, RecordFolder
from shared.documents.mover import DocumentMover, MoveOutcome, ensure_columns
from shared.documents.off_peak import peak_hours
from shared.documents.plan import DocumentPlanner
from shared.documents.report import documents_report
from shared.graph.shared_client import shared_graph_client
from shared.ledger import WriteLedger
from shared.mapping.approval import read_approved_map
from shared.mapping.engine import CompiledMap
from shared.mapping.live_schema import read_snapshot
from shared.settings import Settings, get_settings

bp = df.Blueprint()
MIGRATION_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"


def documents_prefix(migration_id: str) -> str:
    return f"{migration_id}/documents"


def batch_blob(migration_id: str, index: int) -> str:
    return f"{documents_prefix(migration_id)}/plan/batches/{index:05d}.json"


class PlanRequest(BaseModel):
    migration_id: str = Field(pattern=MIGRATION_ID)
    approved_map_blob: str  # where matters and contacts went decides which record each folder links to
    parameters: dict[str, list[Any]] = Field(default_factory=dict)


class Library(BaseModel):
    site_id: str
    site_url: str
    site_name: str
    drive_id: str
    library_name: str
    library_url_name: str  # the library's folder in the site URL, e.g. "Shared Documents"


def _library(settings: Settings) -> Library:
    graph = shared_graph_client(settings)
    drive = graph.library()
    site = drive.site
    ensure_columns(graph, drive)
    site_url = site.web_url or f"https://{settings.sharepoint_site_hostname}{settings.sharepoint_site_path}"
    library_url_name = unquote(urlsplit(drive.web_url).path.rstrip("/").rsplit("/", 1)[-1]) if drive.web_url \
        else drive.name
    return Library(site_id=site.id, site_url=site_url, site_name=site.display_name or site.name or site_url,
                   drive_id=drive.id, library_name=drive.name, library_url_name=library_url_name)


def _records(raw: ContainerClient, migration_id: str, stream: str) -> list[dict[str, Any]]:
    return [record for _, record in extracted_records(raw, migration_id, stream)]


Model = TypeVar("Model", bound=BaseModel)


@dataclass
class _Workspace:
    """A migration's documents folder in the raw container."""
    settings: Settings
    raw: ContainerClient
    prefix: str

    @classmethod
    def of(cls, migration_id: str) -> "_Workspace":
        settings = get_settings()
        return cls(settings, container(settings.raw_container), documents_prefix(migration_id))

    def library(self) -> Library:
        return Library.model_validate_json(self.raw.download_blob(f"{self.prefix}/plan/library.json").readall())

    def write(self, name: str, items: Sequence[BaseModel]) -> None:
        self.raw.upload_blob(f"{self.prefix}/{name}", "".join(item.model_dump_json() + "\n" for item in items).encode(),
                             overwrite=True)

    def read(self, prefix: str, model: type[Model]) -> list[Model]:
        """Every line of every JSON-lines blob whose name starts with `prefix` (below the documents folder)."""
        blobs = self.raw.list_blobs(name_starts_with=f"{self.prefix}/{prefix}")
        return [model.model_validate_json(line) for blob in blobs if blob.name.endswith(".jsonl")
                for line in self.raw.download_blob(blob.name).readall().decode().splitlines() if line]


@bp.activity_trigger(input_name="payload")
def plan_document_moves(payload: dict) -> dict:
    request = PlanRequest.model_validate(payload)
    work = _Workspace.of(request.migration_id)
    settings, raw = work.settings, work.raw
    compiled = CompiledMap(read_approved_map(raw, request.approved_map_blob), request.parameters)
    library = _library(settings)
    library_path = urlsplit(library.site_url).path + "/" + library.library_url_name
    planner = DocumentPlanner(_records(raw, request.migration_id, "folders"),
                              _records(raw, request.migration_id, "matters"),
                              _records(raw, request.migration_id, "contacts"), compiled.targets,
                              settings.clio_api_base_url, library_path, settings.document_max_bytes)
    plan = planner.plan(_records(raw, request.migration_id, "documents"))
    batches = plan.batches(settings.documents_per_batch, settings.document_batch_max_bytes)
    for index, batch in enumerate(batches):
        raw.upload_blob(batch_blob(request.migration_id, index),
                        json.dumps([task.model_dump() for task in batch]).encode(), overwrite=True)
    work.write("plan/folders.jsonl", list(plan.folders.values()))
    work.write("plan/lines.jsonl", plan.lines)
    raw.upload_blob(f"{work.prefix}/plan/library.json", library.model_dump_json().encode(), overwrite=True)
    peak = peak_hours(settings.clio_api_base_url, settings.clio_peak_hours)
    return {"batches": len(batches), "documents": len(plan.tasks), "bytes": sum(t.size for t in plan.tasks),
            "not_moved": sum(1 for line in plan.lines if line.severity == "error"),
            "record_folders": len(plan.folders), "parallel": settings.document_parallel_batches,
            "peak": peak.model_dump() if settings.documents_off_peak_only else None}


class MoveRequest(BaseModel):
    migration_id: str = Field(pattern=MIGRATION_ID)
    batch: int = Field(ge=0)


@bp.activity_trigger(input_name="payload")
def move_document_batch(payload: dict) -> dict:
    request = MoveRequest.model_validate(payload)
    work = _Workspace.of(request.migration_id)
    settings, library = work.settings, work.library()
    tasks = [DocumentTask.model_validate(t) for t in
             json.loads(work.raw.download_blob(batch_blob(request.migration_id, request.batch)).readall())]
    batch_id = f"documents-{request.batch:05d}"
    mover = DocumentMover(shared_client(settings), shared_graph_client(settings), library.drive_id,
                          WriteLedger(settings, request.migration_id, f"sharepoint-files|{batch_id}"),
                          WriteLedger(settings, request.migration_id, "sharepoint-folders"), batch_id,
                          all_versions=settings.document_versions == "all")
    outcomes = mover.move(tasks)
    work.write(f"outcomes/{request.batch:05d}.jsonl", outcomes)
    work.write(f"lines/{request.batch:05d}.jsonl", mover.lines)
    counts = Counter(o.action for o in outcomes)
    return {"batch": request.batch, "documents": len(outcomes),
            **{action: counts.get(action, 0) for action in ("created", "updated", "unchanged", "failed")},
            "bytes": sum(o.size or 0 for o in outcomes if o.action in ("created", "updated")),
            "clio_requests": sum(o.clio_requests for o in outcomes)}


class LinkRequest(BaseModel):
    migration_id: str = Field(pattern=MIGRATION_ID)


def _load(settings: Settings, migration_id: str, target: TableTarget, step: str,
          rows: list[LoadRow]) -> list[RowOutcome]:
    if not rows:
        return []
    loader = TableLoader(shared_dataverse_client(settings), WriteLedger(settings, migration_id, target.entity_set),
                         target, f"documents-{step}", AdaptiveSize(settings.dataverse_batch_size))
    return loader.load(rows)


@bp.activity_trigger(input_name="payload")
def link_document_locations(payload: dict) -> dict:
    request = LinkRequest.model_validate(payload)
    work = _Workspace.of(request.migration_id)
    settings, library = work.settings, work.library()
    folders = work.read("plan/folders", RecordFolder)
    client = shared_dataverse_client(settings)
    regarding = read_snapshot(client, [LOCATION.logical_name]).tables[LOCATION.entity_set].navigations
    existing = [site for site in client.query(SITE.entity_set, {
        "$select": f"{SITE.primary_id},{SITE.key_column}",
        "$filter": f"absoluteurl eq {key_literal(library.site_url)}"}) if not site.get(SITE.key_column)]
    rows = LocationRows(library.site_url, library.site_name, library.library_name, library.library_url_name,
                        existing[0][SITE.primary_id] if existing else None)
    record_rows, lines = rows.records(folders, regarding)
    outcomes = _load(settings, request.migration_id, SITE, "site", rows.site())
    outcomes += _load(settings, request.migration_id, LOCATION, "containers",
                      rows.containers({folder.area for folder in folders}))
    outcomes += _load(settings, request.migration_id, LOCATION, "records", record_rows)
    for outcome in outcomes:
        if outcome.action == "failed":
            lines.append(DocumentLine(severity="error", code="LINK_FAILED",
                                      reason=f"{outcome.key}: Dataverse refused the document location: "
                                             f"{outcome.code} {outcome.message}"))
    work.write("locations/outcomes.jsonl", outcomes)
    work.write("locations/lines.jsonl", lines)
    counts = Counter(o.action for o in outcomes)
    return {"locations": len(outcomes), "reused_site": rows.reuses_site, "not_linked": len(lines),
            **{action: counts.get(action, 0) for action in ("created", "updated", "unchanged", "failed")}}


class ReportRequest(BaseModel):
    migration_id: str = Field(pattern=MIGRATION_ID)


@bp.activity_trigger(input_name="payload")
def write_documents_report(payload: dict) -> dict:
    request = ReportRequest.model_validate(payload)
    work = _Workspace.of(request.migration_id)
    raw, prefix = work.raw, work.prefix
    summary, report_json, report_html = documents_report(
        work.read("outcomes/", MoveOutcome),
        work.read("plan/lines", DocumentLine) + work.read("lines/", DocumentLine)
        + work.read("locations/lines", DocumentLine),
        work.read("locations/outcomes", RowOutcome))
    raw.upload_blob(f"{prefix}/report.json", report_json.encode(), overwrite=True)
    raw.upload_blob(f"{prefix}/report.html", report_html.encode(), overwrite=True,
                    content_settings=ContentSettings(content_type="text/html; charset=utf-8"))
    return {"report": f"{prefix}/report.json", "html": f"{prefix}/report.html", **summary}
