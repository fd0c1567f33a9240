"""Our webhook stores on Azurite, and for the full loop: a Clio sandbox whose webhooks go over HTTPS to the
receiver blueprint, with the Clio client pointed at the sandbox."""
from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from sandboxes.clio import (OAuthClient, SandboxConfig, SandboxState, WebhookDeliveryConfig, create_app,
                            sandbox_state, serve_in_thread)
from sandboxes.tls import start_https_server
from shared.blobs import reset_clients
from shared.clio.client import ClioClient
from shared.clio.webhooks import EventStore, SubscriptionStore, WebhookSettings
from shared.portal import clio_webhooks
from shared.settings import get_settings
from tests.clio_sandbox.firm import build_firm
from tests.clio_webhooks.function_server import FunctionServer

CLIENT = OAuthClient(client_id="webhook-tests", client_secret="webhook-tests-secret",
                     redirect_uri="https://localhost/callback")


@pytest.fixture
def webhook_settings(storage_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebhookSettings]:
    monkeypatch.setenv("CLIO_WEBHOOK_SUBSCRIPTIONS_TABLE", f"hooks{storage_env}")
    monkeypatch.setenv("CLIO_WEBHOOK_EVENTS_TABLE", f"events{storage_env}")
    monkeypatch.setenv("CLIO_WEBHOOK_SECRET_KEY", Fernet.generate_key().decode())
    clio_webhooks.reset_webhook_stores()
    yield WebhookSettings()
    clio_webhooks.reset_webhook_stores()


@pytest.fixture
def subscriptions(webhook_settings: WebhookSettings) -> SubscriptionStore:
    assert webhook_settings.secret_key is not None
    return SubscriptionStore(get_settings(), webhook_settings.subscriptions_table, webhook_settings.secret_key)


@pytest.fixture
def events(webhook_settings: WebhookSettings) -> EventStore:
    return EventStore(get_settings(), webhook_settings.events_table)


@dataclass
class Loop:
    """Clio (the sandbox), our receiver over HTTPS, and our Clio client."""
    state: SandboxState
    clio_base_url: str
    receiver: FunctionServer
    receiver_base_url: str
    receiver_context: ssl.SSLContext  # trusts the receiver's certificate
    client: ClioClient
    user: httpx.Client  # a firm user's own API access, for making changes in Clio

    def webhook_url(self, migration_id: str) -> str:
        return f"{self.receiver_base_url}/api/clio/webhooks/{migration_id}"


def _user_client(base_url: str, state: SandboxState) -> httpx.Client:
    issued = httpx.post(f"{base_url}/oauth/token", data={
        "grant_type": "refresh_token", "refresh_token": state.mint_refresh_token(CLIENT.client_id),
        "client_id": CLIENT.client_id, "client_secret": CLIENT.client_secret})
    return httpx.Client(base_url=f"{base_url}/api/v4", timeout=10,
                        headers={"Authorization": f"Bearer {issued.json()['access_token']}"})


@pytest.fixture
def loop(webhook_settings: WebhookSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Loop]:
    receiver = FunctionServer(clio_webhooks.receive_clio_webhook, "clio/webhooks/{migration_id}")
    receiver_url, ca_pem, stop_receiver = start_https_server(receiver.app, "webhook receiver", tls_dir=tmp_path)
    delivery = WebhookDeliveryConfig(ca_bundle=ca_pem, timeout_seconds=5, retry_base_seconds=0.01, max_retries=2)
    app = create_app(build_firm(), SandboxConfig(clients=[CLIENT], rate_limit=1000, webhooks=delivery))
    state = sandbox_state(app)
    try:
        with serve_in_thread(app) as clio_url:
            for name, value in {"CLIO_API_BASE_URL": f"{clio_url}/api/v4", "CLIO_OAUTH_BASE_URL": f"{clio_url}/oauth",
                                "CLIO_CLIENT_ID": CLIENT.client_id, "CLIO_CLIENT_SECRET": CLIENT.client_secret,
                                "CLIO_REFRESH_TOKEN": state.mint_refresh_token(CLIENT.client_id)}.items():
                monkeypatch.setenv(name, value)
            reset_clients()
            client = ClioClient(get_settings())
            with _user_client(clio_url, state) as user:
                yield Loop(state, clio_url, receiver, receiver_url, ssl.create_default_context(cafile=ca_pem), client,
                           user)
            client.close()
    finally:
        state.wait_for_webhooks(timeout=5)
        stop_receiver()


def secret_key() -> SecretStr:
    return SecretStr(Fernet.generate_key().decode())
