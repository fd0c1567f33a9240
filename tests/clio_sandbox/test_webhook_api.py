"""The /webhooks API (clio.md §9, OAS Webhooks): records, the rules Clio applies to them, the handshake and the
activate call."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sandboxes.clio import SandboxConfig
from sandboxes.clio.timestamps import parse_iso8601
from tests.clio_sandbox.conftest import Sandbox, webhook_config
from tests.clio_sandbox.webhook_calls import (create_webhook, in_days, patch_webhook, post_webhook, sandbox_now,
                                              wait_for_status, webhook)
from tests.clio_sandbox.webhook_receiver import WebhookReceiver


@pytest.fixture
def config(receiver: WebhookReceiver) -> SandboxConfig:
    return webhook_config(receiver)


def test_create_then_the_handshake_enables_it(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    created = create_webhook(sandbox, receiver.url(), "contact", "id,etag,name", events=["created", "deleted"])
    assert created["status"] == "pending" and len(created["shared_secret"]) >= 32
    assert created["user"] == {"id": 1} and created["model"] == "contact"
    assert created["events"] == ["created", "deleted"]
    expires = parse_iso8601(created["expires_at"]) - sandbox_now(sandbox)
    assert timedelta(days=3) - timedelta(minutes=1) < expires <= timedelta(days=3)  # the default lifetime

    enabled = wait_for_status(sandbox, created["id"], "enabled")
    assert enabled["status"] == "enabled" and enabled["etag"] != created["etag"]
    [handshake] = receiver.handshakes()
    assert handshake.headers["x-hook-secret"] == created["shared_secret"]
    assert handshake.payload == {"data": {"id": created["id"]}}
    assert [(a.kind, a.outcome) for a in sandbox.state.webhook_deliveries()] == [("handshake", "confirmed")]


def test_without_the_echo_it_stays_pending_until_activated(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    receiver.echo_handshake = False
    created = create_webhook(sandbox, receiver.url())
    assert sandbox.state.wait_for_webhooks()
    assert webhook(sandbox, created["id"])["status"] == "pending"
    activate = f"/api/v4/webhooks/{created['id']}/activate"
    assert sandbox.client.put(activate).status_code == 422
    assert sandbox.client.put(activate, headers={"X-Hook-Secret": "not-the-secret"}).status_code == 422
    assert webhook(sandbox, created["id"])["status"] == "pending"
    activated = sandbox.client.put(activate, headers={"X-Hook-Secret": created["shared_secret"]},
                                   params={"fields": "id,status"})
    assert activated.status_code == 200 and activated.json()["data"] == {"id": created["id"], "status": "enabled"}
    assert sandbox.client.put(activate + ".json", headers={"X-Hook-Secret": created["shared_secret"]}
                              ).status_code == 200  # confirming again changes nothing


@pytest.mark.parametrize("url", ["http://localhost/hooks", "ftp://localhost/hooks", "https://", "localhost/hooks"])
def test_only_https_urls_are_accepted(sandbox: Sandbox, url: str) -> None:
    response = post_webhook(sandbox, url=url, model="matter", fields="id")
    assert response.status_code == 422 and response.json()["error"]["type"] == "ValidationError"
    assert sandbox.state.webhooks.registry.all() == []


def test_expiry_is_at_most_31_days_and_in_the_future(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    for days in (31.01, 40, -1):
        response = post_webhook(sandbox, url=receiver.url(), model="matter", fields="id", expires_at=in_days(
            sandbox, days))
        assert response.status_code == 422, (days, response.text)
    assert post_webhook(sandbox, url=receiver.url(), model="matter", fields="id",
                        expires_at="next tuesday").status_code == 422
    created = create_webhook(sandbox, receiver.url(), expires_at=in_days(sandbox, 30.99))
    assert parse_iso8601(created["expires_at"]) - sandbox_now(sandbox) > timedelta(days=30)


def test_patching_expires_at_renews_within_the_maximum(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    created = create_webhook(sandbox, receiver.url(), expires_at=in_days(sandbox, 1))
    sandbox.state.clock.advance(20 * 86_400)  # the first 20 days of a long cut-over
    assert patch_webhook(sandbox, created["id"], expires_at=in_days(sandbox, 32)).status_code == 422
    renewed = patch_webhook(sandbox, created["id"], expires_at=in_days(sandbox, 31))
    assert renewed.status_code == 200, renewed.text
    assert parse_iso8601(renewed.json()["data"]["expires_at"]) > parse_iso8601(created["expires_at"])
    assert renewed.json()["data"]["shared_secret"] == created["shared_secret"]


@pytest.mark.parametrize(("model", "expected"), [("activity", "activity"), (2, "activity"), (4, "calendar_entry"),
                                                 ("clio_payments_payment", "clio_payments_payment")])
def test_models_by_name_or_number(sandbox: Sandbox, receiver: WebhookReceiver, model: str | int,
                                  expected: str) -> None:
    created = create_webhook(sandbox, receiver.url(), model)
    assert created["model"] == expected
    default_events = ["created", "updated"] if expected == "clio_payments_payment" else [
        "created", "updated", "deleted"]
    assert created["events"] == default_events


@pytest.mark.parametrize("data", [
    {"model": "user"},
    {"model": 11},
    {"model": "2"},
    {"model": "contact", "events": ["matter_opened"]},
    {"model": "clio_payments_payment", "events": ["deleted"]},
    {"model": "matter", "events": ["archived"]},
    {"model": "matter", "fields": "id," + "description," * 200},
    {"model": "matter", "fields": "id,no_such_field"},
    {"model": "matter", "fields": "id,client{client{id}}"},
    {"model": "matter", "fields": None},
    {"model": "matter", "colour": "blue"},
])
def test_bodies_clio_rejects_are_422(sandbox: Sandbox, receiver: WebhookReceiver, data: dict[str, Any]) -> None:
    body = {"url": receiver.url(), "fields": "id,etag", **data}
    response = post_webhook(sandbox, **{key: value for key, value in body.items() if value is not None})
    assert response.status_code == 422, response.text
    assert sandbox.state.webhooks.registry.all() == []


def test_fields_of_exactly_1000_characters_are_accepted(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    fields = "id,etag" + ",id" * 331
    assert len(fields) == 1000
    assert post_webhook(sandbox, url=receiver.url(), model="matter", fields=fields).status_code == 201


def test_matter_webhooks_take_the_status_events(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    created = create_webhook(sandbox, receiver.url(), "matter", events=["matter_closed", "deleted"])
    assert created["events"] == ["matter_closed", "deleted"]


def test_index_pages_filters_and_orders(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    ids = [create_webhook(sandbox, receiver.url(f"/hooks/{n}"))["id"] for n in range(3)]
    sandbox.state.wait_for_webhooks()  # the handshakes run in the background and change the status
    first = sandbox.get("/api/v4/webhooks.json", params={"limit": 2, "fields": "id,url,model,status"})
    assert [hook["id"] for hook in first.json()["data"]] == ids[:2]
    assert first.json()["data"][0] == {"id": ids[0], "url": receiver.url("/hooks/0"), "model": "matter",
                                       "status": webhook(sandbox, ids[0])["status"]}
    rest = sandbox.client.get(first.json()["meta"]["paging"]["next"])
    assert [hook["id"] for hook in rest.json()["data"]] == ids[2:]
    descending = sandbox.get("/api/v4/webhooks.json", params={"order": "id(desc)"})
    assert [hook["id"] for hook in descending.json()["data"]] == ids[::-1]
    chosen = sandbox.get("/api/v4/webhooks.json", params={"ids[]": [ids[1]]})
    assert [hook["id"] for hook in chosen.json()["data"]] == [ids[1]]
    assert sandbox.get("/api/v4/webhooks.json", params={"fields": "id,colour"}).status_code == 400


def test_show_is_conditional_and_patch_honours_if_match(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    created = create_webhook(sandbox, receiver.url())
    sandbox.state.wait_for_webhooks()
    shown = sandbox.get(f"/api/v4/webhooks/{created['id']}.json")
    assert sandbox.get(f"/api/v4/webhooks/{created['id']}.json",
                       headers={"If-None-Match": shown.headers["ETag"]}).status_code == 304
    stale = sandbox.client.patch(f"/api/v4/webhooks/{created['id']}.json", json={"data": {"events": ["created"]}},
                                 headers={"If-Match": created["etag"]})
    assert stale.status_code == 412


def test_a_new_url_means_a_new_secret_and_handshake(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    created = create_webhook(sandbox, receiver.url("/old"))
    wait_for_status(sandbox, created["id"], "enabled")
    moved = patch_webhook(sandbox, created["id"], url=receiver.url("/new")).json()["data"]
    assert moved["status"] == "pending" and moved["shared_secret"] != created["shared_secret"]
    assert wait_for_status(sandbox, created["id"], "enabled")["status"] == "enabled"
    assert [(h.path, h.headers["x-hook-secret"]) for h in receiver.handshakes()] == [
        ("/old", created["shared_secret"]), ("/new", moved["shared_secret"])]
    assert patch_webhook(sandbox, created["id"], url="http://localhost/plain").status_code == 422


def test_delete(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    created = create_webhook(sandbox, receiver.url())
    response = sandbox.client.delete(f"/api/v4/webhooks/{created['id']}.json")
    assert response.status_code == 204 and response.content == b""
    assert sandbox.get(f"/api/v4/webhooks/{created['id']}.json").status_code == 404
    assert sandbox.client.delete(f"/api/v4/webhooks/{created['id']}.json").status_code == 404
