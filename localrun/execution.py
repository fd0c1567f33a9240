"""One orchestration execution as the host sees it: its history, the sequence numbers it has handed out, the work
it is waiting for, and one episode of the SDK's replay.

Sequence numbers must match the SDK's exactly. The SDK numbers tasks in the order it meets them: new actions as
user code yields them, plus — for `*_with_retry` tasks — a timer when an attempt fails and a new attempt when that
timer fires (models/Task.py RetryAbleTask; the host's DTFx RetryInterceptor does the same). Those retry events
never resume user code, so each episode delivers them first: the ids they take precede every id the episode's new
actions take, in the same order on both sides.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from localrun.protocol import (COMPLETION_ID_KEYS, SCHEDULING_EVENTS, SDK_READS, ActionType, HistoryEventType,
                               action_signature, context_json, describe_signature, event, flatten_actions,
                               format_time, parse_time)

_OUT_OF_PROC_MARKER = "\n\n$OutOfProcData$:"
_UNSUPPORTED = {ActionType.CALL_ENTITY: "entities", ActionType.SIGNAL_ENTITY: "entities",
                ActionType.CALL_HTTP: "durable HTTP (call_http)"}


@dataclass(frozen=True)
class Retry:
    first_interval_ms: int
    max_attempts: int


@dataclass
class Scheduled:
    """A task the host owes the orchestrator a completion for."""
    task_id: int
    kind: str  # "activity" | "suborchestration" | "timer"
    name: str | None = None
    input: str | None = None
    child_instance_id: str | None = None
    fire_at: str | None = None
    retry: Retry | None = None
    origin: int | None = None  # first attempt's id, for retry attempts and retry timers
    attempt: int = 1
    position: int | None = None  # index among the flattened actions (None for retry-made tasks)


@dataclass
class Outcome:
    status: str  # "Running" | "Completed" | "Failed" | "ContinuedAsNew"
    output: Any = None
    error: str | None = None
    continue_input: str | None = None
    custom_status: Any = None
    work: list[Scheduled] = field(default_factory=list)  # to start once the episode is persisted


class EpisodeError(Exception):
    """The orchestrator cannot go on: non-deterministic replay or an API the local runner lacks."""


@dataclass
class Execution:
    instance_id: str
    name: str
    execution_id: str
    input: str | None
    parent_instance_id: str | None = None
    replay: list[str] = field(default_factory=list)  # encoded events the SDK reads, IsPlayed once persisted
    persisted: int = 0  # events in the store for this execution
    next_id: int = 0
    signatures: list[tuple[Any, ...]] = field(default_factory=list)  # per flattened action position
    position_ids: list[int | None] = field(default_factory=list)
    scheduled: dict[int, Scheduled] = field(default_factory=dict)
    open_ids: set[int] = field(default_factory=set)
    first: list[dict[str, Any]] = field(default_factory=list)  # retry events, delivered first
    incoming: list[dict[str, Any]] = field(default_factory=list)
    started: bool = False
    done: bool = False
    final_event: dict[str, Any] | None = None  # how a restored execution ended, when it had
    restore_error: str | None = None  # the code no longer replays the persisted history

    # -- delivering completions -----------------------------------------------------------------------------
    def deliver(self, completion: dict[str, Any]) -> None:
        kind = HistoryEventType(completion["EventType"])
        key = COMPLETION_ID_KEYS.get(kind)
        if key is None:  # external event
            self.incoming.append(completion)
            return
        task_id = completion[key]
        if task_id not in self.open_ids:
            return  # a duplicate (at-least-once) or a completion for a cancelled timer
        self.open_ids.discard(task_id)
        task = self.scheduled[task_id]
        allocates = task.retry is not None and (
            (kind in (HistoryEventType.TASK_FAILED, HistoryEventType.SUB_ORCHESTRATION_INSTANCE_FAILED))
            or (kind == HistoryEventType.TIMER_FIRED and task.attempt < task.retry.max_attempts))
        (self.first if allocates else self.incoming).append(completion)

    @property
    def has_news(self) -> bool:
        return bool(self.first or self.incoming or not self.started)

    # -- one episode ----------------------------------------------------------------------------------------
    def run_episode(self, handle: Callable[[str], str], now: datetime) -> tuple[Outcome, list[str]]:
        """Replay with the pending events; returns the outcome and the encoded events to persist."""
        new_events: list[dict[str, Any]] = [event(HistoryEventType.ORCHESTRATOR_STARTED, now)]
        if not self.started:
            new_events.append(event(HistoryEventType.EXECUTION_STARTED, now, Name=self.name, Version="",
                                    Input=self.input, ParentInstance=self.parent_instance_id))
        work: list[Scheduled] = []
        host_events: list[dict[str, Any]] = []
        for completion in self.first:
            new_events.append(completion)
            self._continue_retry(completion, now, host_events, work)
        new_events.extend(self.incoming)
        self.first, self.incoming = [], []
        self.started = True

        pending = [json.dumps(e) for e in new_events if e["EventType"] in SDK_READS]
        payload = context_json(self.replay + pending, self.instance_id, self.input, self.parent_instance_id)
        try:
            state = json.loads(handle(payload))
            outcome = self._read_state(state, now, host_events, work)
        except EpisodeError as exc:
            outcome = Outcome("Failed", error=str(exc))
        except Exception as exc:  # the orchestrator raised: the SDK packs the message before its marker
            message = str(exc).split(_OUT_OF_PROC_MARKER, 1)[0]
            outcome = Outcome("Failed", error=message)
        closing: list[dict[str, Any]] = []
        if outcome.status in ("Completed", "Failed"):
            result = json.dumps(outcome.output) if outcome.status == "Completed" else outcome.error
            closing.append(event(HistoryEventType.EXECUTION_COMPLETED, now, OrchestrationStatus=outcome.status,
                                 Result=result))
            self.done = True
        if outcome.status == "ContinuedAsNew":
            closing.append(event(HistoryEventType.CONTINUE_AS_NEW, now, Input=outcome.continue_input))
            self.done = True
        closing.append(event(HistoryEventType.ORCHESTRATOR_COMPLETED, now))
        episode = [dict(e, IsPlayed=True) for e in new_events + host_events + closing]
        encoded = [json.dumps(e) for e in episode]
        self.replay.extend(text for e, text in zip(episode, encoded, strict=True) if e["EventType"] in SDK_READS)
        outcome.work = work if outcome.status == "Running" else []
        return outcome, encoded

    def _allocate(self) -> int:
        task_id = self.next_id
        self.next_id += 1
        return task_id

    def _continue_retry(self, completion: dict[str, Any], now: datetime, host_events: list[dict[str, Any]],
                        work: list[Scheduled]) -> None:
        kind = HistoryEventType(completion["EventType"])
        finished = self.scheduled[completion[COMPLETION_ID_KEYS[kind]]]
        assert finished.retry is not None
        origin_id = finished.origin if finished.origin is not None else finished.task_id
        origin = self.scheduled[origin_id]
        if kind == HistoryEventType.TIMER_FIRED:  # the retry interval passed: schedule the next attempt
            task = Scheduled(self._allocate(), origin.kind, name=origin.name, input=origin.input,
                             child_instance_id=origin.child_instance_id, retry=origin.retry, origin=origin_id,
                             attempt=finished.attempt + 1)
        else:  # an attempt failed: wait the retry interval (also after the last attempt, as the SDK expects)
            fire_at = format_time(now + timedelta(milliseconds=origin.retry.first_interval_ms))  # type: ignore
            task = Scheduled(self._allocate(), "timer", fire_at=fire_at, retry=origin.retry, origin=origin_id,
                             attempt=finished.attempt)
        host_events.append(self._scheduling_event(task, now))
        self._track(task, work)

    def _track(self, task: Scheduled, work: list[Scheduled]) -> None:
        self.scheduled[task.task_id] = task
        self.open_ids.add(task.task_id)
        work.append(task)

    def _scheduling_event(self, task: Scheduled, now: datetime) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if task.retry is not None:
            extra = {"RetryFirstIntervalMs": task.retry.first_interval_ms, "RetryMaxAttempts": task.retry.max_attempts,
                     "Attempt": task.attempt}
            if task.origin is not None:
                extra["RetryOf"] = task.origin
        if task.kind == "timer":
            return event(HistoryEventType.TIMER_CREATED, now, task.task_id, FireAt=task.fire_at, **extra)
        if task.kind == "suborchestration":
            return event(HistoryEventType.SUB_ORCHESTRATION_INSTANCE_CREATED, now, task.task_id, Name=task.name,
                         InstanceId=task.child_instance_id, Input=task.input, **extra)
        return event(HistoryEventType.TASK_SCHEDULED, now, task.task_id, Name=task.name, Input=task.input, **extra)

    def _read_state(self, state: dict[str, Any], now: datetime, host_events: list[dict[str, Any]],
                    work: list[Scheduled]) -> Outcome:
        actions = state.get("actions") or []
        flat = list(flatten_actions(actions[0] if actions else []))
        self._check_replay(flat)
        continue_input: str | None = None
        continues = False
        for position in range(len(self.signatures), len(flat)):
            action = flat[position]
            kind = action["actionType"]
            self.signatures.append(action_signature(action))
            if kind == ActionType.WAIT_FOR_EXTERNAL_EVENT:
                self.position_ids.append(None)
                continue
            task_id = self._allocate()
            self.position_ids.append(task_id)
            if kind in _UNSUPPORTED:
                raise EpisodeError(f"The local runner does not support {_UNSUPPORTED[kind]}; "
                                          f"orchestrator '{self.name}' used it")
            if kind == ActionType.CONTINUE_AS_NEW:
                continues, continue_input = True, action.get("input")
                continue
            task = self._task_from_action(task_id, position, action)
            host_events.append(self._scheduling_event(task, now))
            if kind == ActionType.CREATE_TIMER and action.get("isCanceled"):
                self.scheduled[task_id] = task  # created then cancelled in one episode: never fires
                continue
            self._track(task, work)
        self._drop_cancelled_timers(flat, work)
        custom = state.get("customStatus")
        if continues:
            return Outcome("ContinuedAsNew", continue_input=continue_input, custom_status=custom)
        if state.get("isDone"):
            return Outcome("Completed", output=state.get("output"), custom_status=custom)
        return Outcome("Running", custom_status=custom)

    def _task_from_action(self, task_id: int, position: int, action: dict[str, Any]) -> Scheduled:
        kind = action["actionType"]
        options = action.get("retryOptions")
        retry = Retry(int(options["firstRetryIntervalInMilliseconds"]), int(options["maxNumberOfAttempts"])) \
            if options else None
        if kind == ActionType.CREATE_TIMER:
            return Scheduled(task_id, "timer", fire_at=action["fireAt"], position=position)
        if kind in (ActionType.CALL_SUB_ORCHESTRATOR, ActionType.CALL_SUB_ORCHESTRATOR_WITH_RETRY):
            child = action.get("instanceId") or f"{self.instance_id}:{task_id:04d}"
            return Scheduled(task_id, "suborchestration", name=action["functionName"], input=action.get("input"),
                             child_instance_id=child, retry=retry, position=position)
        return Scheduled(task_id, "activity", name=action["functionName"], input=action.get("input"), retry=retry,
                         position=position)

    def _check_replay(self, flat: list[dict[str, Any]]) -> None:
        for position, recorded in enumerate(self.signatures):
            replayed = action_signature(flat[position]) if position < len(flat) else None
            if replayed != recorded:
                raise EpisodeError(
                    f"Non-deterministic orchestrator '{self.name}' (instance '{self.instance_id}'): on replay, "
                    f"action #{position} is {describe_signature(replayed)} but the history recorded "
                    f"{describe_signature(recorded)}. Orchestrators must not read clocks, random numbers, "
                    "settings or I/O; use context.current_utc_datetime, context.new_uuid() and activities.")

    def _drop_cancelled_timers(self, flat: list[dict[str, Any]], work: list[Scheduled]) -> None:
        for task_id in list(self.open_ids):
            task = self.scheduled[task_id]
            if task.kind == "timer" and task.position is not None and flat[task.position].get("isCanceled"):
                self.open_ids.discard(task_id)
                work[:] = [w for w in work if w.task_id != task_id]

    # -- rebuilding after a restart -------------------------------------------------------------------------
    @classmethod
    def restore(cls, instance_id: str, name: str, execution_id: str, input_json: str | None,
                parent_instance_id: str | None, history: list[str], handle: Callable[[str], str]) -> "Execution":
        """Rebuild the host-side bookkeeping from persisted history, then replay once (nothing persisted) to
        recover action positions and to check the code still replays the same way."""
        execution = cls(instance_id, name, execution_id, input_json, parent_instance_id, persisted=len(history),
                        started=bool(history))
        completed: set[int] = set()
        action_ids: list[int] = []
        for encoded in history:
            e = json.loads(encoded)
            kind = HistoryEventType(e["EventType"])
            if kind in SDK_READS:
                execution.replay.append(encoded)
            if kind in SCHEDULING_EVENTS:
                task = execution._task_from_event(e)
                execution.scheduled[task.task_id] = task
                execution.next_id = max(execution.next_id, task.task_id + 1)
                if task.origin is None:
                    action_ids.append(task.task_id)
            elif kind in COMPLETION_ID_KEYS:
                completed.add(e[COMPLETION_ID_KEYS[kind]])
            elif kind in (HistoryEventType.EXECUTION_COMPLETED, HistoryEventType.CONTINUE_AS_NEW,
                          HistoryEventType.EXECUTION_TERMINATED):
                execution.done, execution.final_event = True, e
        if not history:
            return execution
        state = _replay_state(handle, context_json(execution.replay, instance_id, input_json, parent_instance_id))
        flat = list(flatten_actions((state.get("actions") or [[]])[0] if state.get("actions") else []))
        ids = iter(sorted(action_ids))
        for position, action in enumerate(flat):
            execution.signatures.append(action_signature(action))
            if action["actionType"] == ActionType.WAIT_FOR_EXTERNAL_EVENT:
                execution.position_ids.append(None)
                continue
            task_id = next(ids, None)
            execution.position_ids.append(task_id)
            if task_id is None or task_id not in execution.scheduled:
                continue  # an action of the episode that never got persisted: the next episode schedules it
            recorded = execution.scheduled[task_id]
            recorded.position = position
            if execution.restore_error is None and not _matches(action, recorded):
                execution.restore_error = (
                    f"Non-deterministic orchestrator '{name}' (instance '{instance_id}'): on replay after a restart, "
                    f"action #{position} is {describe_signature(action_signature(action))} but the history "
                    f"recorded {recorded.kind} '{recorded.name or recorded.fire_at}' with input {recorded.input!r}.")
        missing = list(ids)
        if missing and execution.restore_error is None:
            execution.restore_error = (
                f"Non-deterministic orchestrator '{name}' (instance '{instance_id}'): on replay after a restart, the "
                f"code no longer schedules {len(missing)} task(s) the history recorded (first: "
                f"{execution.scheduled[missing[0]].kind} '{execution.scheduled[missing[0]].name}').")
        execution.open_ids = {task_id for task_id, task in execution.scheduled.items()
                              if task_id not in completed and not (
                                  task.kind == "timer" and task.position is not None
                                  and flat[task.position].get("isCanceled"))}
        return execution

    @staticmethod
    def _task_from_event(e: dict[str, Any]) -> Scheduled:
        kind = HistoryEventType(e["EventType"])
        retry = Retry(e["RetryFirstIntervalMs"], e["RetryMaxAttempts"]) if "RetryMaxAttempts" in e else None
        common = dict(retry=retry, origin=e.get("RetryOf"), attempt=e.get("Attempt", 1))
        if kind == HistoryEventType.TIMER_CREATED:
            return Scheduled(e["EventId"], "timer", fire_at=e["FireAt"], **common)
        if kind == HistoryEventType.SUB_ORCHESTRATION_INSTANCE_CREATED:
            return Scheduled(e["EventId"], "suborchestration", name=e["Name"], input=e.get("Input"),
                             child_instance_id=e["InstanceId"], **common)
        return Scheduled(e["EventId"], "activity", name=e["Name"], input=e.get("Input"), **common)

    def pending_work(self) -> list[Scheduled]:
        return [self.scheduled[task_id] for task_id in sorted(self.open_ids)]


def _matches(action: dict[str, Any], recorded: Scheduled) -> bool:
    kind = action["actionType"]
    if kind == ActionType.CREATE_TIMER:
        return recorded.kind == "timer" and action.get("fireAt") == recorded.fire_at
    if kind in (ActionType.CALL_SUB_ORCHESTRATOR, ActionType.CALL_SUB_ORCHESTRATOR_WITH_RETRY):
        return recorded.kind == "suborchestration" and action.get("functionName") == recorded.name \
            and action.get("input") == recorded.input
    return recorded.kind == "activity" and action.get("functionName") == recorded.name \
        and action.get("input") == recorded.input


def _replay_state(handle: Callable[[str], str], payload: str) -> dict[str, Any]:
    try:
        return json.loads(handle(payload))
    except Exception as exc:  # a failed orchestrator still reports its actions in the packed state
        packed = str(exc).split(_OUT_OF_PROC_MARKER, 1)
        return json.loads(packed[1]) if len(packed) == 2 else {}


def fire_time(task: Scheduled) -> datetime:
    assert task.fire_at is not None
    return parse_time(task.fire_at)
