"""The delta certificate as an activity (shared/delta/certificate.py): from every tick's summary and delete lines
to `<migration>/delta/certificate.json|html`; when it is final, the migration's row records that delta pickup is
finished (the timer starts no more runs for it)."""
from __future__ import annotations

import json
from datetime import datetime

import azure.durable_functions as df
from azure.storage.blob import ContentSettings
from pydantic import BaseModel, Field

from shared.blobs import container
from shared.delta.certificate import certificate, certificate_html, certificate_json
from shared.delta.models import DeleteLine, TickSummary
from shared.delta.paths import certificate_blob, ticks_folder
from shared.delta.window import read_window, record_delta
from shared.mapping.approval import read_approved_map
from shared.migration.models import MIGRATION_ID, approved_map_blob
from shared.settings import get_settings

bp = df.Blueprint()


class CertificateRequest(BaseModel):
    migration_id: str = Field(pattern=MIGRATION_ID)
    at: datetime
    final: bool


@bp.activity_trigger(input_name="payload")
def write_delta_certificate(payload: dict) -> dict:
    request = CertificateRequest.model_validate(payload)
    settings = get_settings()
    raw = container(settings.raw_container)
    window = read_window(settings, request.migration_id)
    if window is None:
        raise ValueError(f"migration {request.migration_id} has no delta window")
    names = sorted(blob.name for blob in raw.list_blobs(name_starts_with=f"{ticks_folder(request.migration_id)}/")
                   if blob.name.endswith("/summary.json"))
    summaries = [TickSummary.model_validate_json(raw.download_blob(name).readall()) for name in names]
    lines = [DeleteLine.model_validate(item) for summary in summaries for path in summary.delete_blobs
             for item in json.loads(raw.download_blob(path).readall())]
    map_file = read_approved_map(raw, approved_map_blob(request.migration_id))
    cert = certificate(window, request.at, summaries, lines,
                       {table.name: table.target.entity_set for table in map_file.tables}, request.final)
    path = certificate_blob(request.migration_id)
    html_path = path.removesuffix(".json") + ".html"
    raw.upload_blob(path, certificate_json(cert).encode(), overwrite=True,
                    content_settings=ContentSettings(content_type="application/json"))
    raw.upload_blob(html_path, certificate_html(cert).encode(), overwrite=True,
                    content_settings=ContentSettings(content_type="text/html; charset=utf-8"))
    if request.final:
        record_delta(settings, request.migration_id, DeltaFinishedAt=request.at, DeltaCertificate=path)
    return {"certificate": path, "html": html_path, "final": request.final, "ticks": cert.ticks,
            "deleted": sum(1 for line in cert.deletes if line.outcome in ("deactivated", "deleted")),
            "failures": len(cert.failures)}
