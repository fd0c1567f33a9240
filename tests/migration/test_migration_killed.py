"""The same migration, its local runner killed with SIGKILL at random points and started again, ends in the same
Dataverse state as an uninterrupted run — every table's rows by Clio key with the same load hash (the hash of every
value written, lookups included) — with the same files in SharePoint and nothing unexplained."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from function_app import app
from localrun.client_api import ClientApi
from localrun.demo import migrate
from localrun.host import LocalHost
from localrun.stack import LocalStack, reset_service_clients, running_stack
from localrun.store import TaskHubStore
from shared.dataverse.client import DataverseClient
from shared.graph.client import GraphClient
from shared.mapping.maps import load_map
from shared.migration.models import MigrationInput
from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
GATES = {"awaiting mapping approval": "mapping_decision", "awaiting sample approval": "sample_decision"}
DECISION = {"approved": True, "by": "lead@firm.example"}


@contextmanager
def _stack(firm: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalStack]:
    with running_stack(firm, clio_rate_limit=600, dataverse={"key_activation_delay_seconds": 0.1}) as running:
        for name, value in {**running.settings(), "DOCUMENTS_OFF_PEAK_ONLY": "false"}.items():
            monkeypatch.setenv(name, value)
        reset_service_clients()
        yield running
    reset_service_clients()


def _state() -> tuple[dict[str, dict[str, str]], dict[str, tuple[int, str | None]]]:
    """Every migrated row (Clio key -> load hash) per entity set, and every file (path -> size, quickXorHash)."""
    settings = Settings()
    client, graph = DataverseClient(settings), GraphClient(settings)
    rows = {entity_set: {row["new_clioid"]: row["new_clioloadhash"] for row in client.query(
        entity_set, {"$select": "new_clioid,new_clioloadhash", "$filter": "new_clioid ne null"})}
        for entity_set in sorted({table.target.entity_set for table in load_map().tables})}
    library = graph.library()
    files: dict[str, tuple[int, str | None]] = {}
    folders = [("", graph.root(library.id).id)]
    while folders:
        path, item_id = folders.pop()
        for child in graph.children(library.id, item_id):
            if child.is_folder:
                folders.append((f"{path}{child.name}/", child.id))
            else:
                files[f"{path}{child.name}"] = (child.size, child.file.hashes.quick_xor_hash if child.file else None)
    client.close()
    graph.close()
    return rows, files


def _request(migration_id: str, stack: LocalStack, areas: list[int]) -> dict[str, Any]:
    return {"migration_id": migration_id, "sample_size": 50, "fallback_owner_email": stack.dynamics_users[0],
            "case_practice_areas": areas}


def _uninterrupted(stack: LocalStack, areas: list[int]) -> dict[str, Any]:
    with LocalHost(app, os.environ["AzureWebJobsStorage"]) as host:
        return migrate(host, _request("whole", stack, areas), timeout=600)


def _runner(instance_id: str, payload: dict[str, Any]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "localrun", "run", "--orchestrator", "migrate", "--instance-id", instance_id,
               "--input", json.dumps(payload), "--timeout", "600", "--max-timer-jump", "600"]
    return subprocess.Popen(command, cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _killed(stack: LocalStack, areas: list[int], hub: str, seed: int) -> tuple[dict[str, Any], list[str]]:
    """Kills the runner a little after it enters each of `kill_in`, answers the gates, runs to the end."""
    draw = random.Random(seed)
    instance = "migration-killed"
    payload = MigrationInput(**_request("killed", stack, areas), delta_window_hours=48).model_dump()
    store = TaskHubStore(os.environ["AzureWebJobsStorage"], hub)
    api = ClientApi(store, lambda: ["migrate"])
    kill_in = ["extracting", "loading", "moving documents"]
    killed_in: list[str] = []
    answered: set[str] = set()
    runner = _runner(instance, payload)
    deadline = time.monotonic() + 900
    while True:
        assert time.monotonic() < deadline, "the killed migration did not finish"
        record = store.get_instance(instance)
        custom = json.loads(record.custom_status) if record and record.custom_status else {}
        phase = custom.get("phase")
        if record is not None and record.is_terminal:
            break
        if phase in GATES and f"{phase}{custom.get('round')}" not in answered:
            answered.add(f"{phase}{custom.get('round')}")
            assert api.raise_event(instance, GATES[phase], json.dumps(DECISION))[0] == 202
        if kill_in and phase == kill_in[0]:
            time.sleep(draw.uniform(0.2, 2.0))
            os.kill(runner.pid, signal.SIGKILL)
            runner.wait()
            killed_in.append(kill_in.pop(0))
            runner = _runner(instance, payload)
        if runner.poll() is not None and not (store.get_instance(instance) or record).is_terminal:
            pytest.fail(f"the runner stopped: {(runner.stderr.read() if runner.stderr else b'').decode()[-3000:]}")
        time.sleep(0.2)
    runner.wait(timeout=60)
    status = store.get_instance(instance)
    assert status is not None
    return {"runtimeStatus": status.runtime_status, "output": json.loads(status.output or "null")}, killed_in


def test_a_killed_and_resumed_migration_ends_like_an_uninterrupted_one(
        storage_env: str, tiny_firm: tuple[Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    areas = [tiny_firm[1]["practice_areas"][0]["id"]]
    with _stack(tiny_firm[0], monkeypatch) as whole_stack:
        whole = _uninterrupted(whole_stack, areas)
        assert whole["runtimeStatus"] == "Completed", whole
        expected = _state()
    with _stack(tiny_firm[0], monkeypatch) as killed_stack:
        killed, killed_in = _killed(killed_stack, areas, storage_env, seed=11)
        assert killed["runtimeStatus"] == "Completed", killed
        actual = _state()
    assert killed_in == ["extracting", "loading", "moving documents"]
    assert killed["output"]["reconciliation"]["unexplained"] == 0
    assert sum(len(rows) for rows in expected[0].values()) > 300 and len(expected[1]) == len(tiny_firm[1]["documents"])
    assert actual[0] == expected[0]
    assert actual[1] == expected[1]
