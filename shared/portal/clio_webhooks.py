"""Where Clio sends a migration's webhooks: `POST /api/clio/webhooks/{migration_id}` (clio.md §9).

Anonymous, because Clio cannot send a function key: what authenticates a request is the webhook's shared secret,
which only Clio and our subscription store know.

- Handshake (the request carries `X-Hook-Secret`): 200 echoing the header when the migration has a pending
  subscription with that secret. Otherwise 404: nothing here awaits that confirmation (the create answer may not
  be stored yet, in which case the webhook stays pending and is confirmed by the activate call). 401 would invite
  resending with other credentials, and the answer says nothing about which subscriptions exist.
- Delivery: the webhook named in `meta.webhook_id` must be one of the migration's, and `X-Hook-Signature` the
  HMAC of the raw body under its secret; otherwise 401 with the reason and nothing is recorded. A verified
  delivery is appended to the event store (a redelivery is a no-op) and answered 200 at once: applying it is
  delta pickup's work.

Settings: the storage ones (MIGRATION_STORAGE_*), CLIO_WEBHOOK_SUBSCRIPTIONS_TABLE, CLIO_WEBHOOK_EVENTS_TABLE and
CLIO_WEBHOOK_SECRET_KEY (`shared.clio.webhooks.WebhookSettings`).
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

import azure.functions as func
from pydantic import ValidationError

from shared.clio.webhooks import (EventStore, SubscriptionStore, WebhookDelivery, WebhookSettings,
                                  verify_signature)
from shared.migration.models import MIGRATION_ID
from shared.retrying import PerProcess
from shared.settings import Settings, get_settings

bp = func.Blueprint()
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookStores:
    subscriptions: SubscriptionStore
    events: EventStore

    def close(self) -> None:
        self.subscriptions.close()
        self.events.close()


_stores: PerProcess[WebhookStores] = PerProcess()


def webhook_stores(settings: Settings, webhook_settings: WebhookSettings) -> WebhookStores:
    """The stores, made once per worker process for one storage account, tables and key."""
    secret_key = webhook_settings.secret_key
    if secret_key is None:
        raise RuntimeError("CLIO_WEBHOOK_SECRET_KEY is not set")
    storage = settings.migration_storage_connection_string
    key = hashlib.sha256(json.dumps([
        storage.get_secret_value() if storage else settings.migration_storage_account_name,
        webhook_settings.subscriptions_table, webhook_settings.events_table,
        secret_key.get_secret_value()]).encode()).hexdigest()
    return _stores.get(key, lambda: WebhookStores(
        SubscriptionStore(settings, webhook_settings.subscriptions_table, secret_key),
        EventStore(settings, webhook_settings.events_table)))


def reset_webhook_stores() -> None:
    _stores.reset()


def _json(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(body), status_code=status, mimetype="application/json", headers=headers)


def _refused(status: int, message: str) -> func.HttpResponse:
    return _json({"error": message}, status)


def _handshake(stores: WebhookStores, migration_id: str, secret: str) -> func.HttpResponse:
    subscription = stores.subscriptions.pending_with_secret(migration_id, secret)
    if subscription is None:
        return _refused(404, f"No pending Clio webhook of migration '{migration_id}' awaits this handshake")
    stores.subscriptions.set_status(migration_id, subscription.webhook_id, "enabled")
    log.info("Confirmed Clio webhook %s (%s) of migration %s", subscription.webhook_id, subscription.model,
             migration_id)
    return _json({"webhook_id": subscription.webhook_id, "confirmed": True}, 200, {"X-Hook-Secret": secret})


def _webhook_id(raw: bytes) -> int | None:
    try:
        meta = json.loads(raw).get("meta")
        return int(meta["webhook_id"]) if isinstance(meta, dict) else None
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _delivery(stores: WebhookStores, migration_id: str, raw: bytes, signature: str | None) -> func.HttpResponse:
    if not signature:
        return _refused(401, "The delivery has no X-Hook-Signature")
    webhook_id = _webhook_id(raw)
    subscription = stores.subscriptions.get(migration_id, webhook_id) if webhook_id is not None else None
    if subscription is None:
        return _refused(401, f"The delivery names no Clio webhook of migration '{migration_id}', so its signature "
                             "cannot be checked")
    if not verify_signature(subscription.shared_secret, raw, signature):
        log.warning("Refused a delivery for Clio webhook %s of migration %s: bad signature", webhook_id,
                    migration_id)
        return _refused(401, "X-Hook-Signature is not the HMAC-SHA256 of the body under this webhook's secret")
    try:
        delivery = WebhookDelivery.model_validate_json(raw)
    except ValidationError as exc:
        wrong = ", ".join(".".join(str(part) for part in error["loc"]) for error in exc.errors())
        return _refused(400, f"The signed delivery is not a Clio webhook payload (wrong: {wrong})")
    recorded = stores.events.append(migration_id, subscription, delivery)
    log.info("Clio %s %s %s for migration %s (%s)", subscription.model, delivery.data.id, delivery.meta.event,
             migration_id, "recorded" if recorded else "already recorded")
    return _json({"recorded": recorded}, 200)


@bp.route(route="clio/webhooks/{migration_id}", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def receive_clio_webhook(req: func.HttpRequest) -> func.HttpResponse:
    migration_id = req.route_params.get("migration_id", "")
    if not re.match(MIGRATION_ID, migration_id):
        return _refused(404, f"'{migration_id}' is not a migration id")
    stores = webhook_stores(get_settings(), WebhookSettings())
    secret = req.headers.get("X-Hook-Secret")
    if secret is not None:
        return _handshake(stores, migration_id, secret)
    return _delivery(stores, migration_id, req.get_body(), req.headers.get("X-Hook-Signature"))
