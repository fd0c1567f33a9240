"""Keeping a migration's webhooks (shared/clio/subscriptions.py) against the Clio sandbox and the HTTPS receiver:
one per watched model, enabled, idempotent, adopting what a crashed run made, renewing, recreating the expired,
and removing them all."""
from __future__ import annotations

from datetime import timedelta

from shared.clio.subscriptions import Subscriptions, models_for, receiver_url
from shared.clio.webhooks import SubscriptionStore
from tests.clio_webhooks.conftest import Loop

STREAMS = ["contacts", "matters", "activities", "notes_matter"]


def _subscriptions(loop: Loop, store: SubscriptionStore) -> Subscriptions:
    return Subscriptions(loop.client, store, f"{loop.receiver_base_url}/api")


def _in_clio(loop: Loop) -> dict[str, str]:
    return {hook.model: hook.status for hook in loop.client.list_webhooks()}


def test_models_follow_the_streams() -> None:
    assert models_for(STREAMS) == ["matter", "activity", "contact"]  # notes have no webhooks (clio.md §9)
    assert receiver_url("https://app.example/api/", "m1") == "https://app.example/api/clio/webhooks/m1"


def test_ensure_makes_enables_and_is_idempotent(loop: Loop, subscriptions: SubscriptionStore) -> None:
    now = loop.state.clock.now_datetime().replace(microsecond=0)
    keeper = _subscriptions(loop, subscriptions)
    first = keeper.ensure("m1", STREAMS, now + timedelta(hours=48), now)
    assert sorted(first.created) == ["activity", "contact", "matter"]
    assert loop.state.wait_for_webhooks()
    assert _in_clio(loop) == {"matter": "enabled", "activity": "enabled", "contact": "enabled"}
    assert all(sub.expires_at == now + timedelta(hours=72) for sub in subscriptions.list("m1"))
    assert all(hook.url == loop.webhook_url("m1") for hook in loop.client.list_webhooks())

    again = keeper.ensure("m1", STREAMS, now + timedelta(hours=48), now)
    assert again.created == [] and sorted(again.kept) == ["activity", "contact", "matter"]
    assert len(loop.client.list_webhooks()) == 3


def test_a_webhook_made_but_not_recorded_is_adopted(loop: Loop, subscriptions: SubscriptionStore) -> None:
    now = loop.state.clock.now_datetime().replace(microsecond=0)
    made = loop.client.create_webhook(loop.webhook_url("m1"), "matter", "id,etag,updated_at")  # then the run died
    done = _subscriptions(loop, subscriptions).ensure("m1", ["matters"], now + timedelta(hours=48), now)
    assert done.adopted == ["matter"] and done.activated == ["matter"] and done.created == []
    assert [sub.webhook_id for sub in subscriptions.list("m1")] == [made.id]
    assert _in_clio(loop) == {"matter": "enabled"}


def test_a_longer_window_renews_and_an_expired_webhook_is_made_anew(loop: Loop,
                                                                    subscriptions: SubscriptionStore) -> None:
    now = loop.state.clock.now_datetime().replace(microsecond=0)
    keeper = _subscriptions(loop, subscriptions)
    keeper.ensure("m1", ["matters"], now + timedelta(hours=24), now)
    [before] = subscriptions.list("m1")
    renewed = keeper.ensure("m1", ["matters"], now + timedelta(days=10), now)
    assert renewed.renewed == ["matter"]
    [after] = subscriptions.list("m1")
    assert after.webhook_id == before.webhook_id and after.expires_at == now + timedelta(days=11)

    later = now + timedelta(days=12)  # past its expiry
    remade = keeper.ensure("m1", ["matters"], later + timedelta(days=1), later)
    assert remade.created == ["matter"]
    [fresh] = subscriptions.list("m1")
    assert fresh.webhook_id != before.webhook_id
    assert [hook.id for hook in loop.client.list_webhooks()] == [fresh.webhook_id]


def test_remove_deletes_them_in_clio_and_here(loop: Loop, subscriptions: SubscriptionStore) -> None:
    now = loop.state.clock.now_datetime().replace(microsecond=0)
    keeper = _subscriptions(loop, subscriptions)
    keeper.ensure("m1", STREAMS, now + timedelta(hours=48), now)
    assert sorted(keeper.remove("m1")) == ["activity", "contact", "matter"]
    assert loop.client.list_webhooks() == [] and subscriptions.list("m1") == []
    assert keeper.remove("m1") == []
