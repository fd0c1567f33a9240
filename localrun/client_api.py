"""The Durable extension's instance-management operations over the task hub store: what the HTTP API (and so
`DurableOrchestrationClient`) calls. Each returns (HTTP status, JSON body) as the extension answers."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable

from localrun.protocol import HistoryEventType, format_time
from localrun.store import InstanceRecord, TaskHubStore, validate_instance_id

Reply = tuple[int, Any]
_HIDDEN_EVENTS = {HistoryEventType.ORCHESTRATOR_STARTED, HistoryEventType.ORCHESTRATOR_COMPLETED,
                  HistoryEventType.TASK_SCHEDULED, HistoryEventType.SUB_ORCHESTRATION_INSTANCE_CREATED,
                  HistoryEventType.TIMER_CREATED}


def _loads(value: str | None) -> Any:
    return None if value is None else json.loads(value)


@dataclass
class ClientApi:
    store: TaskHubStore
    orchestrator_names: Callable[[], Iterable[str]]
    notify: Callable[[], None] = lambda: None
    overridable_states: str = "AnyState"  # host.json extensions.durableTask.overridableExistingInstanceStates

    def start(self, name: str, instance_id: str | None, input_json: str | None) -> Reply:
        if name not in set(self.orchestrator_names()):
            return 400, {"ExceptionMessage": f"The function '{name}' doesn't exist, is disabled, or is not an "
                                             "orchestrator function."}
        instance_id = instance_id or uuid.uuid4().hex
        try:
            validate_instance_id(instance_id)
        except ValueError as exc:
            return 400, {"ExceptionMessage": str(exc)}
        existing = self.store.get_instance(instance_id)
        if existing is not None and not existing.is_terminal and self.overridable_states == "NonRunningStates":
            return 400, {"ExceptionMessage": f"An Orchestration instance with the status {existing.runtime_status} "
                                             f"already exists."}
        if existing is not None:
            self.store.delete_instance(instance_id)
        self.store.save_instance(InstanceRecord(instance_id, name, input=input_json))
        self.store.enqueue("start", instance_id)
        self.notify()
        return 202, {"id": instance_id}

    def status(self, instance_id: str, show_history: bool = False, show_history_output: bool = False,
               show_input: bool = True) -> Reply:
        record = self.store.get_instance(instance_id)
        if record is None:
            return 404, None
        body = self._status_body(record, show_input)
        if show_history:
            body["historyEvents"] = self._history(record, show_history_output)
        code = {"Completed": 200, "Failed": 500, "Terminated": 400}.get(record.runtime_status, 202)
        return code, body

    def list_instances(self, runtime_status: set[str] | None = None, prefix: str | None = None,
             created_from: datetime | None = None, created_to: datetime | None = None) -> Reply:
        records = self.store.list_instances(runtime_status)
        chosen = [r for r in records
                  if (prefix is None or r.instance_id.startswith(prefix))
                  and (created_from is None or r.created_time >= created_from)
                  and (created_to is None or r.created_time <= created_to)]
        return 200, [self._status_body(r, show_input=False) for r in chosen]

    def raise_event(self, instance_id: str, name: str, payload: str | None) -> Reply:
        record = self.store.get_instance(instance_id)
        if record is None:
            return 404, None
        if record.is_terminal:
            return 410, None
        self.store.enqueue("event", instance_id, name=name, payload=payload)
        self.notify()
        return 202, None

    def terminate(self, instance_id: str, reason: str) -> Reply:
        record = self.store.get_instance(instance_id)
        if record is None:
            return 404, None
        if record.is_terminal:
            return 410, None
        self.store.enqueue("terminate", instance_id, payload=reason)
        self.notify()
        return 202, None

    def purge(self, instance_id: str) -> Reply:
        record = self.store.get_instance(instance_id)
        if record is None or not record.is_terminal:
            return 404, None
        self.store.delete_instance(instance_id)
        return 200, {"instancesDeleted": 1}

    @staticmethod
    def _status_body(record: InstanceRecord, show_input: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": record.name, "instanceId": record.instance_id, "runtimeStatus": record.runtime_status,
            "customStatus": _loads(record.custom_status), "output": _loads(record.output),
            "createdTime": format_time(record.created_time), "lastUpdatedTime": format_time(record.last_updated_time),
        }
        if show_input:
            body["input"] = _loads(record.input)
        return body

    def _history(self, record: InstanceRecord, with_output: bool) -> list[dict[str, Any]]:
        """The extension's readable history: scheduling events folded into their completions."""
        scheduled: dict[int, dict[str, Any]] = {}
        readable: list[dict[str, Any]] = []
        for encoded in self.store.load_history(record.instance_id, record.execution_id):
            e = json.loads(encoded)
            kind = HistoryEventType(e["EventType"])
            if kind in (HistoryEventType.TASK_SCHEDULED, HistoryEventType.SUB_ORCHESTRATION_INSTANCE_CREATED,
                        HistoryEventType.TIMER_CREATED):
                scheduled[e["EventId"]] = e
            if kind in _HIDDEN_EVENTS:
                continue
            origin = scheduled.get(e.get("TaskScheduledId", e.get("TimerId", -1)), {})
            item: dict[str, Any] = {"EventType": kind.name.title().replace("_", ""), "Timestamp": e["Timestamp"]}
            for key in ("Name", "Reason", "Details", "FireAt", "OrchestrationStatus"):
                if e.get(key) is not None:
                    item[key] = e[key]
            if origin:
                item["FunctionName"] = origin.get("Name")
                item["ScheduledTime"] = origin["Timestamp"]
                if origin.get("InstanceId"):
                    item["InstanceId"] = origin["InstanceId"]
            if with_output and e.get("Result") is not None:
                item["Result"] = _loads(e["Result"]) if kind != HistoryEventType.EXECUTION_COMPLETED \
                    or e.get("OrchestrationStatus") == "Completed" else e["Result"]
            readable.append(item)
        return readable
