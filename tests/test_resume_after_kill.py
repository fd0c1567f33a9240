"""A local run killed with SIGKILL resumes from its persisted history when started again, exactly as the Azure
Storage backend would: completed work is not redone, in-flight work is redone (at-least-once), same result."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from localrun.protocol import HistoryEventType
from localrun.store import TaskHubStore
from tests.scenarios.effects import effects_table

ROOT = Path(__file__).resolve().parent.parent
PARTS, WINDOW = 120, 12


def _run_command(instance_id: str, run: str) -> list[str]:
    spec = {"run": run, "parts": PARTS, "window": WINDOW, "seconds": 0.05}
    return [sys.executable, "-m", "localrun", "run", "--app", "tests.scenarios.app", "--orchestrator",
            "at_least_once", "--instance-id", instance_id, "--input", json.dumps(spec), "--timeout", "240"]


def _calls(run: str) -> Counter[int]:
    rows = effects_table().query_entities("PartitionKey eq @pk", parameters={"pk": f"{run}-calls"})
    return Counter(int(row["RowKey"].split("-")[0]) for row in rows)


def _expected_checksum(run: str) -> int:
    return sum(int(hashlib.sha256(f"{run}:{part}".encode()).hexdigest()[:7], 16) for part in range(PARTS))


def test_sigkill_mid_run_then_resume(storage_env: str) -> None:
    run, instance_id = f"kill{storage_env}", "killed-run"
    env = dict(os.environ)
    first = subprocess.Popen(_run_command(instance_id, run), cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while sum(_calls(run).values()) < PARTS // 3:
        assert first.poll() is None, first.stderr.read().decode() if first.stderr else ""
        assert time.monotonic() < deadline, "the first run made no progress"
        time.sleep(0.05)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()

    store = TaskHubStore(os.environ["AzureWebJobsStorage"], storage_env)
    record = store.get_instance(instance_id)
    assert record is not None and record.runtime_status == "Running"
    part_of_task: dict[int, int] = {}
    completed_parts: set[int] = set()
    for encoded in store.load_history(instance_id, record.execution_id):
        e = json.loads(encoded)
        if e["EventType"] == HistoryEventType.TASK_SCHEDULED:
            part_of_task[e["EventId"]] = json.loads(e["Input"])["part"]
        elif e["EventType"] == HistoryEventType.TASK_COMPLETED:
            completed_parts.add(part_of_task[e["TaskScheduledId"]])
    scheduled_parts = set(part_of_task.values())
    assert 0 < len(completed_parts) < PARTS, "the kill must land mid-run"

    second = subprocess.run(_run_command(instance_id, run), cwd=ROOT, env=env, capture_output=True, timeout=300)
    assert second.returncode == 0, second.stderr.decode()[-3000:]
    status = json.loads(second.stdout.decode().strip().splitlines()[-1])
    assert status["runtimeStatus"] == "Completed"
    assert status["output"] == {"parts": PARTS, "checksum": _expected_checksum(run)}

    calls = _calls(run)
    assert set(calls) == set(range(PARTS)), "every part ran"
    effects = list(effects_table().query_entities("PartitionKey eq @pk", parameters={"pk": f"{run}-effects"}))
    assert len(effects) == PARTS, "idempotent effects: one row per part"
    for part in completed_parts:
        assert calls[part] == 1, f"part {part} completed before the kill and must not run again"
    rerun = {part for part, count in calls.items() if count > 1}
    assert rerun <= scheduled_parts - completed_parts, "only work in flight at the kill is redone"
    assert len(rerun) <= WINDOW
