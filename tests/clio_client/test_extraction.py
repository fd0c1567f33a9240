"""Extraction through the orchestrators and the local runner: every record of every resource lands in Blob
storage exactly once, also when Clio throttles, fails, drops connections, garbles a page or expires the token."""
from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from localrun.clio_sandbox import RunningClio
from localrun.host import LocalHost
from sandboxes.clio.config import FaultRule
from shared.blobs import container
from shared.clio.models import resource_catalogue
from shared.settings import get_settings


def expected_ids(firm: dict[str, Any], stream: str) -> Counter[Any]:
    spec = resource_catalogue().get(stream)
    records = firm.get(spec.resource, [])
    wanted = spec.params.get("type")
    return Counter(r["id"] for r in records if wanted is None or r.get("type") == wanted)


def landed_ids(migration_id: str, stream: str) -> Counter[Any]:
    raw = container(get_settings().raw_container)
    found: Counter[Any] = Counter()
    for blob in raw.list_blobs(name_starts_with=f"{migration_id}/clio/{stream}/pages/"):
        page = json.loads(raw.download_blob(blob.name).readall())
        found.update(record["id"] for record in page["data"])
    return found


def extract(host: LocalHost, migration_id: str, **request: Any) -> dict[str, Any]:
    code, body = host.api.start("extract_clio", f"extract-{migration_id}",
                                json.dumps({"migration_id": migration_id, **request}))
    assert code == 202, body
    return host.run_until_complete(f"extract-{migration_id}", timeout=240)


def assert_complete(firm: dict[str, Any], migration_id: str) -> None:
    for spec in resource_catalogue().resources:
        expected, landed = expected_ids(firm, spec.key), landed_ids(migration_id, spec.key)
        assert landed == expected, f"{spec.key}: missing {set(expected) - set(landed)}, " \
                                   f"extra {set(landed) - set(expected)}, twice {[k for k, n in landed.items() if n > 1]}"


def test_every_record_lands_exactly_once(app_host: LocalHost, clio: RunningClio,
                                         tiny_firm: tuple[Path, dict[str, Any]]) -> None:
    status = extract(app_host, "m1")
    assert status["runtimeStatus"] == "Completed", status
    manifest = status["output"]
    assert manifest["failed"] == {} and manifest["problems"] == 0
    firm = tiny_firm[1]
    assert manifest["records"] == sum(sum(expected_ids(firm, s.key).values()) for s in resource_catalogue().resources)
    assert_complete(firm, "m1")
    assert clio.state.counters.throttled == 0
    assert manifest["requests"] == clio.state.counters.served, "each request counted once, by the stream that made it"
    written = json.loads(container(get_settings().raw_container).download_blob(manifest["blob"]).readall())
    assert {s["stream"] for s in written["streams"]} == {s.key for s in resource_catalogue().resources}


def test_the_small_firm_lands_completely_despite_faults(app_host: LocalHost, small_firm: tuple[Path, dict[str, Any]],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from localrun.clio_sandbox import running_clio
    from shared.clio.client import reset_shared_clients

    faults = [FaultRule(kind="status", status=502, rate=0.05), FaultRule(kind="drop", path="/api/v4/activities", times=2),
              FaultRule(kind="expire_tokens", path="/api/v4/folders", times=1)]
    with running_clio(small_firm[0], rate_limit=600, faults=faults) as clio:
        for name, value in clio.settings().items():
            monkeypatch.setenv(name, value)
        reset_shared_clients()
        get_settings.cache_clear()
        status = extract(app_host, "small")
        assert status["runtimeStatus"] == "Completed" and status["output"]["failed"] == {}
        assert_complete(small_firm[1], "small")
        assert status["output"]["records"] > 4500
    reset_shared_clients()


@pytest.mark.parametrize("faults", [
    [FaultRule(kind="status", status=503, path="/api/v4/", rate=0.15)],
    [FaultRule(kind="drop", path="/api/v4/(contacts|activities)", times=3)],
    [FaultRule(kind="truncate", path="/api/v4/matters", times=2)],
    [FaultRule(kind="delay", delay_seconds=3.0, path="/api/v4/bills", times=1)],
    [FaultRule(kind="expire_tokens", path="/api/v4/notes", times=1)],
], ids=["5xx", "dropped", "malformed", "timeout", "expired-token"])
def test_faults_do_not_lose_or_duplicate_records(app_host: LocalHost, clio: RunningClio,
                                                 tiny_firm: tuple[Path, dict[str, Any]], faults: list[FaultRule],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIO_REQUEST_TIMEOUT_SECONDS", "1")
    get_settings.cache_clear()
    for rule in faults:
        clio.state.add_fault(rule)
    status = extract(app_host, "faulty")
    assert status["runtimeStatus"] == "Completed", status
    assert status["output"]["failed"] == {}
    assert_complete(tiny_firm[1], "faulty")


def test_updated_since_extracts_only_what_changed(app_host: LocalHost, clio: RunningClio) -> None:
    matter = clio.state.store.all("matters")[0]
    since = max(r["updated_at"] for resource in ("matters", "contacts") for r in clio.state.store.all(resource))
    clio.state.update_record("matters", matter["id"], {"description": "Changed after the first pass"})
    status = extract(app_host, "delta", streams=["matters", "contacts"], updated_since=since)
    manifest = status["output"]
    assert manifest["records"] == 1
    assert landed_ids("delta", "matters") == Counter([matter["id"]])


def test_a_garbled_page_is_reported_not_lost(app_host: LocalHost, clio: RunningClio,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    clio.state.add_fault(FaultRule(kind="truncate", path="/api/v4/tasks", times=None))
    status = extract(app_host, "garbled", streams=["tasks", "users"])
    manifest = status["output"]
    assert status["runtimeStatus"] == "Completed"
    assert "tasks" in manifest["failed"] and "not a Clio page" in manifest["failed"]["tasks"]
    raw = container(get_settings().raw_container)
    report = json.loads(raw.download_blob("garbled/clio/tasks/problems/000000.json").readall())
    assert report["page"] == 0 and "not a Clio page" in report["problems"][0]["reason"]
    assert landed_ids("garbled", "users") == Counter(r["id"] for r in clio.state.store.all("users"))


def test_extraction_is_idempotent(app_host: LocalHost, clio: RunningClio) -> None:
    first = extract(app_host, "again", streams=["contacts"])["output"]
    raw = container(get_settings().raw_container)
    before = {b.name: raw.download_blob(b.name).readall() for b in raw.list_blobs(name_starts_with="again/clio/contacts/")}
    app_host.api.purge("extract-again")
    second = extract(app_host, "again", streams=["contacts"])["output"]
    after = {b.name: raw.download_blob(b.name).readall() for b in raw.list_blobs(name_starts_with="again/clio/contacts/")}
    assert first["records"] == second["records"] and before == after
    assert os.environ["CLIO_CLIENT_SECRET"] not in json.dumps(second)


def test_429s_from_a_second_worker_on_the_same_token(app_host: LocalHost, tiny_firm: tuple[Path, dict[str, Any]],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Another instance of the app spends the same token's budget with a pacer of its own, so the extraction
    meets 429s it could not foresee; it waits them out and still lands every record exactly once."""
    import threading

    from localrun.clio_sandbox import running_clio
    from shared.clio.client import ClioClient, reset_shared_clients, shared_client
    from shared.settings import Settings

    with running_clio(tiny_firm[0], rate_limit=12, window_seconds=2) as clio:
        for name, value in clio.settings().items():
            monkeypatch.setenv(name, value)
        reset_shared_clients()
        get_settings.cache_clear()
        other = ClioClient(Settings())
        other.tokens = shared_client(get_settings()).tokens
        stop = threading.Event()

        def spend() -> None:
            while not stop.is_set():
                other.get(other.url("/users.json"), {"fields": "id"})

        worker = threading.Thread(target=spend, daemon=True)
        worker.start()
        try:
            status = extract(app_host, "contended", streams=["contacts", "activities", "folders", "line_items"])
        finally:
            stop.set()
            worker.join(timeout=30)
        assert status["runtimeStatus"] == "Completed" and status["output"]["failed"] == {}
        assert clio.state.counters.throttled > 0
        for stream in ("contacts", "activities", "folders", "line_items"):
            assert landed_ids("contended", stream) == expected_ids(tiny_firm[1], stream)
    reset_shared_clients()
