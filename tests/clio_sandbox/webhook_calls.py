"""Calls the webhook tests make against the sandbox's /webhooks API."""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.clio_sandbox.conftest import Sandbox
from tests.clio_sandbox.spec_validation import validate_against

WEBHOOK_FIELDS = "id,etag,url,fields,shared_secret,model,status,events,expires_at,created_at,updated_at,user{id}"


def post_webhook(sandbox: Sandbox, **data: Any) -> httpx.Response:
    response = sandbox.client.post("/api/v4/webhooks.json", json={"data": data}, params={"fields": WEBHOOK_FIELDS})
    if response.status_code == 201:
        validate_against("Webhook_Show", response.json())
    return response


def create_webhook(sandbox: Sandbox, url: str, model: str | int = "matter", fields: str = "id,etag",
                   **data: Any) -> dict[str, Any]:
    response = post_webhook(sandbox, url=url, model=model, fields=fields, **data)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()["data"]
    return created


def patch_webhook(sandbox: Sandbox, webhook_id: int, **data: Any) -> httpx.Response:
    response = sandbox.client.patch(f"/api/v4/webhooks/{webhook_id}.json", json={"data": data},
                                    params={"fields": WEBHOOK_FIELDS})
    if response.status_code == 200:
        validate_against("Webhook_Show", response.json())
    return response


def webhook(sandbox: Sandbox, webhook_id: int) -> dict[str, Any]:
    response = sandbox.get(f"/api/v4/webhooks/{webhook_id}.json", params={"fields": WEBHOOK_FIELDS})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["data"]
    return found


def wait_for_status(sandbox: Sandbox, webhook_id: int, status: str, timeout: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while (current := webhook(sandbox, webhook_id))["status"] != status and time.monotonic() < deadline:
        sandbox.state.wait_for_webhooks(timeout=0.5)
    return current


def enabled_webhook(sandbox: Sandbox, url: str, model: str = "matter", fields: str = "id,etag",
                    **data: Any) -> dict[str, Any]:
    """A webhook whose handshake the (echoing) receiver confirmed."""
    created = create_webhook(sandbox, url, model, fields, **data)
    current = wait_for_status(sandbox, created["id"], "enabled")
    assert current["status"] == "enabled", sandbox.state.webhook_deliveries()
    return current


def sandbox_now(sandbox: Sandbox) -> datetime:
    return sandbox.state.clock.now_datetime()


def in_days(sandbox: Sandbox, days: float) -> str:
    return (sandbox_now(sandbox) + timedelta(days=days)).isoformat()
