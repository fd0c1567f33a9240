"""Pydantic models at the Clio boundary: token responses, page envelopes, and the resource declarations."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, SecretStr


class TokenResponse(BaseModel):
    """`POST /oauth/token` (clio.md §2); a refresh answer carries no new refresh token."""
    model_config = ConfigDict(extra="ignore")
    access_token: str = Field(min_length=1)
    token_type: str
    expires_in: int = Field(gt=0)
    refresh_token: str | None = None


class Paging(BaseModel):
    model_config = ConfigDict(extra="ignore")
    next: str | None = None
    previous: str | None = None


class PageMeta(BaseModel):
    model_config = ConfigDict(extra="ignore")
    paging: Paging = Field(default_factory=Paging)


class Page(BaseModel):
    """An index response: `{"data": [...], "meta": {"paging": {"next": url}}}` (clio.md §1, §4)."""
    model_config = ConfigDict(extra="ignore")
    data: list[dict[str, Any]]
    meta: PageMeta = Field(default_factory=PageMeta)


class ResourceSpec(BaseModel):
    """One extraction stream, declared in resources.json: which index, which fields, which fixed filters."""
    model_config = ConfigDict(frozen=True)
    key: str = Field(pattern=r"^[a-z_]+$")
    resource: str
    schema_name: str = Field(alias="schema")
    path: str = Field(pattern=r"^/api/v4/[a-z_/]+\.json$")
    params: dict[str, str] = Field(default_factory=dict)
    fields: list[str]
    order: str | None = None
    limit: int = Field(ge=1, le=2000)
    incremental: bool = True

    def query(self, updated_since: str | None = None) -> dict[str, str]:
        query = dict(self.params)
        query["fields"] = ",".join(self.fields)
        query["limit"] = str(self.limit)
        if self.order:
            query["order"] = self.order
        if updated_since and self.incremental:
            query["updated_since"] = updated_since
        return query


class ResourceCatalogue(BaseModel):
    version: int
    api_version: str
    resources: list[ResourceSpec]

    def get(self, key: str) -> ResourceSpec:
        for spec in self.resources:
            if spec.key == key:
                return spec
        raise KeyError(f"No Clio resource stream named '{key}'")


@lru_cache(maxsize=1)
def resource_catalogue() -> ResourceCatalogue:
    data = json.loads((Path(__file__).parent / "resources.json").read_text())
    return ResourceCatalogue.model_validate(data)


# Webhooks (clio.md §9): the models a webhook can watch, their events, a webhook's states.
WebhookModel = Literal["activity", "bill", "calendar_entry", "clio_payments_payment", "communication", "contact",
                       "document", "folder", "matter", "task"]
WebhookEvent = Literal["created", "updated", "deleted", "matter_opened", "matter_pended", "matter_closed"]
WebhookStatus = Literal["pending", "enabled", "suspended"]
WEBHOOK_FIELDS = "id,etag,url,model,events,fields,status,expires_at,shared_secret"


class Webhook(BaseModel):
    """A webhook as `/webhooks.json` answers it with WEBHOOK_FIELDS. The shared secret signs every delivery: it
    stays a SecretStr, so no repr, log line or dump shows it."""
    model_config = ConfigDict(extra="ignore", frozen=True)
    id: int
    etag: str | None = None
    url: str
    model: WebhookModel
    events: list[WebhookEvent]
    fields: str
    status: WebhookStatus
    expires_at: AwareDatetime
    shared_secret: SecretStr | None = None
