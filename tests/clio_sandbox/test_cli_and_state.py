"""The CLI, and the state handle tests use to edit Clio mid-run."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.clio_sandbox.conftest import Sandbox

REPO = Path(__file__).resolve().parents[2]


def test_cli_serves_on_loopback_and_mints_a_refresh_token(tmp_path: Path, firm: dict[str, Any]) -> None:
    firm_file = tmp_path / "firm.json"
    firm_file.write_text(json.dumps(firm))
    command = [sys.executable, "-m", "sandboxes.clio", "--firm", str(firm_file), "--rate-limit", "7",
               "--client-id", "demo", "--client-secret", "s3cret", "--redirect-uri", "http://127.0.0.1/cb",
               "--mint-refresh-token"]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        refresh_token = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        issued = httpx.post(f"{base_url}/oauth/token", data={
            "grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": "demo",
            "client_secret": "s3cret"})
        me = httpx.get(f"{base_url}/api/v4/users/who_am_i.json",
                       headers={"Authorization": f"Bearer {issued.json()['access_token']}"})
        assert me.status_code == 200 and me.headers["X-RateLimit-Limit"] == "7"
    finally:
        process.terminate()
        exit_code = process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
    assert exit_code == 0


def test_created_updated_and_deleted_records_are_seen_by_the_next_request(sandbox: Sandbox) -> None:
    created = sandbox.state.create_record("contacts", {"name": "Newco", "type": "Company"})
    assert isinstance(created["id"], int) and created["etag"].startswith('"')
    shown = sandbox.get(f"/api/v4/contacts/{created['id']}.json", params={"fields": "id,name,type"})
    assert shown.json()["data"] == {"id": created["id"], "name": "Newco", "type": "Company"}
    updated = sandbox.state.update_record("contacts", created["id"], {"name": "Newco Ltd"})
    assert updated["etag"] != created["etag"]
    sandbox.state.delete_record("contacts", created["id"])
    assert sandbox.get(f"/api/v4/contacts/{created['id']}.json").status_code == 404
    assert created["id"] not in [c["id"] for c in sandbox.get("/api/v4/contacts.json").json()["data"]]


def test_calendar_entries_get_string_ids(sandbox: Sandbox) -> None:
    created = sandbox.state.create_record("calendar_entries", {"summary": "Hearing"})
    assert isinstance(created["id"], str)
    assert sandbox.get(f"/api/v4/calendar_entries/{created['id']}.json").status_code == 200
