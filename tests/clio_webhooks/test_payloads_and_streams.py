"""Deliveries as Clio documents them, their signatures, and which extraction streams each webhook model feeds."""
from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from sandboxes.clio.reference import reference_dir
from shared.clio.models import Webhook, resource_catalogue
from shared.clio.webhooks import (RESOURCE_OF_MODEL, Subscription, WebhookDelivery, polled_streams,
                                  streams_of_model, verify_signature)

SECRET = "4f1c0ffee5ecret"


def _documented(name: str) -> dict[str, Any]:
    examples = json.loads((reference_dir() / "documented-examples.json").read_text())
    body: dict[str, Any] = examples[name]["body"]
    return body


def _sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("example", ["webhook_delivery_created", "webhook_delivery_updated",
                                     "webhook_delivery_deleted"])
def test_documented_deliveries_parse(example: str) -> None:
    body = _documented(example)
    delivery = WebhookDelivery.model_validate_json(json.dumps(body))
    assert (delivery.data.id, delivery.meta.webhook_id) == (152, 1234)
    assert delivery.meta.event == example.rsplit("_", 1)[1]
    assert delivery.data.etag == body["data"]["etag"]


def test_requested_fields_are_kept_and_unknown_events_refused() -> None:
    delivery = WebhookDelivery.model_validate({"data": {"id": 7, "etag": '"e"', "description": "Merger"},
                                               "meta": {"event": "matter_closed", "webhook_id": 3}})
    assert delivery.data.model_dump() == {"id": 7, "etag": '"e"', "description": "Merger"}
    with pytest.raises(ValidationError):
        WebhookDelivery.model_validate({"data": {"id": 7, "etag": '"e"'}, "meta": {"event": "archived",
                                                                                   "webhook_id": 3}})


def test_signature_is_hex_hmac_sha256_of_the_raw_body() -> None:
    raw = json.dumps(_documented("webhook_delivery_created")).encode()
    good = _sign(SECRET, raw)
    assert verify_signature(SECRET, raw, good)
    assert verify_signature(SecretStr(SECRET), raw, good.upper())
    assert not verify_signature("another secret", raw, good)
    assert not verify_signature(SECRET, raw + b" ", good)  # re-serialised or tampered bodies fail
    assert not verify_signature(SECRET, raw, good[:-1])
    assert not verify_signature(SECRET, raw, None)
    assert not verify_signature(SECRET, raw, "")


def test_each_model_feeds_the_streams_of_its_resource() -> None:
    assert streams_of_model("matter") == ("matters",)
    assert streams_of_model("activity") == ("activities",)
    assert streams_of_model("calendar_entry") == ("calendar_entries",)
    assert streams_of_model("clio_payments_payment") == ()  # not extracted
    streams = {spec.key for spec in resource_catalogue().resources}
    assert {stream for model in RESOURCE_OF_MODEL for stream in streams_of_model(model)} <= streams


def test_streams_no_webhook_covers_are_polled() -> None:
    polled = set(polled_streams())
    assert {"users", "notes_matter", "notes_contact", "custom_fields", "relationships", "line_items",
            "bank_transactions"} <= polled
    assert not {"matters", "contacts", "activities", "tasks", "documents"} & polled


def test_secrets_stay_out_of_reprs_and_dumps() -> None:
    hook = Webhook.model_validate({"id": 1, "url": "https://x/y", "model": "matter", "events": ["created"],
                                   "fields": "id", "status": "pending", "expires_at": "2026-01-01T00:00:00+00:00",
                                   "shared_secret": SECRET})
    subscription = Subscription(migration_id="m1", webhook_id=1, model="matter", url="https://x/y",
                                events=["created"], fields="id", status="pending", expires_at=hook.expires_at,
                                shared_secret=SecretStr(SECRET))
    for shown in (repr(hook), str(hook), hook.model_dump_json(), repr(subscription), subscription.model_dump_json()):
        assert SECRET not in shown
