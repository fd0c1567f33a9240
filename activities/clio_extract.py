"""Extraction activities: pull Clio pages into Blob storage, one blob per page, and report what is wrong with a
page or a record instead of dropping it. Only blob paths, counts and cursors leave these functions.

Blob layout under the raw container, per migration:
  <migration>/clio/<stream>/pages/<seq>.json      the page body exactly as Clio sent it
  <migration>/clio/<stream>/problems/<seq>.json   what was wrong with that page or its records
  <migration>/clio/manifest.json                  per stream: pages, records, requests, status
A request with a `root` (a folder below the migration's, e.g. a delta tick's) puts all three below that root
instead; with `ids_only` the pages hold only record ids (`fields=id`, clio.md §6).
Re-running an activity rewrites the same paths with the same content (idempotent).
"""
from __future__ import annotations

import json
from typing import Any

import azure.durable_functions as df
from pydantic import BaseModel, Field, model_validator

from shared.blobs import container
from shared.clio.client import ClioClient, shared_client
from shared.clio.errors import ClioError, ClioRateLimited, ClioServerError, ClioTransportError
from shared.clio.models import resource_catalogue
from shared.settings import get_settings

bp = df.Blueprint()

MIGRATION_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"
ROOT = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}(/[A-Za-z0-9._-]+)*$"
# Failures that a later attempt may not see: raised, so the orchestrator's retry policy runs the call again.
TRANSIENT = (ClioTransportError, ClioServerError, ClioRateLimited)


class _Placed(BaseModel):
    """Where a request's blobs go: below the migration's folder, or below `root` inside it."""
    migration_id: str = Field(pattern=MIGRATION_ID)
    root: str | None = Field(default=None, pattern=ROOT)

    @model_validator(mode="after")
    def _inside_the_migration(self) -> "_Placed":
        if self.root is not None and not self.root.startswith(f"{self.migration_id}/"):
            raise ValueError(f"root {self.root} is not below the migration's folder {self.migration_id}/")
        return self

    @property
    def folder(self) -> str:
        return self.root or self.migration_id


class PagesRequest(_Placed):
    stream: str
    seq: int = Field(ge=0)
    url: str | None = None
    updated_since: str | None = None
    max_pages: int = Field(default=10, ge=1, le=100)
    ids_only: bool = False


class PagesResult(BaseModel):
    stream: str
    next_seq: int
    pages: int = 0
    records: int = 0
    problems: int = 0
    requests: int = 0
    next_url: str | None = None
    max_updated_at: str | None = None
    failed: str | None = None


def stream_prefix(migration_id: str, stream: str) -> str:
    return f"{migration_id}/clio/{stream}"


def record_problems(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records the loader could not key: no usable id, or an id seen twice on one page."""
    problems, seen = [], set()
    for index, record in enumerate(records):
        record_id = record.get("id") if isinstance(record, dict) else None
        if not isinstance(record_id, (int, str)) or isinstance(record_id, bool) or record_id == "":
            problems.append({"index": index, "id": record_id, "reason": "record has no usable id"})
        elif record_id in seen:
            problems.append({"index": index, "id": record_id, "reason": "id appears twice on this page"})
        else:
            seen.add(record_id)
    return problems


def _write_problems(prefix: str, seq: int, url: str, problems: list[dict[str, Any]]) -> None:
    body = {"page": seq, "url": url, "problems": problems}
    container(get_settings().raw_container).upload_blob(f"{prefix}/problems/{seq:06d}.json",
                                                        json.dumps(body).encode(), overwrite=True)


def extract_pages(client: ClioClient, request: PagesRequest) -> PagesResult:
    spec = resource_catalogue().get(request.stream)
    if request.ids_only:
        spec = spec.model_copy(update={"fields": ["id"]})
    prefix = stream_prefix(request.folder, request.stream)
    raw = container(get_settings().raw_container)
    result = PagesResult(stream=request.stream, next_seq=request.seq)
    url: str | None = request.url or client.first_page_url(spec, request.updated_since)
    requests_before = client.requests_by_this_thread
    try:
        while url and result.pages < request.max_pages:
            try:
                page = client.fetch_page(url)
            except TRANSIENT:
                raise
            except ClioError as exc:
                _write_problems(prefix, result.next_seq, url, [{"reason": str(exc), "status": exc.status}])
                result.problems += 1
                result.failed, result.next_url = f"page {result.next_seq}: {exc}", url
                return result
            raw.upload_blob(f"{prefix}/pages/{result.next_seq:06d}.json", page.body, overwrite=True,
                            metadata={"stream": request.stream, "records": str(len(page.page.data))})
            problems = record_problems(page.page.data)
            if problems:
                _write_problems(prefix, result.next_seq, url, problems)
                result.problems += len(problems)
            stamps = [r["updated_at"] for r in page.page.data if isinstance(r.get("updated_at"), str)]
            if stamps:
                result.max_updated_at = max([result.max_updated_at or "", *stamps])
            result.pages += 1
            result.records += len(page.page.data)
            result.next_seq += 1
            url = page.page.meta.paging.next
        result.next_url = url
        return result
    finally:
        result.requests = client.requests_by_this_thread - requests_before


@bp.activity_trigger(input_name="payload")
def extract_clio_pages(payload: dict) -> dict:
    request = PagesRequest.model_validate(payload)
    return extract_pages(shared_client(get_settings()), request).model_dump()


@bp.activity_trigger(input_name="payload")
def plan_clio_extraction(payload: dict) -> dict:
    """The streams to extract (all declared ones unless the request names some), validated against the catalogue."""
    catalogue = resource_catalogue()
    wanted = payload.get("streams") or [spec.key for spec in catalogue.resources]
    unknown = [name for name in wanted if name not in {spec.key for spec in catalogue.resources}]
    if unknown:
        raise ValueError(f"Unknown Clio streams: {', '.join(unknown)}")
    return {"streams": wanted, "pages_per_call": get_settings().clio_pages_per_activity}


class StreamSummary(BaseModel):
    stream: str
    pages: int
    records: int
    problems: int
    requests: int
    max_updated_at: str | None
    failed: str | None
    status: str


class ManifestRequest(_Placed):
    updated_since: str | None = None
    streams: list[StreamSummary]
    started_at: str | None = None  # when the extraction started (the orchestration's clock)


@bp.activity_trigger(input_name="payload")
def write_extraction_manifest(payload: dict) -> dict:
    request = ManifestRequest.model_validate(payload)
    streams = request.streams
    manifest = {"migration_id": request.migration_id, "updated_since": request.updated_since,
                "started_at": request.started_at, "streams": [s.model_dump() for s in streams],
                "records": sum(s.records for s in streams),
                "pages": sum(s.pages for s in streams), "requests": sum(s.requests for s in streams),
                "problems": sum(s.problems for s in streams),
                "failed": {s.stream: s.failed for s in streams if s.failed}}
    path = f"{request.folder}/clio/manifest.json"
    container(get_settings().raw_container).upload_blob(path, json.dumps(manifest, indent=1).encode(),
                                                        overwrite=True)
    keys = ("records", "pages", "requests", "problems", "failed", "streams")
    return {"blob": path, **{k: manifest[k] for k in keys}}
