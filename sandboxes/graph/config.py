"""Typed configuration of one Microsoft Graph sandbox instance (dataverse.md §10)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sandboxes.clio.config import FaultRule
from sandboxes.dataverse.config import ApplicationUser

GRAPH_RESOURCE = "https://graph.microsoft.com"
MIB = 1024 * 1024
FRAGMENT_MULTIPLE = 327_680  # 320 KiB (GRAPH createuploadsession)


class SiteSeed(BaseModel):
    """A SharePoint site with its document libraries, each an empty drive at start."""
    model_config = ConfigDict(frozen=True)
    hostname: str = "contoso.sharepoint.com"
    path: str = Field(default="/sites/ClioMigration", pattern=r"^/(sites|teams)/[^/]+$")
    display_name: str = "Clio Migration"
    libraries: list[str] = Field(default_factory=lambda: ["Documents"], min_length=1)


class FragmentFault(BaseModel):
    """Fail the `fragment`-th PUT (1-based, repeats included) to an upload session, in `times` sessions (None: all).

    `status`: refused with `status` and Retry-After, nothing stored. `drop`: the fragment is stored, then the
    connection breaks mid-answer, so the client cannot tell whether it arrived.
    """
    fragment: int = Field(ge=1)
    kind: Literal["status", "drop"] = "status"
    status: Literal[500, 502, 503] = 503
    times: int | None = Field(default=1, ge=1)


class GraphConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    application_users: list[ApplicationUser] = Field(default_factory=list)
    sites: list[SiteSeed] = Field(default_factory=lambda: [SiteSeed()], min_length=1)
    access_token_lifetime_seconds: int = Field(default=3599, ge=1)
    # GRAPH driveitem-put-content documents 250 MB; the client keeps to 4 MB, its own safe limit.
    simple_upload_max_bytes: int = Field(default=250 * MIB, ge=0)
    fragment_max_bytes: int = Field(default=60 * MIB, ge=FRAGMENT_MULTIPLE)  # a fragment must be smaller
    upload_session_lifetime_seconds: float = Field(default=3600.0, gt=0)  # (inferred) extended by each fragment
    versions_kept: int = Field(default=500, ge=1)  # major versions a file keeps, the current one included
    page_size: int = Field(default=200, ge=1)  # children per page when the request has no $top
    max_page_size: int = Field(default=999, ge=1)
    # SharePoint meters resource units per app per minute: 1 per read, 2 per write or upload (GRAPH throttling).
    resource_units_per_window: int = Field(default=1250, ge=1)
    throttle_window_seconds: float = Field(default=60.0, gt=0)
    retry_after_seconds: int = Field(default=2, ge=1)  # sent with every 503 the sandbox answers
    faults: list[FaultRule] = Field(default_factory=list)
    fragment_faults: list[FragmentFault] = Field(default_factory=list)
    fault_seed: int = 0
    signing_secret: str | None = None  # access-token HMAC key; random per instance when None
    storage_dir: str | None = None  # where file bytes live; a new temporary folder when None
