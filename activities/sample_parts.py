"""Activities of the sample fan-out: write deterministic parts to Blob storage and check them afterwards.

Idempotent: a part's bytes depend only on (run_id, part), and every write overwrites the same blob path.
"""
from __future__ import annotations

import hashlib
import json

import azure.durable_functions as df
from pydantic import BaseModel, Field

from shared.blobs import container
from shared.settings import get_settings

bp = df.Blueprint()


class PartRequest(BaseModel):
    run_id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")
    part: int = Field(ge=0)
    records: int = Field(default=50, ge=1, le=5000)


class PartWritten(BaseModel):
    blob: str
    records: int
    bytes: int
    sha256: str


class ManifestRequest(BaseModel):
    run_id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")
    expected_parts: int = Field(ge=0)


def part_path(run_id: str, part: int) -> str:
    return f"sample/{run_id}/parts/{part:06d}.jsonl"


def part_bytes(request: PartRequest) -> bytes:
    lines = (json.dumps({"run_id": request.run_id, "part": request.part, "row": row,
                         "value": hashlib.sha1(f"{request.run_id}:{request.part}:{row}".encode()).hexdigest()})
             for row in range(request.records))
    return ("\n".join(lines) + "\n").encode()


@bp.activity_trigger(input_name="payload")
def write_sample_part(payload: dict) -> dict:
    request = PartRequest.model_validate(payload)
    data = part_bytes(request)
    path = part_path(request.run_id, request.part)
    container(get_settings().raw_container).upload_blob(path, data, overwrite=True)
    return PartWritten(blob=path, records=request.records, bytes=len(data),
                       sha256=hashlib.sha256(data).hexdigest()).model_dump()


@bp.activity_trigger(input_name="payload")
def write_sample_manifest(payload: dict) -> dict:
    """Lists what actually landed (not what the orchestrator believes) and writes it as the run's manifest."""
    request = ManifestRequest.model_validate(payload)
    client = container(get_settings().raw_container)
    prefix = f"sample/{request.run_id}/parts/"
    blobs = [(b.name, int(b.size)) for b in client.list_blobs(name_starts_with=prefix)]
    total_bytes = sum(size for _, size in blobs)
    manifest = {"run_id": request.run_id, "expected_parts": request.expected_parts, "found_parts": len(blobs),
                "complete": len(blobs) == request.expected_parts, "total_bytes": total_bytes,
                "parts": [{"blob": name, "bytes": size} for name, size in blobs]}
    path = f"sample/{request.run_id}/manifest.json"
    client.upload_blob(path, json.dumps(manifest, indent=1).encode(), overwrite=True)
    return {"blob": path, "found_parts": len(blobs), "complete": manifest["complete"], "total_bytes": total_bytes}
