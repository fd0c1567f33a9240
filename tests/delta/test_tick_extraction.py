"""Extraction as delta pickup uses it: into a tick's own folder (the full extraction's pages stay as they were),
only what changed since `updated_since`, and for the sweep ids alone; the manifest says when it started."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from localrun.clio_sandbox import RunningClio
from localrun.host import LocalHost
from shared.blobs import container
from shared.delta.records import page_records
from shared.settings import get_settings
from tests.clio_client.conftest import clio, tiny_firm  # noqa: F401  (fixtures)
from tests.clio_client.test_extraction import extract


def _pages(prefix: str) -> dict[str, bytes]:
    raw = container(get_settings().raw_container)
    return {blob.name: raw.download_blob(blob.name).readall() for blob in raw.list_blobs(name_starts_with=prefix)}


def test_a_tick_extracts_into_its_own_folder_and_the_sweep_lists_ids(
        app_host: LocalHost, clio: RunningClio, tiny_firm: tuple[Path, dict[str, Any]]) -> None:  # noqa: F811
    streams = ["contacts", "tasks"]
    full = extract(app_host, "m1", streams=streams)["output"]
    before = _pages("m1/clio/")
    changed = clio.state.update_record("contacts", tiny_firm[1]["contacts"][3]["id"], {"title": "Changed"})
    since = (datetime.now(timezone.utc) - timedelta(seconds=30)).isoformat()

    code, _ = app_host.api.start("extract_clio", "tick-1", json.dumps({
        "migration_id": "m1", "streams": streams, "updated_since": since, "root": "m1/delta/ticks/0001"}))
    assert code == 202
    tick = app_host.run_until_complete("tick-1")["output"]
    assert tick["records"] == 1 and tick["failed"] == {}
    assert [record["id"] for _, record in page_records(container(get_settings().raw_container),
                                                       "m1/delta/ticks/0001")] == [changed["id"]]
    manifest = json.loads(_pages("m1/delta/ticks/0001/clio/manifest.json")["m1/delta/ticks/0001/clio/manifest.json"])
    assert manifest["updated_since"] == since and datetime.fromisoformat(manifest["started_at"])

    code, _ = app_host.api.start("extract_clio", "sweep-1", json.dumps({
        "migration_id": "m1", "streams": streams, "ids_only": True, "root": "m1/delta/sweep"}))
    assert code == 202
    sweep = app_host.run_until_complete("sweep-1")["output"]
    assert sweep["records"] == full["records"]
    listed = list(page_records(container(get_settings().raw_container), "m1/delta/sweep"))
    assert len(listed) == full["records"] and all(set(record) == {"id"} for _, record in listed)
    assert _pages("m1/clio/") == before  # the full extraction's pages and manifest are untouched

    code, _ = app_host.api.start("extract_clio", "elsewhere", json.dumps({
        "migration_id": "m1", "streams": streams, "root": "m2/delta"}))
    assert code == 202
    status = app_host.run_until_complete("elsewhere")
    assert status["runtimeStatus"] == "Failed" and "not below the migration's folder" in str(status["output"])
