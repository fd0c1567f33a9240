"""The subscription and event stores on Azurite: secrets encrypted at rest and never shown, events recorded once
per delivery, read back in order, marked applied."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import SecretStr

from shared.clio.models import Webhook
from shared.clio.webhooks import (EventStore, SecretStoreError, SubscriptionStore, WebhookDelivery, WebhookSettings,
                                  event_key)
from shared.settings import get_settings
from shared.storage import table
from tests.clio_webhooks.conftest import secret_key

SECRET = "9c1d7a58c0ffee11b0a7d2e3f4a5b6c7"
EXPIRES = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)


def _webhook(webhook_id: int = 41, secret: str | None = SECRET, **changes: Any) -> Webhook:
    fields: dict[str, Any] = {"id": webhook_id, "etag": '"a"', "url": "https://receiver/api/clio/webhooks/m1",
                              "model": "matter", "events": ["created", "updated", "deleted"],
                              "fields": "id,etag,description", "status": "pending", "expires_at": EXPIRES,
                              "shared_secret": secret, **changes}
    return Webhook.model_validate(fields)


def _delivery(record_id: int | str = 7, event: str = "updated", etag: str = '"e1"', webhook_id: int = 41,
              **data: Any) -> WebhookDelivery:
    return WebhookDelivery.model_validate({"data": {"id": record_id, "etag": etag, **data},
                                           "meta": {"event": event, "webhook_id": webhook_id}})


def test_subscriptions_round_trip_with_the_secret_sealed(subscriptions: SubscriptionStore,
                                                         webhook_settings: WebhookSettings) -> None:
    saved = subscriptions.save("m1", _webhook())
    assert saved.shared_secret.get_secret_value() == SECRET
    assert (saved.webhook_id, saved.model, saved.status, saved.expires_at) == (41, "matter", "pending", EXPIRES)
    assert saved.streams == ("matters",)
    raw = table(get_settings(), webhook_settings.subscriptions_table).get_entity("m1", "41")
    assert SECRET not in str(dict(raw)) and raw["sealed_secret"]
    assert subscriptions.get("m1", 41) == saved and subscriptions.get("m2", 41) is None


def test_a_renewal_answer_without_the_secret_keeps_it(subscriptions: SubscriptionStore) -> None:
    subscriptions.save("m1", _webhook())
    later = EXPIRES + timedelta(days=20)
    renewed = subscriptions.save("m1", _webhook(secret=None, expires_at=later, status="enabled"))
    assert renewed.expires_at == later and renewed.status == "enabled"
    assert renewed.shared_secret.get_secret_value() == SECRET
    with pytest.raises(ValueError, match="shared_secret"):
        subscriptions.save("m1", _webhook(webhook_id=42, secret=None))


def test_listing_matching_and_status(subscriptions: SubscriptionStore) -> None:
    subscriptions.save("m1", _webhook(43, "other-secret", model="contact"))
    subscriptions.save("m1", _webhook(41))
    subscriptions.save("m2", _webhook(50, "third-secret"))
    assert [s.webhook_id for s in subscriptions.list("m1")] == [41, 43]
    found = subscriptions.pending_with_secret("m1", "other-secret")
    assert found is not None and found.webhook_id == 43
    assert subscriptions.pending_with_secret("m1", "third-secret") is None  # another migration's
    subscriptions.set_status("m1", 43, "enabled")
    assert subscriptions.pending_with_secret("m1", "other-secret") is None  # only pending ones await a handshake
    subscriptions.delete("m1", 43)
    assert [s.webhook_id for s in subscriptions.list("m1")] == [41]


def test_another_key_cannot_read_the_secrets(subscriptions: SubscriptionStore,
                                             webhook_settings: WebhookSettings) -> None:
    subscriptions.save("m1", _webhook())
    stranger = SubscriptionStore(get_settings(), webhook_settings.subscriptions_table, secret_key())
    with pytest.raises(SecretStoreError) as raised:
        stranger.get("m1", 41)
    assert SECRET not in str(raised.value) and raised.value.__cause__ is None


def test_a_key_that_is_not_a_fernet_key_is_refused_without_showing_it(webhook_settings: WebhookSettings) -> None:
    with pytest.raises(ValueError) as raised:
        SubscriptionStore(get_settings(), webhook_settings.subscriptions_table, SecretStr("hunter2-not-a-key"))
    assert "hunter2" not in str(raised.value)


def test_events_are_recorded_once_per_delivery(subscriptions: SubscriptionStore, events: EventStore) -> None:
    subscription = subscriptions.save("m1", _webhook())
    assert events.append("m1", subscription, _delivery(7, "created", '"e0"', description="New"))
    assert events.append("m1", subscription, _delivery(7, "updated", '"e1"'))
    assert not events.append("m1", subscription, _delivery(7, "updated", '"e1"'))  # Clio redelivered it
    assert events.append("m1", subscription, _delivery(7, "updated", '"e2"'))  # a later change
    assert events.append("m1", subscription, _delivery(7, "deleted", '"e2"'))
    recorded = events.events("m1")
    assert [(e.event, e.etag) for e in recorded] == [("created", '"e0"'), ("updated", '"e1"'), ("updated", '"e2"'),
                                                    ("deleted", '"e2"')]
    first = recorded[0]
    assert (first.record_id, first.model, first.streams, first.webhook_id) == ("7", "matter", ("matters",), 41)
    assert first.data == {"id": 7, "etag": '"e0"', "description": "New"} and first.applied_at is None
    assert events.events("m2") == []


def test_applied_events_leave_the_pending_list(subscriptions: SubscriptionStore, events: EventStore) -> None:
    subscription = subscriptions.save("m1", _webhook())
    for number in range(3):
        events.append("m1", subscription, _delivery(number, "created", f'"{number}"'))
    first, *rest = events.events("m1", pending_only=True)
    events.mark_applied("m1", [first.key])
    assert [e.key for e in events.events("m1", pending_only=True)] == [e.key for e in rest]
    [applied] = [e for e in events.events("m1") if e.key == first.key]
    assert applied.applied_at is not None


def test_awkward_ids_and_large_payloads(subscriptions: SubscriptionStore, events: EventStore) -> None:
    subscription = subscriptions.save("m1", _webhook(model="calendar_entry"))
    assert events.append("m1", subscription, _delivery("a/b#c?d", "created", '"x"', description="d" * 40_000))
    [event] = events.events("m1")
    assert event.record_id == "a/b#c?d" and event.data is None  # too large to keep inline: fetch by id
    assert event_key(1, "matter", 7, "updated", '"a"') != event_key(1, "matter", 7, "updated", '"b"')
    assert event_key(1, "matter", 7, "updated", '"a"') == event_key(1, "matter", "7", "updated", '"a"')
