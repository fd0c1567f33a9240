"""What the sandbox sends when watched records change (clio.md §9, OAS Webhooks): signed payloads, `updated` only
for watched fields, deletes, matter status events, retries, 410, suspension, lost deliveries, expiry and TLS."""
from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandboxes.clio import SandboxConfig
from tests.clio_sandbox.conftest import Sandbox, webhook_config
from tests.clio_sandbox.webhook_calls import enabled_webhook, in_days, patch_webhook, webhook
from tests.clio_sandbox.webhook_receiver import Received, WebhookReceiver, running_receiver


@pytest.fixture
def config(receiver: WebhookReceiver) -> SandboxConfig:
    return webhook_config(receiver)


def _independent_signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _api(sandbox: Sandbox, method: str, path: str, data: dict[str, Any] | None = None) -> httpx.Response:
    response = sandbox.client.request(method, path, json={"data": data} if data is not None else None)
    assert response.status_code < 300, response.text
    return response


def _settled(sandbox: Sandbox, receiver: WebhookReceiver) -> list[Received]:
    assert sandbox.state.wait_for_webhooks()
    return receiver.deliveries()


def _events(received: list[Received]) -> list[tuple[str, Any]]:
    return [(item.payload["meta"]["event"], item.payload["data"]["id"]) for item in received]


def test_signed_created_updated_deleted(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    hook = enabled_webhook(sandbox, receiver.url(), "contact", "id,etag,name,title")
    created = _api(sandbox, "POST", "/api/v4/contacts.json", {"type": "Company", "name": "Initech"}).json()["data"]
    _api(sandbox, "PATCH", f"/api/v4/contacts/{created['id']}.json", {"title": "Ltd"})
    _api(sandbox, "DELETE", f"/api/v4/contacts/{created['id']}.json")
    received = receiver.wait_for(3)
    assert _events(received) == [("created", created["id"]), ("updated", created["id"]),
                                 ("deleted", created["id"])]
    for item in received:
        assert item.headers["x-hook-signature"] == _independent_signature(hook["shared_secret"], item.body)
        assert item.headers["content-type"] == "application/json"
        assert item.payload["meta"]["webhook_id"] == hook["id"]
        assert "x-hook-secret" not in item.headers
    first, second, third = (item.payload["data"] for item in received)
    assert first == {"id": created["id"], "etag": created["etag"], "name": "Initech"}
    assert second["title"] == "Ltd" and second["etag"] != first["etag"]
    assert third == second  # a deleted record as it last was


def test_updated_fires_only_for_watched_fields_after_the_first(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    enabled_webhook(sandbox, receiver.url(), "matter", "id,etag,description", events=["updated"])
    _api(sandbox, "PATCH", "/api/v4/matters/3.json", {"location": "Boston"})  # first: fires regardless
    _api(sandbox, "PATCH", "/api/v4/matters/3.json", {"location": "Denver"})  # unwatched: silent
    _api(sandbox, "PATCH", "/api/v4/matters/3.json", {"description": "Merger"})  # watched: fires
    sandbox.state.update_record("matters", 4, {"location": "Austin"})  # a user's edit in Clio counts too
    received = _settled(sandbox, receiver)
    assert _events(received) == [("updated", 3), ("updated", 3), ("updated", 4)]
    assert received[1].payload["data"]["description"] == "Merger"


def test_only_subscribed_events_of_the_webhooks_model(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    enabled_webhook(sandbox, receiver.url(), "task", events=["deleted"])
    created = _api(sandbox, "POST", "/api/v4/tasks.json", {"name": "n", "description": "d",
                                                           "assignee": {"id": 1, "type": "User"}}).json()["data"]
    _api(sandbox, "PATCH", "/api/v4/matters/1.json", {"description": "other model"})
    _api(sandbox, "DELETE", f"/api/v4/tasks/{created['id']}.json")
    assert _events(_settled(sandbox, receiver)) == [("deleted", created["id"])]


def test_matter_status_events(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    enabled_webhook(sandbox, receiver.url(), "matter", events=["matter_closed", "matter_opened"])
    open_matter = next(m for m in sandbox.state.store.all("matters") if m["status"] == "Open")
    _api(sandbox, "PATCH", f"/api/v4/matters/{open_matter['id']}.json", {"status": "closed"})
    _api(sandbox, "PATCH", f"/api/v4/matters/{open_matter['id']}.json", {"description": "still closed"})
    _api(sandbox, "PATCH", f"/api/v4/matters/{open_matter['id']}.json", {"status": "open"})
    assert _events(_settled(sandbox, receiver)) == [("matter_closed", open_matter["id"]),
                                                    ("matter_opened", open_matter["id"])]


def test_pending_webhooks_get_nothing(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    receiver.echo_handshake = False
    response = sandbox.client.post("/api/v4/webhooks.json", json={"data": {"url": receiver.url(), "model": "matter",
                                                                           "fields": "id"}})
    assert response.status_code == 201 and sandbox.state.wait_for_webhooks()
    _api(sandbox, "PATCH", "/api/v4/matters/1.json", {"description": "unseen"})
    assert _settled(sandbox, receiver) == []


def test_failures_are_retried_with_backoff_until_delivered(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    hook = enabled_webhook(sandbox, receiver.url(), "matter", events=["updated"])
    receiver.statuses[:] = [500, 503]
    _api(sandbox, "PATCH", "/api/v4/matters/2.json", {"description": "retried"})
    received = _settled(sandbox, receiver)
    assert len(received) == 3 and len({item.body for item in received}) == 1
    log = [(a.attempt, a.outcome, a.status) for a in sandbox.state.webhook_deliveries() if a.kind == "event"]
    assert log == [(1, "retrying", 500), (2, "retrying", 503), (3, "delivered", 200)]
    assert webhook(sandbox, hook["id"])["status"] == "enabled"


def test_redirects_count_as_delivered(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    enabled_webhook(sandbox, receiver.url(), "matter", events=["updated"])
    receiver.statuses[:] = [302]
    _api(sandbox, "PATCH", "/api/v4/matters/2.json", {"description": "moved"})
    assert len(_settled(sandbox, receiver)) == 1
    assert [a.outcome for a in sandbox.state.webhook_deliveries() if a.kind == "event"] == ["delivered"]


def test_410_suspends_the_webhook(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    hook = enabled_webhook(sandbox, receiver.url(), "matter", events=["updated"])
    receiver.statuses[:] = [410]
    _api(sandbox, "PATCH", "/api/v4/matters/2.json", {"description": "gone"})
    assert len(_settled(sandbox, receiver)) == 1
    assert webhook(sandbox, hook["id"])["status"] == "suspended"
    _api(sandbox, "PATCH", "/api/v4/matters/2.json", {"description": "after suspension"})
    assert len(_settled(sandbox, receiver)) == 1


def test_a_delivery_failing_past_its_retries_suspends_the_webhook(sandbox: Sandbox,
                                                                 receiver: WebhookReceiver) -> None:
    hook = enabled_webhook(sandbox, receiver.url(), "matter", events=["updated"])
    receiver.statuses[:] = [500, 500, 500, 500]
    _api(sandbox, "PATCH", "/api/v4/matters/2.json", {"description": "never arrives"})
    assert len(_settled(sandbox, receiver)) == 3  # max_retries=2 in webhook_config
    assert webhook(sandbox, hook["id"])["status"] == "suspended"
    assert [a.outcome for a in sandbox.state.webhook_deliveries() if a.kind == "event"][-1] == "failed"


def test_a_dropped_delivery_is_missed_silently(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    enabled_webhook(sandbox, receiver.url(), "matter", events=["updated"])
    sandbox.state.drop_webhook_deliveries(times=1)
    _api(sandbox, "PATCH", "/api/v4/matters/5.json", {"description": "lost"})
    _api(sandbox, "PATCH", "/api/v4/matters/6.json", {"description": "arrives"})
    assert _events(_settled(sandbox, receiver)) == [("updated", 6)]
    outcomes = [(a.record_id, a.outcome) for a in sandbox.state.webhook_deliveries() if a.kind == "event"]
    assert outcomes == [(5, "dropped"), (6, "delivered")]


def test_an_expired_webhook_is_silent_until_renewed(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    hook = enabled_webhook(sandbox, receiver.url(), "matter", events=["updated"], expires_at=in_days(sandbox, 1))
    sandbox.state.clock.advance(2 * 86_400)
    _api(sandbox, "PATCH", "/api/v4/matters/7.json", {"description": "while expired"})
    assert _settled(sandbox, receiver) == []
    assert patch_webhook(sandbox, hook["id"], expires_at=in_days(sandbox, 10)).status_code == 200
    _api(sandbox, "PATCH", "/api/v4/matters/7.json", {"description": "renewed"})
    assert _events(_settled(sandbox, receiver)) == [("updated", 7)]


def test_receivers_certificates_are_verified(sandbox: Sandbox, tmp_path: Path) -> None:
    with running_receiver(tmp_path) as stranger:  # its CA is not the sandbox's ca_bundle
        response = sandbox.client.post("/api/v4/webhooks.json", params={"fields": "id,shared_secret"}, json={
            "data": {"url": stranger.url(), "model": "matter", "fields": "id"}})
        hook = response.json()["data"]
        assert sandbox.state.wait_for_webhooks()
        assert stranger.received == [] and webhook(sandbox, hook["id"])["status"] == "pending"
        [handshake] = sandbox.state.webhook_deliveries()
        assert handshake.outcome == "unconfirmed" and "CERTIFICATE_VERIFY_FAILED" in (handshake.error or "")
