"""The resource-unit budget (429 activityLimitReached with Retry-After), injected 503s with Retry-After, and
failures of the Nth fragment of an upload session (refused, or stored with the answer lost)."""
from __future__ import annotations

import os
import ssl
from collections.abc import Callable

import httpx
import pytest

from sandboxes.graph import FaultRule, FragmentFault, GraphConfig, create_app, graph_state, serve_graph
from tests.graph_sandbox.conftest import APP, KIB320, Sandbox, error_of


def test_reads_cost_one_unit_and_writes_two(sandbox_with: Callable[..., Sandbox]) -> None:
    box = sandbox_with(resource_units_per_window=5, throttle_window_seconds=60)
    root = f"drives/{box.drive_id}/root"
    assert box.call("GET", root).status_code == 200  # 1
    assert box.put(box.root_id, "a.txt", b"a").status_code == 201  # 3
    assert box.call("GET", root).status_code == 200  # 4
    refused = box.put(box.root_id, "b.txt", b"b")  # 6 > 5
    assert error_of(refused) == (429, "activityLimitReached")
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 60
    box.state.clock.advance(wait - 0.5)
    assert box.call("GET", root).status_code == 429
    box.state.clock.advance(61)
    assert box.put(box.root_id, "b.txt", b"b").status_code == 201
    assert box.state.budget.throttled == 2


def test_budgets_are_per_app(sandbox_with: Callable[..., Sandbox]) -> None:
    box = sandbox_with(resource_units_per_window=1)
    assert box.call("GET", f"drives/{box.drive_id}/root").status_code == 200
    assert box.call("GET", f"drives/{box.drive_id}/root").status_code == 429
    assert box.state.budget.used("another-app") == 0


def test_injected_503_carries_retry_after(sandbox_with: Callable[..., Sandbox]) -> None:
    box = sandbox_with(faults=[FaultRule(kind="status", status=503, path="/root$", times=1)], retry_after_seconds=3)
    failed = box.call("GET", f"drives/{box.drive_id}/root")
    assert error_of(failed) == (503, "serviceNotAvailable") and failed.headers["Retry-After"] == "3"
    assert box.call("GET", f"drives/{box.drive_id}/root").status_code == 200


def test_the_nth_fragment_is_refused_and_nothing_is_stored(sandbox_with: Callable[..., Sandbox]) -> None:
    box = sandbox_with(fragment_faults=[FragmentFault(fragment=2, status=503)])
    data = os.urandom(3 * KIB320)
    url = box.session(box.root_id, "f.bin")
    assert box.fragment(url, data[:KIB320], 0, len(data)).status_code == 202
    refused = box.fragment(url, data[KIB320:2 * KIB320], KIB320, len(data))
    assert refused.status_code == 503 and "Retry-After" in refused.headers
    assert box.http.get(url).json()["nextExpectedRanges"] == [f"{KIB320}-"]
    assert box.fragment(url, data[KIB320:2 * KIB320], KIB320, len(data)).status_code == 202
    assert box.fragment(url, data[2 * KIB320:], 2 * KIB320, len(data)).status_code == 201


def test_a_dropped_answer_after_the_fragment_was_stored() -> None:
    app = create_app(GraphConfig(application_users=[APP], fragment_faults=[FragmentFault(fragment=1, kind="drop")]))
    state = graph_state(app)
    data = os.urandom(2 * KIB320)
    with serve_graph(app) as (base_url, ca_pem), \
            httpx.Client(verify=ssl.create_default_context(cafile=ca_pem)) as client:
        token = client.post(f"{base_url}/{APP.tenant_id}/oauth2/v2.0/token", data={
            "grant_type": "client_credentials", "client_id": APP.client_id, "client_secret": APP.client_secret,
            "scope": "https://graph.microsoft.com/.default"}).json()["access_token"]
        session = client.post(f"{base_url}/v1.0/drives/{state.drive().id}/root:/d.bin:/createUploadSession",
                              headers={"Authorization": f"Bearer {token}"}).json()
        with pytest.raises(httpx.RemoteProtocolError):
            client.put(session["uploadUrl"], content=data[:KIB320],
                       headers={"Content-Range": f"bytes 0-{KIB320 - 1}/{len(data)}"})
        assert client.get(session["uploadUrl"]).json()["nextExpectedRanges"] == [f"{KIB320}-"]
        done = client.put(session["uploadUrl"], content=data[KIB320:],
                          headers={"Content-Range": f"bytes {KIB320}-{len(data) - 1}/{len(data)}"})
        assert done.status_code == 201
    state.close()
