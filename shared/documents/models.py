"""What crosses the document activities' boundaries through Blob: the tasks a mover batch works on, the record
folders the locations link, and the per-document report lines."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Area = Literal["Matters", "Contacts", "Unfiled"]
Severity = Literal["error", "warning", "info"]


class RecordFolder(BaseModel):
    """The SharePoint folder of one Clio matter or contact, and the Dataverse rows it may be linked to."""
    resource: Literal["matters", "contacts"]
    clio_id: str
    area: Area
    name: str  # the folder's name inside its area folder
    entity_sets: list[str] = Field(default_factory=list)  # where the map placed the record, in map order

    @property
    def path(self) -> str:
        return f"{self.area}/{self.name}"

    @property
    def key(self) -> str:
        return f"{self.resource[:-1]}-{self.clio_id}"


class DocumentTask(BaseModel):
    """One Clio document to move: its latest version (and, with all versions, the older ones found at move time)."""
    document_id: int
    version_id: int
    version_number: int | None = None
    size: int = Field(ge=0)
    name: str  # SharePoint-safe, unique in its folder
    folder: str  # below the library root, e.g. "Matters/00012-Smith/Pleadings"
    content_type: str | None = None
    clio_url: str


class DocumentLine(BaseModel):
    """A report line about one document (or folder): what happened to it and why."""
    document_id: int | None = None
    severity: Severity
    code: str
    reason: str
    path: str | None = None
