"""A migration's Clio webhooks as activities: made at cutover and kept alive by each delta tick
(`ensure_clio_webhooks`), removed when the delta window closes (`remove_clio_webhooks`). Without
CLIO_WEBHOOK_BASE_URL nothing is made, and the answer says deletes come from the final id sweep alone."""
from __future__ import annotations

from datetime import datetime, timezone

import azure.durable_functions as df
from pydantic import AwareDatetime, BaseModel, Field

from shared.clio.client import shared_client
from shared.clio.models import resource_catalogue
from shared.clio.subscriptions import Subscriptions
from shared.clio.webhooks import SubscriptionStore, WebhookSettings
from shared.migration.models import MIGRATION_ID
from shared.settings import get_settings

bp = df.Blueprint()
NOT_CONFIGURED = "CLIO_WEBHOOK_BASE_URL is not set: no webhooks, so deletes are found by the final id sweep alone"


class EnsureRequest(BaseModel):
    migration_id: str = Field(pattern=MIGRATION_ID)
    streams: list[str] | None = None  # the migration's objects; None: every stream
    window_closes_at: AwareDatetime


class RemoveRequest(BaseModel):
    migration_id: str = Field(pattern=MIGRATION_ID)


def _subscriptions() -> Subscriptions | None:
    webhook_settings, settings = WebhookSettings(), get_settings()
    if webhook_settings.base_url is None:
        return None
    if webhook_settings.secret_key is None:
        raise ValueError("CLIO_WEBHOOK_BASE_URL is set but CLIO_WEBHOOK_SECRET_KEY (the key that seals webhook "
                         "secrets) is not")
    store = SubscriptionStore(settings, webhook_settings.subscriptions_table, webhook_settings.secret_key)
    return Subscriptions(shared_client(settings), store, webhook_settings.base_url)


@bp.activity_trigger(input_name="payload")
def ensure_clio_webhooks(payload: dict) -> dict:
    request = EnsureRequest.model_validate(payload)
    subscriptions = _subscriptions()
    if subscriptions is None:
        return {"configured": False, "reason": NOT_CONFIGURED}
    streams = request.streams or [spec.key for spec in resource_catalogue().resources]
    done = subscriptions.ensure(request.migration_id, streams, request.window_closes_at,
                                datetime.now(timezone.utc))
    return {"configured": True, **done.model_dump()}


@bp.activity_trigger(input_name="payload")
def remove_clio_webhooks(payload: dict) -> dict:
    request = RemoveRequest.model_validate(payload)
    subscriptions = _subscriptions()
    if subscriptions is None:
        return {"configured": False, "removed": []}
    return {"configured": True, "removed": subscriptions.remove(request.migration_id)}
