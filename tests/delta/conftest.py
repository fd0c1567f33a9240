"""Delta pickup's stack: a migration's whole local stack (tests/migration/conftest.py) under the Function App with
delta pickup registered (tests/delta/app.py), the webhooks the migration makes in Clio delivered over HTTPS to the
receiver, a firm user who changes things in Clio through its API, and a migration run to cutover."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from localrun.clio_sandbox import CLIENT_ID
from localrun.demo import migrate
from localrun.host import LocalHost
from localrun.stack import LocalStack
from sandboxes.clio import WebhookDeliveryConfig
from sandboxes.tls import start_https_server
from shared.clio.webhooks import WebhookSettings
from shared.portal import clio_webhooks
from tests.clio_client.conftest import tiny_firm  # noqa: F401  (fixture)
from tests.clio_webhooks.conftest import webhook_settings  # noqa: F401  (fixture)
from tests.clio_webhooks.function_server import FunctionServer
from tests.migration.conftest import stack  # noqa: F401  (fixture)

MIGRATION = "m1"


@contextmanager
def hosting() -> Iterator[LocalHost]:
    """A local host over tests/delta/app.py, its timer reading the host's clock."""
    from tests.delta import app
    with LocalHost(app.app, os.environ["AzureWebJobsStorage"]) as host:
        app.clock = host.engine.clock.now
        try:
            yield host
        finally:
            app.clock = lambda: datetime.now(timezone.utc)


@pytest.fixture
def delta_host(stack: LocalStack) -> Iterator[LocalHost]:  # noqa: F811
    with hosting() as host:
        yield host


@pytest.fixture
def receiver(stack: LocalStack, webhook_settings: WebhookSettings, tmp_path: Path,  # noqa: F811
             monkeypatch: pytest.MonkeyPatch) -> Iterator[FunctionServer]:
    """The webhook receiver over HTTPS, where the migration points the webhooks it makes (CLIO_WEBHOOK_BASE_URL)."""
    server = FunctionServer(clio_webhooks.receive_clio_webhook, "clio/webhooks/{migration_id}")
    base_url, ca_pem, stop = start_https_server(server.app, "webhook receiver", tls_dir=tmp_path)
    monkeypatch.setenv("CLIO_WEBHOOK_BASE_URL", f"{base_url}/api")
    # localrun's running_clio takes no webhook delivery settings yet: tell the sandbox's sender what to trust
    stack.clio.state.webhooks.dispatcher.config = WebhookDeliveryConfig(
        ca_bundle=ca_pem, timeout_seconds=5, retry_base_seconds=0.01, max_retries=2)
    try:
        yield server
    finally:
        stack.clio.state.wait_for_webhooks(timeout=5)
        stop()


@pytest.fixture
def clio_user(stack: LocalStack) -> Iterator[httpx.Client]:  # noqa: F811
    """A firm user's own API access, for changing things in Clio."""
    base = stack.clio.base_url
    issued = httpx.post(f"{base}/oauth/token", data={
        "grant_type": "refresh_token", "refresh_token": stack.clio.state.mint_refresh_token(CLIENT_ID),
        "client_id": CLIENT_ID, "client_secret": stack.clio.client_secret})
    with httpx.Client(base_url=f"{base}/api/v4", timeout=10,
                      headers={"Authorization": f"Bearer {issued.json()['access_token']}"}) as user:
        yield user


def change(user: httpx.Client, method: str, path: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = user.request(method, path, json={"data": data} if data is not None else None,
                          params={"fields": "id,etag,updated_at"})
    assert answer.status_code < 300, answer.text
    found: dict[str, Any] = answer.json()["data"] if answer.content else {}
    return found


def migrate_to_cutover(host: LocalHost, stack: LocalStack, firm: dict[str, Any],  # noqa: F811
                       migration_id: str = MIGRATION) -> dict[str, Any]:
    body = {"migration_id": migration_id, "case_practice_areas": [firm["practice_areas"][0]["id"]],
            "sample_size": 50, "fallback_owner_email": stack.dynamics_users[0]}
    final = migrate(host, body, timeout=900)
    assert final["runtimeStatus"] == "Completed" and final["output"]["phase"] == "cutover", str(final)[-3000:]
    output: dict[str, Any] = final["output"]
    return output
