"""The portal's HTTP starters, run unchanged against the local host (the delta-pickup timer: tests/delta)."""
from __future__ import annotations

import json

import httpx

from localrun.host import LocalHost


def _post(host: LocalHost, name: str, body: object, instance_id: str | None = None):
    params = {"instanceId": instance_id} if instance_id else {}
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return host.invoke_http("POST", f"/api/orchestrations/{name}", body=raw, params=params)


def test_start_returns_management_urls_that_work(app_host: LocalHost) -> None:
    response = _post(app_host, "sample_fanout", {"run_id": "http1", "parts": 30, "batch_size": 10, "window": 5},
                     "sample-http1")
    assert response.status_code == 202
    urls = json.loads(response.get_body())
    assert urls["id"] == "sample-http1"
    port = app_host.server.port
    status_url = urls["statusQueryGetUri"].replace("http://localhost:7071", f"http://127.0.0.1:{port}")
    assert httpx.get(status_url).status_code == 202  # pending: the runner has not picked it up yet
    status = app_host.run_until_complete("sample-http1")
    assert status["runtimeStatus"] == "Completed"
    assert status["output"]["parts"] == 30 and status["output"]["manifest"]["complete"] is True
    done = httpx.get(status_url)
    assert done.status_code == 200 and done.json()["output"]["parts"] == 30


def test_duplicate_start_while_running_is_refused(app_host: LocalHost) -> None:
    body = {"run_id": "dup", "parts": 4}
    assert _post(app_host, "sample_fanout", body, "sample-dup").status_code == 202
    second = _post(app_host, "sample_fanout", body, "sample-dup")
    assert second.status_code == 409 and "already Pending" in json.loads(second.get_body())["error"]
    app_host.run_until_complete("sample-dup")
    assert _post(app_host, "sample_fanout", body, "sample-dup").status_code == 202  # finished: may run again


def test_bad_requests_are_refused_with_reasons(app_host: LocalHost) -> None:
    unknown = _post(app_host, "sample_fanout_batch", {})
    assert unknown.status_code == 404 and "sample_fanout_batch" in json.loads(unknown.get_body())["error"]
    assert _post(app_host, "sample_fanout", b"{not json").status_code == 400
    assert app_host.invoke_http("GET", "/api/orchestrations/instances/none").status_code == 404
    assert app_host.invoke_http("DELETE", "/api/orchestrations/sample_fanout").status_code == 404


def test_status_endpoint_shows_history_for_engineers(app_host: LocalHost) -> None:
    _post(app_host, "sample_fanout", {"run_id": "hist", "parts": 3}, "sample-hist")
    app_host.run_until_complete("sample-hist")
    response = app_host.invoke_http("GET", "/api/orchestrations/instances/sample-hist", params={"history": "true"})
    body = json.loads(response.get_body())
    assert body["runtimeStatus"] == "Completed" and body["customStatus"]["phase"] == "done"
    kinds = [e["EventType"] for e in body["history"]]
    assert kinds[0] == "ExecutionStarted" and kinds[-1] == "ExecutionCompleted"
    assert kinds.count("SubOrchestrationInstanceCompleted") == 1
    manifest = next(e for e in body["history"] if e.get("FunctionName") == "write_sample_manifest")
    assert manifest["Result"]["found_parts"] == 3
