"""Fault injection: each fault shows up at the client as the failure it stands for."""
from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import pytest

from sandboxes.clio import FaultRule, create_app, sandbox_state
from sandboxes.clio.errors import INVALID_TOKEN_BODY
from tests.clio_sandbox.conftest import Sandbox, make_config, running_sandbox

MATTERS = "/api/v4/matters.json"


def test_next_n_requests_matching_a_path_fail_with_the_status(sandbox: Sandbox) -> None:
    sandbox.state.add_fault(FaultRule(kind="status", status=503, path=r"/matters", times=2))
    statuses = [sandbox.get(MATTERS).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert sandbox.get("/api/v4/contacts.json").status_code == 200


def test_faults_from_config(firm: dict[str, Any]) -> None:
    config = make_config(faults=[FaultRule(kind="status", status=502, path="/contacts", times=1)])
    with running_sandbox(firm, config) as box:
        assert box.get("/api/v4/contacts.json").status_code == 502
        assert box.get("/api/v4/contacts.json").status_code == 200


def test_slow_response_times_the_client_out(sandbox: Sandbox) -> None:
    sandbox.state.add_fault(FaultRule(kind="delay", delay_seconds=1.0, path=MATTERS))
    with pytest.raises(httpx.ReadTimeout):
        sandbox.get(MATTERS, timeout=0.2)
    assert sandbox.get(MATTERS).status_code == 200


def test_dropped_connection_over_a_real_server(sandbox: Sandbox) -> None:
    sandbox.state.add_fault(FaultRule(kind="drop", path=MATTERS))
    with pytest.raises(httpx.RemoteProtocolError):
        sandbox.get(MATTERS, params={"fields": "id,description"})
    assert sandbox.get(MATTERS).status_code == 200


def test_dropped_file_download_breaks_mid_stream(sandbox: Sandbox) -> None:
    location = sandbox.get("/api/v4/documents/1/download.json", follow_redirects=False).headers["location"]
    sandbox.state.add_fault(FaultRule(kind="drop", path="/_files/"))
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(location)


async def _get_through_asgi_transport(firm: dict[str, Any]) -> None:
    app = create_app(firm, make_config(faults=[FaultRule(kind="drop", path=MATTERS)]))
    refresh = sandbox_state(app).mint_refresh_token("test-client")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        issued = await client.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": refresh,
                                                          "client_id": "test-client",
                                                          "client_secret": "test-secret"})
        await client.get(MATTERS, headers={"Authorization": f"Bearer {issued.json()['access_token']}"})


def test_dropped_connection_in_process_is_a_transport_error(firm: dict[str, Any]) -> None:
    with pytest.raises(httpx.TransportError):
        anyio.run(_get_through_asgi_transport, firm)


def test_malformed_json_is_a_truncated_200(sandbox: Sandbox) -> None:
    sandbox.client.event_hooks["response"] = []
    sandbox.state.add_fault(FaultRule(kind="truncate", path=MATTERS))
    response = sandbox.get(MATTERS)
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.content)
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_forced_token_expiry(sandbox: Sandbox) -> None:
    sandbox.state.add_fault(FaultRule(kind="expire_tokens", path=MATTERS))
    response = sandbox.get(MATTERS)
    assert response.status_code == 401 and response.json() == INVALID_TOKEN_BODY
    assert sandbox.get("/api/v4/users.json").status_code == 401
    fresh = sandbox.new_token()
    assert sandbox.get(MATTERS, headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def _pattern(firm: dict[str, Any], seed: int) -> list[int]:
    rule = FaultRule(kind="status", status=500, rate=0.3, times=None, path=MATTERS)
    with running_sandbox(firm, make_config(faults=[rule], fault_seed=seed)) as box:
        box.client.event_hooks["response"] = []
        return [box.get(MATTERS).status_code for _ in range(20)]


def test_seeded_rate_is_deterministic(firm: dict[str, Any]) -> None:
    first, again, other = _pattern(firm, 7), _pattern(firm, 7), _pattern(firm, 8)
    assert first == again
    assert 500 in first and 200 in first
    assert first != other


def test_cleared_faults_stop_failing(sandbox: Sandbox) -> None:
    sandbox.state.add_fault(FaultRule(kind="status", status=500, path=MATTERS, times=None))
    assert sandbox.get(MATTERS).status_code == 500
    sandbox.state.clear_faults()
    assert sandbox.get(MATTERS).status_code == 200
