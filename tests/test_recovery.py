"""Recovery in one process: a host abandoned after any episode (its in-flight results lost, as in a crash) is
replaced by a new one on the same task hub, which carries every instance on from its persisted history."""
from __future__ import annotations

import json
import os

import pytest

from localrun.host import LocalHost
from tests.scenarios.app import app


def _host(hub: str) -> LocalHost:
    return LocalHost(app, os.environ["AzureWebJobsStorage"], hub=hub, advance_timers_when_idle=True)


def _drive_with_crashes(hub: str, instance_id: str, crash_after: list[int]) -> dict:
    for episodes in crash_after:
        host = _host(hub)
        try:
            host.engine.run_until(lambda: host.engine.episodes >= episodes, timeout=60, stop_when_idle=True)
        finally:
            host.close()  # in-flight activity results die with it
    host = _host(hub)
    try:
        for _ in range(3):  # one Go per round (continue_as_new starts rounds 1 and 2)
            host.run_until_idle(timeout=60)
            status = host.status(instance_id)
            assert status["runtimeStatus"] == "Running", status
            assert host.api.raise_event(instance_id, "Go", json.dumps({"ok": True}))[0] == 202
        return host.run_until_complete(instance_id, timeout=60)
    finally:
        host.close()


@pytest.mark.parametrize("crash_after", [[1], [2, 3], [4], [1, 2, 5, 8]])
def test_crashes_at_any_episode_end_in_the_same_result(storage_env: str, crash_after: list[int]) -> None:
    key = f"haul{'-'.join(map(str, crash_after))}{storage_env}"
    host = _host(storage_env)
    try:
        assert host.api.start("long_haul", key, json.dumps({"key": key, "round": 0}))[0] == 202
    finally:
        host.close()
    status = _drive_with_crashes(storage_env, key, crash_after)
    assert status["runtimeStatus"] == "Completed", status
    output = status["output"]
    assert output["round"] == 2 and output["go"] == {"ok": True}
    assert output["flaky_attempts"] >= 2  # the first attempt fails; a lost attempt makes one more
    assert [child["parts"] for child in output["children"]] == [6, 6, 6]


def test_code_changed_under_a_running_instance_fails_it_clearly(storage_env: str) -> None:
    host = _host(storage_env)
    try:
        host.api.start("long_haul", "changed", json.dumps({"key": "changed", "round": 0}))
        host.engine.run_until(lambda: host.engine.episodes >= 3, timeout=60, stop_when_idle=True)
    finally:
        host.close()
    host = _host(storage_env)
    try:  # deployed again with an incompatible edit to the orchestrator
        host.index.orchestrators["long_haul"] = host.index.orchestrators["long_haul_edited"]
        host.engine.run_until(lambda: "changed" not in host.engine.records, timeout=30)
        status = host.status("changed")
    finally:
        host.close()
    assert status["runtimeStatus"] == "Failed"
    assert "Non-deterministic orchestrator 'long_haul'" in status["output"]
    assert "after a restart" in status["output"] and "CALL_ACTIVITY('square', '3')" in status["output"]
