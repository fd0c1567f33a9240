"""The host/worker replay protocol: history events, actions and timestamps, as the SDK 1.7 reads and writes them."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Iterator

from azure.durable_functions.models.actions.ActionType import ActionType
from azure.durable_functions.models.history.HistoryEventType import HistoryEventType

__all__ = ["ActionType", "HistoryEventType", "event", "format_time", "parse_time", "flatten_actions",
           "action_signature", "context_json"]

# Schema V3 without maximumShortTimerDuration: timers are never split into long-timer chains, as on the Azure
# Storage backend.
UPPER_SCHEMA_VERSION = 1
UPPER_SCHEMA_VERSION_NEW = 2

SCHEDULING_EVENTS = {HistoryEventType.TASK_SCHEDULED, HistoryEventType.TIMER_CREATED,
                     HistoryEventType.SUB_ORCHESTRATION_INSTANCE_CREATED}
# The events SDK 1.7's TaskOrchestrationExecutor.process_event acts on. The host also records scheduling and
# OrchestratorCompleted events, which the SDK parses and ignores; leaving them out of the replay payload halves
# the per-episode parsing (dateutil, per event) without changing what the orchestrator sees.
SDK_READS = {HistoryEventType.ORCHESTRATOR_STARTED, HistoryEventType.EXECUTION_STARTED,
             HistoryEventType.CONTINUE_AS_NEW, HistoryEventType.EVENT_SENT, HistoryEventType.EVENT_RAISED,
             HistoryEventType.TASK_COMPLETED, HistoryEventType.TASK_FAILED, HistoryEventType.TIMER_FIRED,
             HistoryEventType.SUB_ORCHESTRATION_INSTANCE_COMPLETED,
             HistoryEventType.SUB_ORCHESTRATION_INSTANCE_FAILED}
COMPLETION_ID_KEYS = {
    HistoryEventType.TASK_COMPLETED: "TaskScheduledId",
    HistoryEventType.TASK_FAILED: "TaskScheduledId",
    HistoryEventType.SUB_ORCHESTRATION_INSTANCE_COMPLETED: "TaskScheduledId",
    HistoryEventType.SUB_ORCHESTRATION_INSTANCE_FAILED: "TaskScheduledId",
    HistoryEventType.TIMER_FIRED: "TimerId",
}


def format_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    text = text.rstrip("Z")
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def event(event_type: HistoryEventType, moment: datetime, event_id: int = -1, **fields: Any) -> dict[str, Any]:
    return {"EventType": int(event_type), "EventId": event_id, "IsPlayed": False, "Timestamp": format_time(moment),
            **fields}


def flatten_actions(actions: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Atomic actions in the order the SDK gives them sequence numbers (compound children in list order)."""
    for action in actions:
        if action["actionType"] in (ActionType.WHEN_ALL, ActionType.WHEN_ANY):
            yield from flatten_actions(action.get("compoundActions") or [])
        else:
            yield action


def action_signature(action: dict[str, Any]) -> tuple[Any, ...]:
    """What must be identical when an action is replayed (cancellation of a timer may change; nothing else)."""
    kind = action["actionType"]
    if kind == ActionType.CREATE_TIMER:
        return (kind, action.get("fireAt"))
    if kind == ActionType.WAIT_FOR_EXTERNAL_EVENT:
        return (kind, action.get("externalEventName"))
    if kind in (ActionType.CALL_SUB_ORCHESTRATOR, ActionType.CALL_SUB_ORCHESTRATOR_WITH_RETRY):
        return (kind, action.get("functionName"), action.get("instanceId"), action.get("input"))
    return (kind, action.get("functionName"), action.get("input"))


def describe_signature(signature: tuple[Any, ...] | None) -> str:
    if signature is None:
        return "nothing"
    kind, *rest = signature
    label = ActionType(kind).name if kind in {a.value for a in ActionType} else str(kind)
    detail = ", ".join(repr(part if not isinstance(part, str) or len(part) < 80 else part[:77] + "...")
                       for part in rest)
    return f"{label}({detail})"


def context_json(history_json: list[str], instance_id: str, input_json: str | None,
                 parent_instance_id: str | None) -> str:
    """The orchestration trigger payload; history events arrive pre-encoded so each episode only joins strings."""
    head = {"instanceId": instance_id, "isReplaying": False, "parentInstanceId": parent_instance_id,
            "input": input_json, "upperSchemaVersion": UPPER_SCHEMA_VERSION,
            "upperSchemaVersionNew": UPPER_SCHEMA_VERSION_NEW}
    encoded = json.dumps(head)
    return encoded[:-1] + ', "history": [' + ",".join(history_json) + "]}"
