"""A map binds only once a person approves it: who, when, and a hash of exactly the content they approved. The
loader refuses rows made with anything else."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

from azure.storage.blob import ContainerClient
from pydantic import BaseModel, Field

from shared.mapping.model import MapFile


class MapNotApproved(Exception):
    pass


class MapApproval(BaseModel):
    map_version: str
    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    approved_by: str = Field(min_length=1)
    approved_at: datetime
    note: str | None = None  # what the approver changed from the proposal, in their words


class ApprovedMap(BaseModel):
    approval: MapApproval
    map: MapFile

    def verify(self) -> MapFile:
        if content_hash(self.map) != self.approval.content_hash:
            raise MapNotApproved(f"map {self.map.version} differs from what {self.approval.approved_by} approved "
                                 f"at {self.approval.approved_at.isoformat()}")
        return self.map


def content_hash(map_file: MapFile) -> str:
    canonical = json.dumps(map_file.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def approve(map_file: MapFile, approved_by: str, at: datetime, note: str | None = None) -> ApprovedMap:
    if at.tzinfo is None:
        raise ValueError("the approval time needs a time zone")
    return ApprovedMap(approval=MapApproval(map_version=map_file.version, content_hash=content_hash(map_file),
                                            approved_by=approved_by, approved_at=at, note=note), map=map_file)


def read_approved_map(raw: ContainerClient, blob: str) -> MapFile:
    """The approved map stored at `blob`, checked against what was approved."""
    return ApprovedMap.model_validate_json(raw.download_blob(blob).readall()).verify()
