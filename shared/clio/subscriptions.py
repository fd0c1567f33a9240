"""Keeping a migration's Clio webhooks alive for its delta window (clio.md §9): one webhook per Clio model whose
records the migration extracted, pointing at our receiver, expiring a day after the window closes (Clio allows
at most 31 days ahead, so a longer window is renewed on the way). `ensure` is idempotent: it adopts a webhook a
crashed run made but did not record, renews those expiring too soon, confirms pending ones with their secret and
makes the missing ones (and anew those that expired). `remove` deletes them all when the window closes."""
from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from shared.clio.client import ClioClient
from shared.clio.models import Webhook, WebhookEvent, WebhookModel
from shared.clio.webhooks import RESOURCE_OF_MODEL, SubscriptionStore, streams_of_model

WATCHED_FIELDS = "id,etag,updated_at"
EVENTS: list[WebhookEvent] = ["created", "updated", "deleted"]
MOST_AHEAD = timedelta(days=31) - timedelta(hours=1)  # Clio's limit, less a margin for our clocks' skew
AFTER_CLOSE = timedelta(days=1)


class Ensured(BaseModel):
    """What `ensure` did, per Clio model (no secret in it)."""
    created: list[WebhookModel] = []
    adopted: list[WebhookModel] = []
    renewed: list[WebhookModel] = []
    activated: list[WebhookModel] = []
    kept: list[WebhookModel] = []


def models_for(streams: list[str]) -> list[WebhookModel]:
    """The webhook models whose records any of `streams` reads (a model whose resource we do not extract has
    nothing of ours to change)."""
    return [model for model in RESOURCE_OF_MODEL if set(streams_of_model(model)) & set(streams)]


def receiver_url(base_url: str, migration_id: str) -> str:
    return f"{base_url.rstrip('/')}/clio/webhooks/{migration_id}"


class Subscriptions:
    def __init__(self, clio: ClioClient, store: SubscriptionStore, base_url: str) -> None:
        self.clio, self.store, self.base_url = clio, store, base_url

    def ensure(self, migration_id: str, streams: list[str], window_closes_at: datetime,
               now: datetime) -> Ensured:
        url = receiver_url(self.base_url, migration_id)
        # Clio keeps whole seconds: a finer target would look unmet and renew on every tick
        expires_at = min(window_closes_at + AFTER_CLOSE, now + MOST_AHEAD).replace(microsecond=0)
        done = Ensured()
        recorded = {sub.model: sub for sub in self.store.list(migration_id)}
        made: dict[WebhookModel, Webhook] | None = None
        for model in models_for(streams):
            subscription = recorded.get(model)
            if subscription is not None and subscription.expires_at <= now:  # an expired webhook delivers nothing
                self.clio.delete_webhook(subscription.webhook_id)
                self.store.delete(migration_id, subscription.webhook_id)
                subscription = None
            if subscription is None:
                if made is None:  # a run that died after Clio made it but before we recorded it
                    made = {hook.model: hook for hook in self.clio.list_webhooks() if hook.url == url}
                webhook = made.get(model)
                if webhook is None:
                    webhook = self.clio.create_webhook(url, model, WATCHED_FIELDS, EVENTS, expires_at)
                    done.created.append(model)
                else:
                    done.adopted.append(model)
                subscription = self.store.save(migration_id, webhook)
            elif subscription.expires_at < expires_at:  # the window outlasts it (or was extended)
                subscription = self.store.save(migration_id,
                                               self.clio.renew_webhook(subscription.webhook_id, expires_at))
                done.renewed.append(model)
            else:
                done.kept.append(model)
            if subscription.status == "pending":  # Clio's handshake came before we had recorded the secret
                self.clio.activate_webhook(subscription.webhook_id, subscription.shared_secret)
                self.store.set_status(migration_id, subscription.webhook_id, "enabled")
                done.activated.append(model)
        return done

    def remove(self, migration_id: str) -> list[WebhookModel]:
        removed = []
        for subscription in self.store.list(migration_id):
            self.clio.delete_webhook(subscription.webhook_id)  # False when already gone: nothing to undo
            self.store.delete(migration_id, subscription.webhook_id)
            removed.append(subscription.model)
        return removed
