"""Webhook records, served at /webhooks.json, and the rules Clio applies to them (clio.md §9, OAS Webhooks):

- `url` required and `https` only ("all other schemes, including http, will be rejected") -> 422;
- `model` one of the Supported Models, as its string identifier or its numeric id;
- `events` valid for the model (matters also have matter_opened/pended/closed; Clio Payments payments have no
  `deleted`); when none are given, the model's created/updated/deleted (inferred: the spec does not say);
- `fields` required, at most 1000 characters ("any request containing a fields size over 1000 characters will be
  rejected"), names valid for the model as in the `fields` parameter (422 here, inferred: it is a body value);
- `expires_at` defaults to now + 3 days, at most now + 31 days, and in the future (the last is inferred) -> 422;
- a new webhook, or one whose url changed, is `pending` with a new `shared_secret` until the handshake or the
  activate call confirms it.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from openapi_schema_validator import OAS30Validator

from sandboxes.clio.clock import SandboxClock
from sandboxes.clio.errors import ClioError
from sandboxes.clio.fields import FieldRenderer, parse_fields
from sandboxes.clio.reference import Reference
from sandboxes.clio.resources import API_PREFIX, ResourceSpec
from sandboxes.clio.store import FirmStore, Record
from sandboxes.clio.timestamps import parse_iso8601
from sandboxes.clio.webhooks.models import LIFECYCLE_EVENTS, WatchableModel
from sandboxes.clio.writes import checked_data, closed_request_schema, validation_error

RESOURCE = "webhooks"
SCHEMA = "Webhook"
INDEX_PATH = f"{API_PREFIX}/webhooks.json"
SHOW_PATH = f"{API_PREFIX}/webhooks/{{id}}.json"
DEFAULT_LIFETIME = timedelta(days=3)
MAX_LIFETIME = timedelta(days=31)
MAX_FIELDS_LENGTH = 1000


def _body_schema(reference: Reference, method: str, path: str, models: dict[str, WatchableModel]) -> dict[str, Any]:
    schema = closed_request_schema(reference, method, path)
    named = schema["properties"]["data"]["properties"]["model"]
    # The spec's enum lists the string identifiers only, but `model` "accepts either the string identifier of the
    # model or its ID" (OAS Webhooks, Supported Models).
    numbered = {"type": "integer", "enum": sorted(model.number for model in models.values())}
    schema["properties"]["data"]["properties"]["model"] = {"anyOf": [named, numbered]}
    return schema


def _https_url(url: str) -> str:
    scheme, _, rest = url.partition("://")
    if scheme.lower() != "https" or not rest.split("/")[0]:
        raise validation_error("url must be an https URL: all other schemes, including http, are rejected")
    return url


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


class WebhookRegistry:
    def __init__(self, reference: Reference, clock: SandboxClock, renderer: FieldRenderer,
                 models: dict[str, WatchableModel]) -> None:
        self.store = FirmStore({}, clock, resources=(RESOURCE,))
        self.spec = ResourceSpec(RESOURCE, SCHEMA, INDEX_PATH, SHOW_PATH, reference.operation("GET", INDEX_PATH))
        self.models = models
        self._by_number = {model.number: model for model in models.values()}
        self._clock = clock
        self._renderer = renderer
        self._validators = {"POST": OAS30Validator(_body_schema(reference, "POST", INDEX_PATH, models)),
                            "PATCH": OAS30Validator(_body_schema(reference, "PATCH", SHOW_PATH, models))}

    # -- reading ----------------------------------------------------------------------------------------------
    def get(self, webhook_id: Any) -> Record | None:
        return self.store.get(RESOURCE, webhook_id)

    def all(self) -> list[Record]:
        return self.store.by_id(RESOURCE)

    def model_of(self, webhook: Record) -> WatchableModel:
        return self.models[webhook["model"]]

    def expired(self, webhook: Record) -> bool:
        return parse_iso8601(webhook["expires_at"]) <= self._clock.now_datetime()

    def live(self, webhook: Record) -> bool:
        """Enabled and not expired: the only webhooks that are delivered to."""
        return webhook["status"] == "enabled" and not self.expired(webhook)

    # -- writes through the API -------------------------------------------------------------------------------
    def create(self, body: Any, user_id: int | None) -> Record:
        data = checked_data(self._validators["POST"], body)
        settings = self._settings(data, None)
        record = {**settings, "status": "pending", "shared_secret": secrets.token_hex(32)}
        if user_id is not None:
            record["user"] = {"id": user_id}
        return self.store.create(RESOURCE, record)

    def update(self, webhook: Record, body: Any) -> tuple[Record, bool]:
        """The updated webhook, and whether its url changed (which calls for a new handshake)."""
        data = checked_data(self._validators["PATCH"], body)
        changes = self._settings(data, webhook)
        moved = "url" in changes and changes["url"] != webhook["url"]
        if moved:
            changes.update(status="pending", shared_secret=secrets.token_hex(32))
        return self.store.update(RESOURCE, webhook["id"], changes), moved

    def activate(self, webhook: Record, secret: str | None) -> Record:
        """`PUT /webhooks/{id}/activate` with the secret in X-Hook-Secret (OAS Webhooks "Option 2: Delayed").
        A missing or wrong secret is a 422 here (the answer is undocumented: inferred)."""
        if not secret or not secrets.compare_digest(secret, webhook["shared_secret"]):
            raise validation_error("X-Hook-Secret does not match the webhook's shared secret")
        if webhook["status"] == "enabled":
            return webhook
        return self.store.update(RESOURCE, webhook["id"], {"status": "enabled"})

    def delete(self, webhook: Record) -> None:
        self.store.delete(RESOURCE, webhook["id"])

    # -- what the deliveries change ---------------------------------------------------------------------------
    def set_status(self, webhook_id: Any, status: str, secret: str) -> None:
        """Sets the status of the webhook if it still has `secret` (a url change since makes the news stale)."""
        current = self.get(webhook_id)
        if current is not None and current["shared_secret"] == secret and current["status"] != status:
            self.store.update(RESOURCE, webhook_id, {"status": status})

    # -- validation -------------------------------------------------------------------------------------------
    def _settings(self, data: dict[str, Any], current: Record | None) -> Record:
        """The checked settings `data` changes; what it leaves out is checked as the webhook has it."""
        merged = {**(current or {}), **data}
        model = self._model(merged["model"])
        events: list[str] = merged.get("events", [event for event in LIFECYCLE_EVENTS if event in model.events])
        wrong = [event for event in events if event not in model.events]
        if wrong:
            raise validation_error(f"events {wrong} are not events of the {model.name} model "
                                   f"(it has {', '.join(model.events)})")
        self._check_fields(model, merged["fields"])
        settings: Record = {"model": model.name, "events": list(dict.fromkeys(events)), "fields": merged["fields"]}
        if "url" in data:
            settings["url"] = _https_url(data["url"])
        if "expires_at" in data or current is None:
            settings["expires_at"] = self._expiry(data.get("expires_at"))
        return settings

    def _model(self, value: str | int) -> WatchableModel:
        return self._by_number[value] if isinstance(value, int) else self.models[value]

    def _check_fields(self, model: WatchableModel, fields: str) -> None:
        if len(fields) > MAX_FIELDS_LENGTH:
            raise validation_error(f"fields is {len(fields)} characters; at most {MAX_FIELDS_LENGTH} are accepted")
        try:
            # id and etag are in every payload (OAS Webhooks examples); the spec gives ClioPaymentsPayment no etag.
            requests = [request for request in parse_fields(fields) if request.name not in ("id", "etag")]
            self._renderer.validate(model.schema, requests)
        except ClioError as error:
            raise validation_error(f"fields: {error.message}") from None

    def _expiry(self, value: str | None) -> str:
        now = self._clock.now_datetime()
        if value is None:
            return _timestamp(now + DEFAULT_LIFETIME)
        try:
            expires = parse_iso8601(value)
        except ValueError:
            raise validation_error(f"expires_at must be an ISO-8601 timestamp, got {value!r}") from None
        if expires <= now:
            raise validation_error("expires_at must be in the future")
        if expires > now + MAX_LIFETIME:
            raise validation_error(f"expires_at can be at most {MAX_LIFETIME.days} days from now")
        return _timestamp(expires)
