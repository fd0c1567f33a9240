"""A sandbox per test, on a real loopback port (one server for the session), with an authorized httpx client whose every API response is
validated against the spec; an HTTPS webhook receiver for the session."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from sandboxes.clio import (OAuthClient, SandboxConfig, SandboxState, WebhookDeliveryConfig, create_app,
                            sandbox_state, serve_in_thread)
from tests.clio_sandbox.firm import build_firm
from tests.clio_sandbox.spec_validation import validate_response
from tests.clio_sandbox.webhook_receiver import WebhookReceiver, running_receiver

CLIENT = OAuthClient(client_id="test-client", client_secret="test-secret", redirect_uri="http://127.0.0.1/cb")


@dataclass
class Sandbox:
    app: Starlette
    state: SandboxState
    base_url: str
    client: httpx.Client  # authorized, validating

    def token_for(self, refresh_token: str) -> str:
        response = httpx.post(f"{self.base_url}/oauth/token", data={
            "grant_type": "refresh_token", "refresh_token": refresh_token,
            "client_id": CLIENT.client_id, "client_secret": CLIENT.client_secret})
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def new_token(self) -> str:
        return self.token_for(self.state.mint_refresh_token(CLIENT.client_id))

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, **kwargs)


def make_config(**overrides: Any) -> SandboxConfig:
    return SandboxConfig(clients=[CLIENT], **overrides)


@pytest.fixture
def firm() -> dict[str, Any]:
    return build_firm()


@pytest.fixture
def config() -> SandboxConfig:
    return make_config(rate_limit=1000)


class _AppSwitch:
    """One loopback server for the whole session, serving whichever sandbox the current test made (starting
    and stopping uvicorn per test would cost most of the folder's run time)."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None
        self.base_url = ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None, "no sandbox is running"
        await self.app(scope, receive, send)


_SWITCH = _AppSwitch()


@pytest.fixture(scope="session", autouse=True)
def shared_server() -> Iterator[str]:
    with serve_in_thread(_SWITCH) as base_url:
        _SWITCH.base_url = base_url
        yield base_url


@contextmanager
def running_sandbox(firm: dict[str, Any] | Path, config: SandboxConfig) -> Iterator[Sandbox]:
    app = create_app(firm, config)
    _SWITCH.app = app
    box = Sandbox(app, sandbox_state(app), _SWITCH.base_url, httpx.Client(base_url=_SWITCH.base_url, timeout=10))
    box.client.headers["Authorization"] = f"Bearer {box.new_token()}"
    box.client.event_hooks["response"] = [validate_response]
    try:
        with box.client:
            yield box
    finally:
        _SWITCH.app = None


@pytest.fixture
def sandbox(firm: dict[str, Any], config: SandboxConfig) -> Iterator[Sandbox]:
    with running_sandbox(firm, config) as box:
        yield box


@pytest.fixture(scope="session")
def receiver_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebhookReceiver]:
    with running_receiver(tmp_path_factory.mktemp("receiver-tls")) as receiver:
        yield receiver


@pytest.fixture
def receiver(receiver_server: WebhookReceiver) -> WebhookReceiver:
    """The session's HTTPS webhook receiver, its script and record cleared for the test."""
    receiver_server.reset()
    return receiver_server


def webhook_config(receiver: WebhookReceiver, **overrides: Any) -> SandboxConfig:
    """A sandbox that trusts the receiver's CA and retries within milliseconds."""
    delivery = WebhookDeliveryConfig(ca_bundle=receiver.ca_pem, timeout_seconds=5, retry_base_seconds=0.01,
                                     max_retries=2)
    return make_config(rate_limit=1000, webhooks=delivery, **overrides)
