"""Clio webhooks on our side (../shared/reference/clio/clio.md §9, §6): what a delivery looks like, how its
signature is checked, which extraction streams a webhook model feeds, and two Table stores:

- `SubscriptionStore`: per migration, the webhooks we made (id, model, url, events, expiry, status) and each one's
  shared secret, encrypted with Fernet under a key the caller passes in (a Key Vault secret in Azure). Secrets are
  `SecretStr` once decrypted, so no repr, log line, blob or report shows them.
- `EventStore`: the deliveries received, appended idempotently (a redelivery of the same webhook, model, record,
  event and etag is the same row) and read back in arrival order until marked applied.

Webhooks are the delete channel of delta pickup (Clio has no tombstones, §6) and its early notice of changes;
delivery is at-least-once, best effort and expires, so delta pickup still sweeps `updated_since`.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from azure.core.exceptions import ResourceExistsError
from azure.data.tables import TableClient, UpdateMode
from cryptography.fernet import Fernet, InvalidToken
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.clio.models import Webhook, WebhookEvent, WebhookModel, WebhookStatus, resource_catalogue
from shared.settings import Settings
from shared.storage import table

# The Clio resource (and so the extraction streams) each webhook model is about (clio.md §9 models table).
RESOURCE_OF_MODEL: dict[WebhookModel, str] = {
    "matter": "matters", "activity": "activities", "bill": "bills", "calendar_entry": "calendar_entries",
    "communication": "communications", "contact": "contacts", "task": "tasks", "document": "documents",
    "folder": "folders", "clio_payments_payment": "clio_payments/payments",  # not extracted
}
_INLINE_DATA_LIMIT = 30_000  # characters: a table string property holds 64 KiB of UTF-16


# -- deliveries ---------------------------------------------------------------------------------------------------
class DeliveryData(BaseModel):
    """The record's id and etag, and the fields the webhook asked for (kept as sent)."""
    model_config = ConfigDict(extra="allow", frozen=True)
    id: int | str
    etag: str


class DeliveryMeta(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    event: WebhookEvent
    webhook_id: int


class WebhookDelivery(BaseModel):
    """`{"data":{"id","etag",...},"meta":{"event","webhook_id"}}` (OAS Webhooks examples; documented-examples.json
    webhook_delivery_*). No event id or timestamp is sent."""
    model_config = ConfigDict(extra="ignore", frozen=True)
    data: DeliveryData
    meta: DeliveryMeta


def verify_signature(secret: str | SecretStr, raw_body: bytes, signature: str | None) -> bool:
    """Whether `signature` (X-Hook-Signature) is the hex HMAC-SHA256 of the raw body under the webhook's shared
    secret (OAS Webhooks "Confirming Hook Legitimacy"), compared in constant time."""
    if not signature:
        return False
    key = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    expected = hmac.new(key.encode("utf-8"), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.strip().lower())


# -- models and streams -------------------------------------------------------------------------------------------
def streams_of_model(model: WebhookModel) -> tuple[str, ...]:
    """The extraction streams (resources.json keys) a webhook of `model` reports changes to; none if we do not
    extract that resource."""
    resource = RESOURCE_OF_MODEL[model]
    return tuple(spec.key for spec in resource_catalogue().resources if spec.resource == resource)


@lru_cache(maxsize=1)
def polled_streams() -> tuple[str, ...]:
    """The streams no webhook model covers (users, notes, custom fields, bank data, ...): delta pickup polls them."""
    watched = {stream for model in RESOURCE_OF_MODEL for stream in streams_of_model(model)}
    return tuple(spec.key for spec in resource_catalogue().resources if spec.key not in watched)


# -- settings -----------------------------------------------------------------------------------------------------
class WebhookSettings(BaseSettings):
    """What the receiver and the stores need, under the names they will have in shared/settings.py."""
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, case_sensitive=True, frozen=True)
    subscriptions_table: str = Field(default="cliowebhooks", pattern=r"^[A-Za-z][A-Za-z0-9]{2,62}$",
                                     alias="CLIO_WEBHOOK_SUBSCRIPTIONS_TABLE")
    events_table: str = Field(default="clioevents", pattern=r"^[A-Za-z][A-Za-z0-9]{2,62}$",
                              alias="CLIO_WEBHOOK_EVENTS_TABLE")
    secret_key: SecretStr | None = Field(default=None, alias="CLIO_WEBHOOK_SECRET_KEY")  # a Fernet key
    # Where Clio reaches the receiver, e.g. https://<app>.azurewebsites.net/api; unset: no webhooks are made and
    # deletes are found by delta pickup's final id sweep alone.
    base_url: str | None = Field(default=None, pattern=r"^https://[^\s]+$", alias="CLIO_WEBHOOK_BASE_URL")

    @field_validator("base_url", "secret_key", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value


# -- subscriptions ------------------------------------------------------------------------------------------------
class Subscription(BaseModel):
    """One webhook we made for a migration, as stored."""
    model_config = ConfigDict(frozen=True)
    migration_id: str
    webhook_id: int
    model: WebhookModel
    url: str
    events: list[WebhookEvent]
    fields: str
    status: WebhookStatus
    expires_at: AwareDatetime
    shared_secret: SecretStr

    @property
    def streams(self) -> tuple[str, ...]:
        return streams_of_model(self.model)


class SecretStoreError(Exception):
    """A stored secret that cannot be read back (wrong key); the message never carries secret material."""


class _SecretBox:
    def __init__(self, key: SecretStr) -> None:
        try:
            self._fernet = Fernet(key.get_secret_value().encode())
        except (ValueError, TypeError):
            raise ValueError("the webhook secret key is not a Fernet key (32 url-safe base64-encoded bytes)") from None

    def seal(self, secret: SecretStr) -> str:
        return self._fernet.encrypt(secret.get_secret_value().encode()).decode()

    def open(self, sealed: str, what: str) -> SecretStr:
        try:
            return SecretStr(self._fernet.decrypt(sealed.encode()).decode())
        except InvalidToken:
            raise SecretStoreError(f"the shared secret of {what} cannot be decrypted with this key") from None


class SubscriptionStore:
    """PartitionKey = migration id, RowKey = webhook id."""

    def __init__(self, settings: Settings, table_name: str, secret_key: SecretStr) -> None:
        self._box = _SecretBox(secret_key)
        self._table: TableClient = table(settings, table_name)

    def save(self, migration_id: str, webhook: Webhook) -> Subscription:
        """Records `webhook` as Clio answered it. Its shared secret is required the first time; an answer without
        one (a renewal) keeps the stored secret."""
        entity: dict[str, Any] = {
            "PartitionKey": migration_id, "RowKey": str(webhook.id), "model": webhook.model, "url": webhook.url,
            "events": json.dumps(webhook.events), "fields": webhook.fields, "status": webhook.status,
            "expires_at": webhook.expires_at}
        if webhook.shared_secret is not None:
            entity["sealed_secret"] = self._box.seal(webhook.shared_secret)
        elif self.get(migration_id, webhook.id) is None:
            raise ValueError(f"webhook {webhook.id} came without its shared_secret: ask for it in `fields`")
        self._table.upsert_entity(entity, mode=UpdateMode.MERGE)
        found = self.get(migration_id, webhook.id)
        assert found is not None
        return found

    def get(self, migration_id: str, webhook_id: int) -> Subscription | None:
        entities = self._table.query_entities("PartitionKey eq @pk and RowKey eq @rk",
                                              parameters={"pk": migration_id, "rk": str(webhook_id)})
        return next((self._subscription(entity) for entity in entities), None)

    def list(self, migration_id: str) -> list[Subscription]:
        entities = self._table.query_entities("PartitionKey eq @pk", parameters={"pk": migration_id})
        return sorted((self._subscription(entity) for entity in entities), key=lambda sub: sub.webhook_id)

    def pending_with_secret(self, migration_id: str, secret: str) -> Subscription | None:
        """The pending subscription whose secret is `secret` (a handshake names no more than its secret for sure)."""
        for subscription in self.list(migration_id):
            if subscription.status == "pending" and hmac.compare_digest(
                    subscription.shared_secret.get_secret_value().encode(), secret.encode()):
                return subscription
        return None

    def set_status(self, migration_id: str, webhook_id: int, status: WebhookStatus) -> None:
        self._table.update_entity({"PartitionKey": migration_id, "RowKey": str(webhook_id), "status": status},
                                  mode=UpdateMode.MERGE)

    def delete(self, migration_id: str, webhook_id: int) -> None:
        self._table.delete_entity(migration_id, str(webhook_id))

    def close(self) -> None:
        self._table.close()

    def _subscription(self, entity: dict[str, Any]) -> Subscription:
        what = f"webhook {entity['RowKey']} of migration {entity['PartitionKey']}"
        return Subscription(migration_id=entity["PartitionKey"], webhook_id=int(entity["RowKey"]),
                            model=entity["model"], url=entity["url"], events=json.loads(entity["events"]),
                            fields=entity["fields"], status=entity["status"], expires_at=entity["expires_at"],
                            shared_secret=self._box.open(entity["sealed_secret"], what))


# -- received events ----------------------------------------------------------------------------------------------
class ReceivedEvent(BaseModel):
    model_config = ConfigDict(frozen=True)
    migration_id: str
    key: str
    webhook_id: int
    model: WebhookModel
    streams: tuple[str, ...]
    record_id: str
    event: WebhookEvent
    etag: str
    data: dict[str, Any] | None  # None when the payload was too large to keep inline: fetch the record by id
    received_at: AwareDatetime
    applied_at: AwareDatetime | None = None


_UNSAFE_KEY_CHARACTERS = re.compile(r"[^A-Za-z0-9_.-]")


def event_key(webhook_id: int, model: str, record_id: int | str, event: str, etag: str) -> str:
    """The row of one delivery: readable where it can be, made unique by a digest of all five parts (a record id
    or etag may hold characters a RowKey cannot)."""
    digest = hashlib.sha256(json.dumps([webhook_id, model, str(record_id), event, etag]).encode()).hexdigest()
    readable = _UNSAFE_KEY_CHARACTERS.sub("_", f"{model}-{record_id}-{event}-{webhook_id}")[:200]
    return f"{readable}-{digest[:32]}"


class EventStore:
    """PartitionKey = migration id, RowKey = `event_key(...)`."""

    def __init__(self, settings: Settings, table_name: str) -> None:
        self._table: TableClient = table(settings, table_name)

    def append(self, migration_id: str, subscription: Subscription, delivery: WebhookDelivery) -> bool:
        """Records a delivery; False (and nothing changed) if it was recorded before."""
        data = delivery.data.model_dump(mode="json")
        inline = json.dumps(data)
        entity = {"PartitionKey": migration_id,
                  "RowKey": event_key(subscription.webhook_id, subscription.model, delivery.data.id,
                                      delivery.meta.event, delivery.data.etag),
                  "webhook_id": subscription.webhook_id, "model": subscription.model,
                  "record_id": str(delivery.data.id), "event": delivery.meta.event, "etag": delivery.data.etag,
                  "data": inline if len(inline) <= _INLINE_DATA_LIMIT else None,
                  "received_at": datetime.now(timezone.utc), "applied": False}
        try:
            self._table.create_entity({key: value for key, value in entity.items() if value is not None})
        except ResourceExistsError:
            return False
        return True

    def events(self, migration_id: str, pending_only: bool = False) -> list[ReceivedEvent]:
        """The migration's events in arrival order; with `pending_only`, those not yet marked applied."""
        query = "PartitionKey eq @pk" + (" and applied eq false" if pending_only else "")
        entities = self._table.query_entities(query, parameters={"pk": migration_id})
        found = [self._event(entity) for entity in entities]
        return sorted(found, key=lambda event: (event.received_at, event.key))

    def close(self) -> None:
        self._table.close()

    def mark_applied(self, migration_id: str, keys: Iterable[str]) -> None:
        now = datetime.now(timezone.utc)
        for key in keys:
            self._table.update_entity({"PartitionKey": migration_id, "RowKey": key, "applied": True,
                                       "applied_at": now}, mode=UpdateMode.MERGE)

    @staticmethod
    def _event(entity: dict[str, Any]) -> ReceivedEvent:
        model = entity["model"]
        return ReceivedEvent(migration_id=entity["PartitionKey"], key=entity["RowKey"],
                             webhook_id=int(entity["webhook_id"]), model=model, streams=streams_of_model(model),
                             record_id=entity["record_id"], event=entity["event"], etag=entity["etag"],
                             data=json.loads(entity["data"]) if entity.get("data") else None,
                             received_at=entity["received_at"], applied_at=entity.get("applied_at"))
