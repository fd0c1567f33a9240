"""The orchestration engine: picks up started instances, raised events and terminations from the store's inbox,
runs episodes through the SDK's orchestrator handles, persists each episode's history before acting on it, runs
activities in a bounded thread pool, fires timers on a virtual clock, and routes sub-orchestration results.

Everything that can complete between two episodes of an instance is applied in its next episode, so a fan-out of
n activities costs a handful of replays, not n.
"""
from __future__ import annotations

import heapq
import itertools
import json
import logging
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from localrun.clock import VirtualClock
from localrun.execution import Execution, Outcome, Scheduled, fire_time
from localrun.functions import FunctionIndex
from localrun.protocol import HistoryEventType, event, parse_time
from localrun.store import InboxMessage, InstanceRecord, TaskHubStore

log = logging.getLogger("localrun")
_INBOX_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class _Completion:
    instance_id: str
    execution_id: str
    event: dict[str, Any]


class Engine:
    def __init__(self, index: FunctionIndex, store: TaskHubStore, *, max_activity_workers: int = 8,
                 clock: VirtualClock | None = None, advance_timers_when_idle: bool = True,
                 max_timer_jump: timedelta | None = None,
                 on_episode: Callable[[str, Outcome], None] | None = None) -> None:
        self.index = index
        self.store = store
        self.clock = clock or VirtualClock()
        self.advance_timers_when_idle = advance_timers_when_idle
        self.max_timer_jump = max_timer_jump  # a timer further away than this waits for real time (a gate's timeout)
        self.on_episode = on_episode
        self._pool = ThreadPoolExecutor(max_workers=max_activity_workers, thread_name_prefix="activity")
        self._completions: queue.Queue[_Completion] = queue.Queue()
        self._wake = threading.Event()
        self._timers: list[tuple[datetime, int, str, str, int]] = []
        self._timer_seq = itertools.count()
        self.executions: dict[str, Execution] = {}
        self.records: dict[str, InstanceRecord] = {}
        self._ready: dict[str, None] = {}
        self._in_flight = 0
        self._last_inbox_poll = 0.0
        self.episodes = 0
        self._recovered = False

    # -- lifecycle ------------------------------------------------------------------------------------------
    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def notify(self) -> None:
        """Called by in-process clients after they write to the inbox."""
        self._wake.set()

    def recover(self) -> None:
        """Resume every non-terminal instance from its persisted history, re-issuing the work it still awaits."""
        for record in self.store.list_instances(statuses=("Pending", "Running")):
            if record.instance_id in self.executions:
                continue
            handle = self.index.orchestrators.get(record.name)
            if handle is None:
                self._fail_unknown(record)
                continue
            history = self.store.load_history(record.instance_id, record.execution_id)
            if history:  # virtual time never runs backwards across a restart
                self.clock.advance_to(parse_time(json.loads(history[-1])["Timestamp"]))
            execution = Execution.restore(record.instance_id, record.name, record.execution_id, record.input,
                                          record.parent_instance_id, history, handle)
            self._adopt(record, execution)
            if execution.restore_error is not None or execution.final_event is not None:
                self._conclude_restored(execution, record)
                continue
            for task in execution.pending_work():
                self._dispatch(execution, task)
        self._recovered = True

    def _conclude_restored(self, execution: Execution, record: InstanceRecord) -> None:
        """The process died after persisting an execution's last episode, or the code changed under it."""
        final = execution.final_event or {}
        if execution.restore_error is not None:
            ended = event(HistoryEventType.EXECUTION_COMPLETED, self.clock.now(), OrchestrationStatus="Failed",
                          Result=execution.restore_error, IsPlayed=True)
            self.store.append_history(execution.instance_id, execution.execution_id, execution.persisted,
                                      [json.dumps(ended)])
            self._conclude(execution, record, Outcome("Failed", error=execution.restore_error))
        elif final["EventType"] == HistoryEventType.CONTINUE_AS_NEW:
            self._continue_as_new(execution, record, final.get("Input"))
        elif final["EventType"] == HistoryEventType.EXECUTION_TERMINATED:
            record.runtime_status, record.output = "Terminated", json.dumps(final.get("Input"))
            self.store.save_instance(record)
            self._finish(execution, record, None)
        elif final.get("OrchestrationStatus") == "Completed":
            self._conclude(execution, record, Outcome("Completed", output=json.loads(final.get("Result") or "null")))
        else:
            self._conclude(execution, record, Outcome("Failed", error=final.get("Result")))

    # -- the loop -------------------------------------------------------------------------------------------
    def run_until(self, done: Callable[[], bool], timeout: float | None = None, stop_when_idle: bool = False) -> bool:
        """Drive instances until `done()`; returns False on timeout or (with stop_when_idle) when nothing can move
        without outside input."""
        if not self._recovered:
            self.recover()
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            self._poll_inbox()
            self._drain_completions()
            self._fire_due_timers()
            if self._ready:
                self._run_ready()
                continue
            if done():
                return True
            if deadline is not None and time.monotonic() > deadline:
                return False
            if self._in_flight == 0:
                self._discard_stale_timers()
                if self._timers and self.advance_timers_when_idle and (
                        self.max_timer_jump is None or self._timers[0][0] - self.clock.now() <= self.max_timer_jump):
                    self.clock.advance_to(self._timers[0][0])
                    continue
                if stop_when_idle and not self._wake.is_set():
                    self._poll_inbox(force=True)
                    if not self._ready:
                        return done()
                    continue
            self._wait()

    def _wait(self) -> None:
        timeout = _INBOX_POLL_SECONDS
        if self._timers:
            timeout = min(timeout, max(0.0, (self._timers[0][0] - self.clock.now()).total_seconds()))
        try:
            self._take(self._completions.get(timeout=timeout))
        except queue.Empty:
            pass

    def _drain_completions(self) -> None:
        while True:
            try:
                self._take(self._completions.get_nowait())
            except queue.Empty:
                return

    def _take(self, completion: _Completion) -> None:
        self._in_flight -= 1
        execution = self.executions.get(completion.instance_id)
        if execution is None or execution.execution_id != completion.execution_id:
            return  # the instance ended or was restarted; the result has no one to go to
        execution.deliver(completion.event)
        self._ready[completion.instance_id] = None

    def _fire_due_timers(self) -> None:
        now = self.clock.now()
        while self._timers and self._timers[0][0] <= now:
            fire_at, _, instance_id, execution_id, task_id = heapq.heappop(self._timers)
            execution = self.executions.get(instance_id)
            if execution is None or execution.execution_id != execution_id:
                continue
            execution.deliver(event(HistoryEventType.TIMER_FIRED, now, TimerId=task_id,
                                    FireAt=execution.scheduled[task_id].fire_at))
            self._ready[instance_id] = None

    def _discard_stale_timers(self) -> None:
        """Cancelled timers and timers of ended instances must not pull the virtual clock forward."""
        while self._timers:
            _, _, instance_id, execution_id, task_id = self._timers[0]
            execution = self.executions.get(instance_id)
            if execution is not None and execution.execution_id == execution_id and task_id in execution.open_ids:
                return
            heapq.heappop(self._timers)

    # -- inbox ----------------------------------------------------------------------------------------------
    def _poll_inbox(self, force: bool = False) -> None:
        woken = self._wake.is_set()
        if not (force or woken or time.monotonic() - self._last_inbox_poll >= _INBOX_POLL_SECONDS):
            return
        self._wake.clear()
        self._last_inbox_poll = time.monotonic()
        messages = self.store.read_inbox()
        handled: list[InboxMessage] = []
        for message in messages:
            if self._apply_message(message):
                handled.append(message)
        self.store.delete_inbox(handled)

    def _apply_message(self, message: InboxMessage) -> bool:
        if message.kind == "start":
            record = self.store.get_instance(message.instance_id)
            current = self.executions.get(message.instance_id)
            if record is None or record.runtime_status != "Pending":
                return True  # already started by recovery, or purged
            if current is not None and current.execution_id == record.execution_id:
                return True
            handle = self.index.orchestrators.get(record.name)
            if handle is None:
                self._fail_unknown(record)
                return True
            self._adopt(record, Execution(record.instance_id, record.name, record.execution_id, record.input,
                                          record.parent_instance_id))
            return True
        execution = self.executions.get(message.instance_id)
        if execution is None:
            return True  # the instance ended meanwhile: the client has been told already where it could tell
        if message.kind == "event":
            execution.deliver(event(HistoryEventType.EVENT_RAISED, self.clock.now(), Name=message.name,
                                    Input=message.payload))
            self._ready[message.instance_id] = None
        elif message.kind == "terminate":
            self._terminate(execution, message.payload or "")
        return True

    # -- episodes -------------------------------------------------------------------------------------------
    def _adopt(self, record: InstanceRecord, execution: Execution) -> None:
        self.records[record.instance_id] = record
        self.executions[record.instance_id] = execution
        if execution.has_news:
            self._ready[record.instance_id] = None

    def _run_ready(self) -> None:
        ready, self._ready = list(self._ready), {}
        for instance_id in ready:
            execution = self.executions.get(instance_id)
            if execution is not None and execution.has_news and not execution.done:
                self._run_episode(execution)

    def _run_episode(self, execution: Execution) -> None:
        record = self.records[execution.instance_id]
        handle = self.index.orchestrators[execution.name]
        outcome, encoded = execution.run_episode(handle, self.clock.now())
        self.episodes += 1
        self.store.append_history(execution.instance_id, execution.execution_id, execution.persisted, encoded)
        execution.persisted += len(encoded)
        if outcome.custom_status is not None:
            record.custom_status = json.dumps(outcome.custom_status)
        if outcome.status == "Running":
            record.runtime_status = "Running"
            self.store.save_instance(record)
            for task in outcome.work:
                self._dispatch(execution, task)
        elif outcome.status == "ContinuedAsNew":
            self._continue_as_new(execution, record, outcome.continue_input)
        else:
            self._conclude(execution, record, outcome)
        if self.on_episode is not None:
            self.on_episode(execution.instance_id, outcome)

    def _conclude(self, execution: Execution, record: InstanceRecord, outcome: Outcome) -> None:
        record.runtime_status = outcome.status
        record.output = json.dumps(outcome.output if outcome.status == "Completed" else outcome.error)
        self.store.save_instance(record)
        self._finish(execution, record, outcome)

    def _continue_as_new(self, execution: Execution, record: InstanceRecord, new_input: str | None) -> None:
        fresh = InstanceRecord(record.instance_id, record.name, runtime_status="Running", input=new_input,
                               custom_status=record.custom_status, parent_instance_id=record.parent_instance_id,
                               parent_task_id=record.parent_task_id, created_time=record.created_time)
        self.store.save_instance(fresh)
        successor = Execution(fresh.instance_id, fresh.name, fresh.execution_id, new_input, fresh.parent_instance_id)
        successor.incoming.extend(execution.incoming)  # events raised while the last episode ran
        self._adopt(fresh, successor)

    def _finish(self, execution: Execution, record: InstanceRecord, outcome: Outcome | None) -> None:
        self.executions.pop(execution.instance_id, None)
        self.records.pop(execution.instance_id, None)
        parent = self.executions.get(record.parent_instance_id or "")
        if parent is None or record.parent_task_id is None:
            return
        now = self.clock.now()
        if outcome is not None and outcome.status == "Completed":
            completion = event(HistoryEventType.SUB_ORCHESTRATION_INSTANCE_COMPLETED, now,
                               TaskScheduledId=record.parent_task_id, Result=json.dumps(outcome.output))
        else:
            reason = outcome.error if outcome is not None else f"terminated: {json.loads(record.output or 'null')}"
            completion = event(HistoryEventType.SUB_ORCHESTRATION_INSTANCE_FAILED, now,
                               TaskScheduledId=record.parent_task_id,
                               Reason=f"Sub-orchestration '{record.name}' ({record.instance_id}) failed: {reason}",
                               Details=None)
        parent.deliver(completion)
        self._ready[parent.instance_id] = None

    def _terminate(self, execution: Execution, reason: str) -> None:
        record = self.records[execution.instance_id]
        now = self.clock.now()
        encoded = [json.dumps(event(HistoryEventType.EXECUTION_TERMINATED, now, Input=reason, IsPlayed=True))]
        self.store.append_history(execution.instance_id, execution.execution_id, execution.persisted, encoded)
        execution.persisted += 1
        execution.done = True
        record.runtime_status = "Terminated"
        record.output = json.dumps(reason)
        self.store.save_instance(record)
        self._finish(execution, record, None)

    def _fail_unknown(self, record: InstanceRecord) -> None:
        record.runtime_status = "Failed"
        record.output = json.dumps(f"The function '{record.name}' doesn't exist, is disabled, or is not an "
                                   "orchestrator function.")
        self.store.save_instance(record)

    # -- work -----------------------------------------------------------------------------------------------
    def _dispatch(self, execution: Execution, task: Scheduled) -> None:
        if task.kind == "timer":
            heapq.heappush(self._timers, (fire_time(task), next(self._timer_seq), execution.instance_id,
                                          execution.execution_id, task.task_id))
        elif task.kind == "activity":
            self._in_flight += 1
            self._pool.submit(self._run_activity, execution.instance_id, execution.execution_id, task)
        else:
            self._start_child(execution, task)

    def _run_activity(self, instance_id: str, execution_id: str, task: Scheduled) -> None:
        activity = self.index.activities.get(task.name or "")
        if activity is None:
            ok, payload = False, json.dumps({"reason": f"The function '{task.name}' doesn't exist, is disabled, or "
                                                       "is not an activity function.", "details": None})
        else:
            ok, payload = activity.invoke(task.input)
        now = self.clock.now()
        if ok:
            completed = event(HistoryEventType.TASK_COMPLETED, now, TaskScheduledId=task.task_id, Result=payload)
        else:
            failure = json.loads(payload)
            completed = event(HistoryEventType.TASK_FAILED, now, TaskScheduledId=task.task_id,
                              Reason=failure["reason"], Details=failure["details"])
        self._completions.put(_Completion(instance_id, execution_id, completed))

    def _start_child(self, parent: Execution, task: Scheduled) -> None:
        child_id = task.child_instance_id or ""
        existing = self.store.get_instance(child_id)
        if existing is not None and existing.parent_instance_id == parent.instance_id \
                and existing.parent_task_id == task.task_id:
            if existing.is_terminal:  # finished before a restart; report it again
                outcome = Outcome(existing.runtime_status, output=json.loads(existing.output or "null"),
                                  error=json.loads(existing.output or "null"))
                self._finish(Execution(child_id, existing.name, existing.execution_id, None), existing,
                             outcome if existing.runtime_status != "Terminated" else None)
            return  # still running: recovery resumes it
        record = InstanceRecord(child_id, task.name or "", input=task.input, parent_instance_id=parent.instance_id,
                                parent_task_id=task.task_id)
        self.store.save_instance(record)
        if record.name not in self.index.orchestrators:
            self._fail_unknown(record)
            self._finish(Execution(child_id, record.name, record.execution_id, None), record,
                         Outcome("Failed", error=json.loads(record.output or "null")))
            return
        self._adopt(record, Execution(child_id, record.name, record.execution_id, record.input, parent.instance_id))
