"""A Function App of small orchestrations, one per runner behaviour the tests pin down."""
from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import azure.durable_functions as df
import azure.functions as func

from tests.scenarios.effects import record_effect

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)

calls: Counter[str] = Counter()
_calls_lock = threading.Lock()
replays: Counter[str] = Counter()


def count_call(key: str) -> int:
    with _calls_lock:
        calls[key] += 1
        return calls[key]


@app.activity_trigger(input_name="n")
def square(n: int) -> int:
    return n * n


@app.activity_trigger(input_name="payload")
def flaky(payload: dict) -> dict:
    attempt = count_call(payload["key"])
    if attempt <= payload["fail_times"]:
        raise ValueError(f"attempt {attempt} of {payload['key']} failed on purpose")
    return {"key": payload["key"], "attempts": attempt}


@app.activity_trigger(input_name="message")
def boom(message: str) -> None:
    raise RuntimeError(message)


@app.activity_trigger(input_name="payload")
def slow_effect(payload: dict) -> dict:
    """Sleeps, then records an idempotent effect plus an invocation row (to count at-least-once re-runs)."""
    time.sleep(payload.get("seconds", 0.05))
    return record_effect(payload["run"], payload["part"])


@app.orchestration_trigger(context_name="context")
def fan_out(context: df.DurableOrchestrationContext):
    n = context.get_input()
    results = yield context.task_all([context.call_activity(square, i) for i in range(n)])
    return sum(results)


@app.orchestration_trigger(context_name="context")
def windowed_fan_out(context: df.DurableOrchestrationContext):
    spec = context.get_input()
    first, end = spec.get("first", 0), spec.get("first", 0) + spec["n"]
    total = 0
    for start in range(first, end, spec["window"]):
        batch = yield context.task_all([context.call_activity("square", i)
                                        for i in range(start, min(start + spec["window"], end))])
        total += sum(batch)
    return total


@app.orchestration_trigger(context_name="context")
def batched_fan_out(context: df.DurableOrchestrationContext):
    """The shape the migration uses: batches as sub-orchestrations, each fanning out in windows."""
    spec = context.get_input()
    batches = [{"first": first, "n": min(spec["batch"], spec["n"] - first), "window": spec["window"]}
               for first in range(0, spec["n"], spec["batch"])]
    totals = yield context.task_all([
        context.call_sub_orchestrator("windowed_fan_out", batch, f"{context.instance_id}:{number}")
        for number, batch in enumerate(batches)])
    return sum(totals)


@app.orchestration_trigger(context_name="context")
def parent(context: df.DurableOrchestrationContext):
    ok = context.call_sub_orchestrator("fan_out", 10, f"{context.instance_id}:ok")
    failing = context.call_sub_orchestrator("fails_with_activity", "child broke", f"{context.instance_id}:bad")
    first = yield ok
    try:
        yield failing
        second = "no error"
    except Exception as exc:  # a failed sub-orchestration surfaces as an exception with its reason
        second = str(exc)
    return {"ok": first, "failed": second}


@app.orchestration_trigger(context_name="context")
def fails_with_activity(context: df.DurableOrchestrationContext):
    yield context.call_activity("boom", context.get_input())
    return "unreachable"


@app.orchestration_trigger(context_name="context")
def with_retries(context: df.DurableOrchestrationContext):
    spec = context.get_input()
    options = df.RetryOptions(first_retry_interval_in_milliseconds=spec["interval_ms"],
                              max_number_of_attempts=spec["max_attempts"])
    try:
        result = yield context.call_activity_with_retry("flaky", options, spec)
        return {"ok": True, "result": result}
    except Exception as exc:
        return {"ok": False, "error": str(exc)}


@app.orchestration_trigger(context_name="context")
def parallel_retries(context: df.DurableOrchestrationContext):
    """Retried tasks failing in the same episodes as ordinary ones: sequence numbers must stay aligned."""
    options = df.RetryOptions(first_retry_interval_in_milliseconds=500, max_number_of_attempts=3)
    prefix = context.get_input()
    tasks = [context.call_activity_with_retry("flaky", options, {"key": f"{prefix}-{i}", "fail_times": i % 3})
             for i in range(6)] + [context.call_activity("square", i) for i in range(6)]
    results = yield context.task_all(tasks)
    after = yield context.call_activity("square", 7)
    return {"attempts": [r["attempts"] for r in results[:6]], "squares": results[6:], "after": after}


@app.orchestration_trigger(context_name="context")
def approval_gate(context: df.DurableOrchestrationContext):
    context.set_custom_status({"phase": "awaiting approval"})
    deadline = context.current_utc_datetime + timedelta(hours=24)
    approval = context.wait_for_external_event("Approval")
    timeout = context.create_timer(deadline)
    winner = yield context.task_any([approval, timeout])
    if winner == approval:
        timeout.cancel()
        decision = "approved" if approval.result.get("approved") else "rejected"
    else:
        decision = "timed out"
    context.set_custom_status({"phase": decision})
    return {"decision": decision, "decided_at": context.current_utc_datetime.isoformat(),
            "deadline": deadline.isoformat()}


@app.orchestration_trigger(context_name="context")
def counter(context: df.DurableOrchestrationContext):
    state = context.get_input()
    value = yield context.call_activity("square", state["n"])
    state = {"n": state["n"] + 1, "until": state["until"], "sum": state["sum"] + value}
    if state["n"] < state["until"]:
        context.continue_as_new(state)
        return None
    return state


@app.orchestration_trigger(context_name="context")
def unhandled_activity_failure(context: df.DurableOrchestrationContext):
    yield context.call_activity("boom", "kaput")
    return "unreachable"


@app.orchestration_trigger(context_name="context")
def nondeterministic(context: df.DurableOrchestrationContext):
    replays[context.instance_id] += 1  # stands in for datetime.now()/random(): differs on every replay
    first = yield context.call_activity("square", replays[context.instance_id])
    second = yield context.call_activity("square", first)
    return second


@app.orchestration_trigger(context_name="context")
def at_least_once(context: df.DurableOrchestrationContext):
    spec = context.get_input()
    effects = []
    for start in range(0, spec["parts"], spec["window"]):
        effects += yield context.task_all([
            context.call_activity("slow_effect", {"run": spec["run"], "part": part, "seconds": spec["seconds"]})
            for part in range(start, min(start + spec["window"], spec["parts"]))])
    return {"parts": len(effects), "checksum": sum(e["value"] for e in effects)}


@app.orchestration_trigger(context_name="context")
def echo_large(context: df.DurableOrchestrationContext):
    data = context.get_input()
    context.set_custom_status({"size": len(data["blob"])})
    length = yield context.call_activity("measure", data)
    return {"length": length, "blob": data["blob"]}


@app.activity_trigger(input_name="data")
def measure(data: dict) -> int:
    return len(data["blob"])


@app.orchestration_trigger(context_name="context")
def long_haul(context: df.DurableOrchestrationContext):
    """Retries, sub-orchestrations, a timer, an external event and continue_as_new in one run."""
    spec = context.get_input()
    retry = df.RetryOptions(first_retry_interval_in_milliseconds=60_000, max_number_of_attempts=3)
    flaky_result = yield context.call_activity_with_retry("flaky", retry, {"key": spec["key"], "fail_times": 1})
    children = yield context.task_all([
        context.call_sub_orchestrator("at_least_once", {"run": f"{spec['key']}-{i}", "parts": 6, "window": 3,
                                                        "seconds": 0.01}, f"{context.instance_id}:child-{i}")
        for i in range(3)])
    yield context.create_timer(context.current_utc_datetime + timedelta(minutes=30))
    context.set_custom_status({"waiting_for": "Go", "round": spec["round"]})
    go = yield context.wait_for_external_event("Go")
    if spec["round"] < 2:
        context.continue_as_new({**spec, "round": spec["round"] + 1})
        return None
    return {"flaky_attempts": flaky_result["attempts"], "children": children, "go": go, "round": spec["round"]}


@app.orchestration_trigger(context_name="context")
def long_haul_edited(context: df.DurableOrchestrationContext):
    """long_haul after an incompatible edit: its first task is a different activity."""
    first = yield context.call_activity("square", 3)
    return first
