"""The portal's migration request and decisions (validated at the HTTP boundary and again by the activities), and
the blob paths of a migration's artefacts."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

from shared.clio.models import resource_catalogue

MIGRATION_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"
STREAMS = sorted(spec.key for spec in resource_catalogue().resources)
_STREAM_ITEMS: dict[str, JsonValue] = {"type": "string", "enum": list[JsonValue](STREAMS)}


class MigrationRequest(BaseModel):
    """What the portal sends to start a migration."""
    model_config = ConfigDict(extra="forbid")
    migration_id: str = Field(pattern=MIGRATION_ID, description="Stable id; the instance is migration-<id>")
    source: Literal["default"] = Field(default="default", description="Clio connection settings profile")
    target: Literal["default"] = Field(default="default", description="Dataverse and SharePoint settings profile")
    objects: list[str] = Field(default_factory=list, json_schema_extra={"items": _STREAM_ITEMS},
                               description="Clio streams to move (resources.json keys); all when empty")
    case_practice_areas: list[int] = Field(default_factory=list,
                                           description="Matter split rule: matters in these practice areas become "
                                                       "cases, all others opportunities")
    sample_size: int = Field(default=100, ge=50, le=200, description="Rows in the sample loaded for review")
    fallback_owner_email: str | None = Field(default=None, pattern=r"^[^@ \t\r\n]+@[^@ \t\r\n]+\.[^@ \t\r\n]+$",
                                             description="Owner of records whose Clio user has no Dynamics user")
    approval_timeout_hours: int = Field(default=72, ge=1, le=24 * 30)

    @field_validator("objects")
    @classmethod
    def _known_objects(cls, objects: list[str]) -> list[str]:
        unknown = sorted(set(objects) - set(STREAMS))
        if unknown:
            raise ValueError(f"unknown Clio objects {unknown}; known: {STREAMS}")
        return objects


class MigrationInput(MigrationRequest):
    """The orchestration's input: the request, and what the starter read from the app settings for it."""
    delta_window_hours: int = Field(ge=1)


class Decision(BaseModel):
    """An engineer's answer at a gate (mapping or sample)."""
    model_config = ConfigDict(extra="forbid")
    approved: bool
    by: str = Field(min_length=3, max_length=200, description="Who decided (the portal's signed-in engineer)")
    note: str | None = Field(default=None, max_length=2000)


def instance_id(migration_id: str) -> str:
    return f"migration-{migration_id}"


def mapping_folder(migration_id: str) -> str:
    return f"{migration_id}/mapping"


def proposed_map_blob(migration_id: str) -> str:
    return f"{mapping_folder(migration_id)}/proposed.json"


def edited_map_blob(migration_id: str) -> str:
    """A map an engineer sent with PUT .../mapping: the next mapping round uses it instead of proposing again."""
    return f"{mapping_folder(migration_id)}/edited.json"


def approved_map_blob(migration_id: str) -> str:
    return f"{mapping_folder(migration_id)}/approved.json"


REPORTS = {  # report name -> blob path below the migration's folder (JSON; the same name with .html beside it)
    "preflight": "preflight/report.json",
    "mapping": "mapping/proposal.json",
    "dry-run": "mapping/dry-run.json",
    "sample-diff": "sample/diff.json",
    "documents": "documents/report.json",
    "reconciliation": "reconciliation/report.json",
    "rollback": "rollback/report.json",
    "rollback-dry-run": "rollback/dry-run.json",
    "delta-certificate": "delta/certificate.json",
}
