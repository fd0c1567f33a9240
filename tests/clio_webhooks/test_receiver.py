"""The receiver function, called as the Functions host calls it: handshakes, signed deliveries, refusals."""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timezone
from typing import Any

import azure.functions as func

from shared.clio.models import Webhook
from shared.clio.webhooks import EventStore, SubscriptionStore
from shared.portal import clio_webhooks

SECRET = "5e1f00d5ec7e7c0de5e1f00d5ec7e7c0"


def _subscribe(subscriptions: SubscriptionStore, migration_id: str = "m1", webhook_id: int = 41,
               secret: str = SECRET, status: str = "pending") -> None:
    subscriptions.save(migration_id, Webhook.model_validate({
        "id": webhook_id, "url": f"https://receiver/api/clio/webhooks/{migration_id}", "model": "contact",
        "events": ["created", "updated", "deleted"], "fields": "id,etag,name", "status": status,
        "expires_at": datetime(2026, 5, 1, tzinfo=timezone.utc), "shared_secret": secret}))


def _call(body: bytes, headers: dict[str, str], migration_id: str = "m1") -> func.HttpResponse:
    request = func.HttpRequest("POST", f"https://receiver/api/clio/webhooks/{migration_id}", headers=headers,
                               route_params={"migration_id": migration_id}, body=body)
    return clio_webhooks.receive_clio_webhook(request)


def _body(record_id: int = 7, event: str = "created", webhook_id: int = 41, **data: Any) -> bytes:
    return json.dumps({"data": {"id": record_id, "etag": f'"{event}-{record_id}"', **data},
                       "meta": {"event": event, "webhook_id": webhook_id}}).encode()


def _signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {"X-Hook-Signature": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def _error(answer: func.HttpResponse) -> str:
    message: str = json.loads(answer.get_body())["error"]
    return message


def test_a_handshake_for_a_pending_subscription_is_echoed(subscriptions: SubscriptionStore) -> None:
    _subscribe(subscriptions)
    answer = _call(json.dumps({"data": {"id": 41}}).encode(), {"X-Hook-Secret": SECRET})
    assert answer.status_code == 200 and answer.headers["X-Hook-Secret"] == SECRET
    assert subscriptions.get("m1", 41).status == "enabled"  # type: ignore[union-attr]


def test_a_handshake_nothing_awaits_is_404(subscriptions: SubscriptionStore) -> None:
    _subscribe(subscriptions)
    answer = _call(b"{}", {"X-Hook-Secret": "a-secret-we-never-saw"})
    assert answer.status_code == 404 and "X-Hook-Secret" not in answer.headers
    assert _call(b"{}", {"X-Hook-Secret": SECRET}, migration_id="m2").status_code == 404
    assert subscriptions.get("m1", 41).status == "pending"  # type: ignore[union-attr]


def test_a_signed_delivery_is_recorded_once(subscriptions: SubscriptionStore, events: EventStore) -> None:
    _subscribe(subscriptions, status="enabled")
    body = _body(name="Initech")
    first = _call(body, _signed(body))
    assert first.status_code == 200 and json.loads(first.get_body()) == {"recorded": True}
    again = _call(body, _signed(body))
    assert again.status_code == 200 and json.loads(again.get_body()) == {"recorded": False}
    [event] = events.events("m1")
    assert (event.model, event.record_id, event.event, event.data) == (
        "contact", "7", "created", {"id": 7, "etag": '"created-7"', "name": "Initech"})


def test_forged_or_unsigned_deliveries_are_401_and_not_recorded(subscriptions: SubscriptionStore,
                                                                events: EventStore) -> None:
    _subscribe(subscriptions, status="enabled")
    body = _body(event="deleted")
    refusals = {
        "forged": _call(body, _signed(body, "a guess")),
        "tampered": _call(_body(record_id=8, event="deleted"), _signed(body)),
        "unsigned": _call(body, {}),
        "another migration's": _call(body, _signed(body), migration_id="m2"),
        "unknown webhook": _call(_body(webhook_id=99), _signed(_body(webhook_id=99))),
        "not JSON": _call(b"\x00garbage", _signed(b"\x00garbage")),
    }
    for why, answer in refusals.items():
        assert answer.status_code == 401, why
        assert _error(answer), why
    assert "X-Hook-Signature" in _error(refusals["forged"])
    assert events.events("m1") == [] and events.events("m2") == []


def test_a_signed_body_that_is_not_a_delivery_is_400(subscriptions: SubscriptionStore, events: EventStore) -> None:
    _subscribe(subscriptions, status="enabled")
    body = json.dumps({"data": {"id": 7}, "meta": {"event": "created", "webhook_id": 41}}).encode()
    answer = _call(body, _signed(body))
    assert answer.status_code == 400 and "data.etag" in _error(answer)
    assert events.events("m1") == []


def test_not_a_migration_id_is_404(webhook_settings: object) -> None:
    assert _call(b"{}", {}, migration_id="../etc").status_code == 404


def test_the_function_is_anonymous_post_on_its_route() -> None:
    app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
    app.register_functions(clio_webhooks.bp)
    [function] = app.get_functions()
    [trigger] = [json.loads(raw) for raw in function.get_raw_bindings() if '"httpTrigger"' in raw]
    assert function.get_function_name() == "receive_clio_webhook"
    assert (trigger["route"], trigger["methods"], trigger["authLevel"]) == (
        "clio/webhooks/{migration_id}", ["POST"], "ANONYMOUS")
