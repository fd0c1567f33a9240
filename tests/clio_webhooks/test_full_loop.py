"""The whole path: our client subscribes in Clio (the sandbox), Clio's handshake and signed deliveries cross HTTPS
to the receiver blueprint, and the events land in the event store; forgeries do not."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta
from typing import Any

import httpx
import pytest

from shared.clio.errors import ClioRequestError
from shared.clio.models import Webhook, WebhookModel
from shared.clio.webhooks import EventStore, ReceivedEvent, SubscriptionStore
from tests.clio_webhooks.conftest import Loop


def _subscribe(loop: Loop, subscriptions: SubscriptionStore, migration_id: str, model: WebhookModel = "matter",
               fields: str = "id,etag,description") -> Webhook:
    webhook = loop.client.create_webhook(loop.webhook_url(migration_id), model, fields,
                                         events=["created", "updated", "deleted"])
    subscriptions.save(migration_id, webhook)
    return webhook


def _wait_for_events(events: EventStore, migration_id: str, count: int, timeout: float = 10) -> list[ReceivedEvent]:
    deadline = time.monotonic() + timeout
    while len(found := events.events(migration_id)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def _status_in_clio(loop: Loop, webhook_id: int) -> str:
    loop.state.wait_for_webhooks()
    [webhook] = [hook for hook in loop.client.list_webhooks() if hook.id == webhook_id]
    return webhook.status


def _change(loop: Loop, method: str, path: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = loop.user.request(method, path, json={"data": data} if data is not None else None,
                               params={"fields": "id,etag"})
    assert answer.status_code < 300, answer.text
    return answer.json()["data"] if answer.content else {}


def test_the_handshake_reaches_the_receiver_and_enables_the_webhook(loop: Loop, subscriptions: SubscriptionStore
                                                                   ) -> None:
    loop.receiver.hold_handshakes()  # until the create answer is stored, as it would be in time in production
    webhook = _subscribe(loop, subscriptions, "m1")
    assert webhook.status == "pending" and webhook.shared_secret is not None
    loop.receiver.release_handshakes()
    assert _status_in_clio(loop, webhook.id) == "enabled"
    assert loop.receiver.answers == [200]
    assert subscriptions.get("m1", webhook.id).status == "enabled"  # type: ignore[union-attr]


def test_a_handshake_before_the_subscription_is_stored_is_completed_by_activate(
        loop: Loop, subscriptions: SubscriptionStore) -> None:
    webhook = loop.client.create_webhook(loop.webhook_url("m1"), "contact", "id,etag,name")
    assert _status_in_clio(loop, webhook.id) == "pending" and loop.receiver.answers == [404]
    subscriptions.save("m1", webhook)
    assert webhook.shared_secret is not None
    loop.client.activate_webhook(webhook.id, webhook.shared_secret)
    assert _status_in_clio(loop, webhook.id) == "enabled"


def test_changes_in_clio_become_recorded_events(loop: Loop, subscriptions: SubscriptionStore,
                                                events: EventStore) -> None:
    loop.receiver.hold_handshakes()
    webhook = _subscribe(loop, subscriptions, "m1")
    loop.receiver.release_handshakes()
    assert _status_in_clio(loop, webhook.id) == "enabled"
    created = _change(loop, "POST", "/matters.json", {"client": {"id": 1}, "description": "Acquisition"})
    _change(loop, "PATCH", f"/matters/{created['id']}.json", {"description": "Acquisition (signed)"})
    _change(loop, "DELETE", f"/matters/{created['id']}.json")
    recorded = _wait_for_events(events, "m1", 3)
    assert [(e.event, e.record_id, e.streams) for e in recorded] == [
        ("created", str(created["id"]), ("matters",)), ("updated", str(created["id"]), ("matters",)),
        ("deleted", str(created["id"]), ("matters",))]
    assert recorded[1].data is not None and recorded[1].data["description"] == "Acquisition (signed)"
    assert loop.state.wait_for_webhooks()
    assert loop.receiver.answers == [200, 200, 200, 200]  # the handshake and three deliveries
    assert all(e.webhook_id == webhook.id and e.applied_at is None for e in recorded)


def test_a_forged_delivery_over_https_is_refused_and_not_recorded(loop: Loop, subscriptions: SubscriptionStore,
                                                                  events: EventStore) -> None:
    webhook = _subscribe(loop, subscriptions, "m1")
    body = json.dumps({"data": {"id": 1, "etag": '"x"'}, "meta": {"event": "deleted",
                                                                 "webhook_id": webhook.id}}).encode()
    forged = hmac.new(b"a guessed secret", body, hashlib.sha256).hexdigest()
    with httpx.Client(verify=loop.receiver_context) as attacker:
        answer = attacker.post(loop.webhook_url("m1"), content=body, headers={"X-Hook-Signature": forged})
    assert answer.status_code == 401 and "X-Hook-Signature" in answer.json()["error"]
    assert events.events("m1") == []


def test_renew_list_and_delete(loop: Loop, subscriptions: SubscriptionStore) -> None:
    webhook = _subscribe(loop, subscriptions, "m1")
    now = loop.state.clock.now_datetime()
    renewed = loop.client.renew_webhook(webhook.id, now + timedelta(days=30))
    assert renewed.expires_at > webhook.expires_at and renewed.shared_secret == webhook.shared_secret
    assert subscriptions.save("m1", renewed).expires_at == renewed.expires_at
    with pytest.raises(ClioRequestError) as refused:
        loop.client.renew_webhook(webhook.id, now + timedelta(days=40))
    assert refused.value.status == 422
    assert [hook.id for hook in loop.client.list_webhooks()] == [webhook.id]
    assert loop.client.delete_webhook(webhook.id) is True
    assert loop.client.delete_webhook(webhook.id) is False
    assert loop.client.list_webhooks() == []


def test_an_http_url_is_refused_by_clio(loop: Loop) -> None:
    with pytest.raises(ClioRequestError) as refused:
        loop.client.create_webhook("http://localhost/api/clio/webhooks/m1", "matter", "id")
    assert refused.value.status == 422
