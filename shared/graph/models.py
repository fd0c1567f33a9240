"""Pydantic models at the Graph boundary: sites, drives, driveItems and their versions, upload sessions, what an
upload reports, and the list behind a library with its columns."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

ConflictBehavior = Literal["fail", "replace", "rename"]
FieldValue = Union[str, int, float, None]  # a list item field's value; None clears it


class _GraphModel(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Site(_GraphModel):
    id: str
    name: str | None = None
    display_name: str | None = Field(default=None, alias="displayName")
    web_url: str | None = Field(default=None, alias="webUrl")


class Drive(_GraphModel):
    id: str
    name: str
    drive_type: str | None = Field(default=None, alias="driveType")
    web_url: str | None = Field(default=None, alias="webUrl")


class Library(Drive):
    """A document library with the site it belongs to."""
    site: Site


class Hashes(_GraphModel):
    quick_xor_hash: str | None = Field(default=None, alias="quickXorHash")
    sha256_hash: str | None = Field(default=None, alias="sha256Hash")  # OneDrive personal only


class FileFacet(_GraphModel):
    mime_type: str | None = Field(default=None, alias="mimeType")
    hashes: Hashes = Field(default_factory=Hashes)


class FolderFacet(_GraphModel):
    child_count: int = Field(default=0, alias="childCount")


class ItemReference(_GraphModel):
    drive_id: str | None = Field(default=None, alias="driveId")
    site_id: str | None = Field(default=None, alias="siteId")
    id: str | None = None
    path: str | None = None


class DriveItem(_GraphModel):
    id: str
    name: str
    size: int = 0
    e_tag: str | None = Field(default=None, alias="eTag")
    c_tag: str | None = Field(default=None, alias="cTag")
    created: datetime | None = Field(default=None, alias="createdDateTime")
    last_modified: datetime | None = Field(default=None, alias="lastModifiedDateTime")
    web_url: str | None = Field(default=None, alias="webUrl")
    parent: ItemReference | None = Field(default=None, alias="parentReference")
    file: FileFacet | None = None
    folder: FolderFacet | None = None

    @property
    def is_folder(self) -> bool:
        return self.folder is not None


class Page(_GraphModel):
    """One page of a collection; `@odata.nextLink` leads to the next."""
    value: list[dict[str, Any]]
    next_link: str | None = Field(default=None, alias="@odata.nextLink")


class DriveItemVersion(_GraphModel):
    id: str  # "1.0", "2.0", ...
    last_modified: datetime | None = Field(default=None, alias="lastModifiedDateTime")
    size: int = 0


class DocumentList(_GraphModel):
    """The SharePoint list behind a document library."""
    id: str
    name: str | None = None
    display_name: str | None = Field(default=None, alias="displayName")
    web_url: str | None = Field(default=None, alias="webUrl")
    parent: ItemReference | None = Field(default=None, alias="parentReference")


class TextColumn(_GraphModel):
    max_length: int | None = Field(default=None, alias="maxLength")
    allow_multiple_lines: bool = Field(default=False, alias="allowMultipleLines")


class ColumnDefinition(_GraphModel):
    id: str | None = None
    name: str
    display_name: str | None = Field(default=None, alias="displayName")
    read_only: bool = Field(default=False, alias="readOnly")
    text: TextColumn | None = None  # set only on text columns


class UploadSession(_GraphModel):
    upload_url: str | None = Field(default=None, alias="uploadUrl")  # absent from status answers
    expiration: datetime | None = Field(default=None, alias="expirationDateTime")
    next_expected_ranges: list[str] = Field(default_factory=list, alias="nextExpectedRanges")

    def next_offset(self) -> int | None:
        """The first byte the server still wants, or None when it wants nothing more."""
        starts = [int(text.split("-", 1)[0]) for text in self.next_expected_ranges if text.split("-", 1)[0]]
        return min(starts) if starts else None


class UploadResult(BaseModel):
    """The stored item and what this upload verified and cost."""
    item: DriveItem
    size: int
    quick_xor_hash: str  # Base64, as Graph reports it; equal to the item's
    sha256: str  # hex of the bytes sent, for the caller's own records (SharePoint reports no SHA-256)
    method: Literal["simple", "session"]
    requests: int  # content or fragment PUTs sent, repeats after a failure included (not the waits out of a 429)
    resumed: int = 0  # times the upload asked its session where to carry on after a failure
    restarted: int = 0  # times a lost or expired session was replaced and the upload began again
