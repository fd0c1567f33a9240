"""The runner drives real orchestrators through the SDK's replay engine, against real Azurite."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from localrun.host import LocalHost
from tests.scenarios import app as scenarios


def start(host: LocalHost, name: str, instance_id: str, payload: object = None) -> None:
    code, body = host.api.start(name, instance_id, json.dumps(payload))
    assert code == 202, body


def history_types(host: LocalHost, instance_id: str) -> list[str]:
    status = host.status(instance_id, show_history=True)
    assert status is not None
    return [e["EventType"] for e in status["historyEvents"]]


def test_fan_out_fan_in_applies_completions_in_batches(scenario_host: LocalHost) -> None:
    start(scenario_host, "fan_out", "fan", 200)
    status = scenario_host.run_until_complete("fan")
    assert status["runtimeStatus"] == "Completed"
    assert status["output"] == sum(i * i for i in range(200))
    assert history_types(scenario_host, "fan").count("TaskCompleted") == 200
    assert scenario_host.engine.episodes < 100, "completions must be applied together, not one episode each"


def test_windowed_fan_out(scenario_host: LocalHost) -> None:
    start(scenario_host, "windowed_fan_out", "win", {"n": 95, "window": 20})
    assert scenario_host.run_until_complete("win")["output"] == sum(i * i for i in range(95))


def test_sub_orchestrations_return_results_and_failures(scenario_host: LocalHost) -> None:
    start(scenario_host, "parent", "par")
    status = scenario_host.run_until_complete("par")
    assert status["runtimeStatus"] == "Completed"
    assert status["output"]["ok"] == sum(i * i for i in range(10))
    assert "Activity function 'boom' failed: RuntimeError: child broke" in status["output"]["failed"]
    assert scenario_host.status("par:ok")["runtimeStatus"] == "Completed"
    assert scenario_host.status("par:bad")["runtimeStatus"] == "Failed"


def test_retry_follows_the_host_semantics(scenario_host: LocalHost) -> None:
    start(scenario_host, "with_retries", "retry-ok",
          {"key": "retry-ok", "fail_times": 2, "interval_ms": 30_000, "max_attempts": 3})
    status = scenario_host.run_until_complete("retry-ok")
    assert status["output"] == {"ok": True, "result": {"key": "retry-ok", "attempts": 3}}
    events = scenario_host.status("retry-ok", show_history=True)["historyEvents"]
    kinds = [e["EventType"] for e in events]
    assert kinds.count("TaskFailed") == 2 and kinds.count("TimerFired") == 2 and kinds.count("TaskCompleted") == 1
    failed = [datetime.fromisoformat(e["Timestamp"].rstrip("Z")) for e in events if e["EventType"] == "TaskFailed"]
    fired = [datetime.fromisoformat(e["Timestamp"].rstrip("Z")) for e in events if e["EventType"] == "TimerFired"]
    waits = [f - t for t, f in zip(failed, fired, strict=True)]
    assert all(wait >= timedelta(seconds=30) for wait in waits), "each retry waits its interval"


def test_retries_exhausted_surface_the_last_error(scenario_host: LocalHost) -> None:
    start(scenario_host, "with_retries", "retry-out",
          {"key": "retry-out", "fail_times": 10, "interval_ms": 1000, "max_attempts": 3})
    status = scenario_host.run_until_complete("retry-out")
    assert status["output"]["ok"] is False
    assert "attempt 3 of retry-out failed on purpose" in status["output"]["error"]
    assert scenarios.calls["retry-out"] == 3
    kinds = history_types(scenario_host, "retry-out")
    assert kinds.count("TaskFailed") == 3 and kinds.count("TimerFired") == 3  # one extra timer, as in DTFx


def test_retries_interleaved_with_other_tasks_keep_sequence_numbers_aligned(scenario_host: LocalHost) -> None:
    start(scenario_host, "parallel_retries", "mixed", "mixed")
    status = scenario_host.run_until_complete("mixed")
    assert status["runtimeStatus"] == "Completed", status["output"]
    assert status["output"] == {"attempts": [1, 2, 3, 1, 2, 3], "squares": [i * i for i in range(6)], "after": 49}


def test_approval_arrives_before_the_timeout(gated_host: LocalHost) -> None:
    start(gated_host, "approval_gate", "gate-yes")
    gated_host.run_until_idle()
    waiting = gated_host.status("gate-yes")
    assert waiting["runtimeStatus"] == "Running"
    assert waiting["customStatus"] == {"phase": "awaiting approval"}
    assert gated_host.api.raise_event("gate-yes", "Approval", json.dumps({"approved": True}))[0] == 202
    status = gated_host.run_until_complete("gate-yes")
    assert status["output"]["decision"] == "approved"
    assert status["customStatus"] == {"phase": "approved"}
    decided = datetime.fromisoformat(status["output"]["decided_at"])
    assert decided < datetime.fromisoformat(status["output"]["deadline"]) - timedelta(hours=23)


def test_a_cancelled_timer_does_not_move_the_clock(scenario_host: LocalHost) -> None:
    start(scenario_host, "approval_gate", "gate-cancel")
    scenario_host.engine.advance_timers_when_idle = False
    scenario_host.run_until_idle()  # the gate is waiting, its 24 h timer armed
    scenario_host.engine.advance_timers_when_idle = True
    assert scenario_host.api.raise_event("gate-cancel", "Approval", json.dumps({"approved": True}))[0] == 202
    assert scenario_host.run_until_complete("gate-cancel")["output"]["decision"] == "approved"
    scenario_host.run_until_idle(timeout=5)  # idle with the cancelled 24 h timer still on the books
    drift = scenario_host.engine.clock.now() - datetime.now(timezone.utc)
    assert drift < timedelta(minutes=5)


def test_approval_times_out_on_the_virtual_clock(scenario_host: LocalHost) -> None:
    start(scenario_host, "approval_gate", "gate-late")
    status = scenario_host.run_until_complete("gate-late")
    assert status["output"]["decision"] == "timed out"
    assert datetime.fromisoformat(status["output"]["decided_at"]) >= \
        datetime.fromisoformat(status["output"]["deadline"])


def test_event_raised_before_the_orchestrator_waits_is_kept(scenario_host: LocalHost) -> None:
    start(scenario_host, "approval_gate", "gate-early")
    assert scenario_host.api.raise_event("gate-early", "Approval", json.dumps({"approved": False}))[0] == 202
    assert scenario_host.run_until_complete("gate-early")["output"]["decision"] == "rejected"


def test_raise_event_and_terminate_answer_like_the_extension(gated_host: LocalHost) -> None:
    assert gated_host.api.raise_event("nobody", "Approval", "{}")[0] == 404
    start(gated_host, "approval_gate", "gate-stop")
    gated_host.run_until_idle()
    assert gated_host.api.terminate("gate-stop", "operator cancelled")[0] == 202
    status = gated_host.run_until_complete("gate-stop")
    assert status["runtimeStatus"] == "Terminated" and status["output"] == "operator cancelled"
    assert gated_host.api.raise_event("gate-stop", "Approval", "{}")[0] == 410
    assert gated_host.api.terminate("gate-stop", "again")[0] == 410


def test_continue_as_new_restarts_with_fresh_history(scenario_host: LocalHost) -> None:
    start(scenario_host, "counter", "count", {"n": 0, "until": 5, "sum": 0})
    status = scenario_host.run_until_complete("count")
    assert status["output"] == {"n": 5, "until": 5, "sum": sum(i * i for i in range(5))}
    assert status["input"] == {"n": 4, "until": 5, "sum": sum(i * i for i in range(4))}
    assert history_types(scenario_host, "count").count("TaskCompleted") == 1, "only the last execution's history"


def test_activity_failure_fails_the_orchestration_with_its_reason(scenario_host: LocalHost) -> None:
    start(scenario_host, "unhandled_activity_failure", "unhandled")
    status = scenario_host.run_until_complete("unhandled")
    assert status["runtimeStatus"] == "Failed"
    assert "Activity function 'boom' failed: RuntimeError: kaput" in status["output"]


def test_non_deterministic_orchestrator_is_caught(scenario_host: LocalHost) -> None:
    start(scenario_host, "nondeterministic", "nondet")
    status = scenario_host.run_until_complete("nondet")
    assert status["runtimeStatus"] == "Failed"
    assert "Non-deterministic orchestrator 'nondeterministic'" in status["output"]
    assert "CALL_ACTIVITY('square', '2')" in status["output"] and "CALL_ACTIVITY('square', '1')" in status["output"]


def test_unknown_orchestrator_is_refused(scenario_host: LocalHost) -> None:
    code, body = scenario_host.api.start("no_such_orchestrator", None, None)
    assert code == 400 and "doesn't exist" in body["ExceptionMessage"]


def test_large_inputs_and_outputs_spill_to_blobs(scenario_host: LocalHost) -> None:
    payload = {"blob": "x" * 200_000}
    start(scenario_host, "echo_large", "large", payload)
    status = scenario_host.run_until_complete("large")
    assert status["output"] == {"length": 200_000, "blob": payload["blob"]}
    assert status["input"] == payload and status["customStatus"] == {"size": 200_000}
    spilled = [b.name for b in scenario_host.store.large.list_blobs(name_starts_with="large/")]
    assert any(name.endswith("input.json.gz") for name in spilled)
