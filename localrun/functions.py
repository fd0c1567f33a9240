"""The functions a `FunctionApp` registers, indexed the way the Python worker indexes them."""
from __future__ import annotations

import asyncio
import inspect
import json
import os
import re
import traceback
from dataclasses import dataclass
from typing import Any, Callable

import azure.functions as func
from azure.functions.durable_functions import ActivityTriggerConverter
from azure.functions.meta import Datum


@dataclass(frozen=True)
class HttpFunction:
    name: str
    route: str
    methods: tuple[str, ...]
    auth_level: str
    fn: Callable[..., Any]
    trigger_param: str
    client_param: str | None

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """Route parameters when `path` matches this function's route template (`{name}` segments)."""
        if method.upper() not in self.methods:
            return None
        pattern = "/".join(_segment_pattern(part) for part in self.route.strip("/").split("/"))
        found = re.fullmatch(pattern, path.strip("/"))
        return {k: v for k, v in found.groupdict().items() if v is not None} if found else None


def _segment_pattern(segment: str) -> str:
    found = re.fullmatch(r"\{(\w+)(\?)?(?::[^}]*)?\}", segment)
    if not found:
        return re.escape(segment)
    return f"(?P<{found.group(1)}>[^/]+)" + ("?" if found.group(2) else "")


@dataclass(frozen=True)
class TimerFunction:
    name: str
    schedule: str
    run_on_startup: bool
    fn: Callable[..., Any]
    trigger_param: str
    client_param: str | None

    def resolved_schedule(self) -> str:
        """`%NAME%` schedules are app-setting references, resolved by the host."""
        found = re.fullmatch(r"%(\w+)%", self.schedule)
        if not found:
            return self.schedule
        value = os.environ.get(found.group(1))
        if value is None:
            raise KeyError(f"Timer '{self.name}' schedule refers to app setting {found.group(1)}, which is not set")
        return value


@dataclass(frozen=True)
class ActivityFunction:
    name: str
    fn: Callable[..., Any]
    trigger_param: str

    def invoke(self, input_json: str | None) -> tuple[bool, str]:
        """Run as the worker does: decode the JSON input, call, encode the result. Returns (ok, result-or-error)."""
        try:
            value = ActivityTriggerConverter.decode(Datum(input_json or "null", "json"), trigger_metadata=None)
            result = self.fn(**{self.trigger_param: value})
            if inspect.iscoroutine(result):
                result = asyncio.run(result)
            return True, ActivityTriggerConverter.encode(result, expected_type=None).value
        except Exception as exc:
            return False, json.dumps({"reason": f"Activity function '{self.name}' failed: "
                                                f"{type(exc).__name__}: {exc}",
                                      "details": "".join(traceback.format_exception(exc))})


@dataclass
class FunctionIndex:
    orchestrators: dict[str, Callable[[str], str]]
    activities: dict[str, ActivityFunction]
    http: list[HttpFunction]
    timers: dict[str, TimerFunction]

    @classmethod
    def of(cls, app: func.FunctionApp) -> "FunctionIndex":
        index = cls({}, {}, [], {})
        app.functions_bindings = None  # get_functions() caches and then rejects its own names on a second call
        for function in app.get_functions():
            name = function.get_function_name()
            trigger = function.get_trigger()
            assert name is not None and trigger is not None, "the worker rejects functions without these"
            bindings = [json.loads(raw) for raw in function.get_raw_bindings()]
            client = next((b["name"] for b in bindings if b["type"] == "durableClient"), None)
            user = function.get_user_function()
            if trigger.type == "orchestrationTrigger":
                index.orchestrators[name] = user
            elif trigger.type == "activityTrigger":
                index.activities[name] = ActivityFunction(name, user, trigger.name)
            elif trigger.type == "httpTrigger":
                spec = next(b for b in bindings if b["type"] == "httpTrigger")
                index.http.append(HttpFunction(name, str(spec.get("route") or name),
                                               tuple(m.upper() for m in spec.get("methods") or ("GET", "POST")),
                                               spec.get("authLevel", "FUNCTION"), user, trigger.name, client))
            elif trigger.type == "timerTrigger":
                spec = next(b for b in bindings if b["type"] == "timerTrigger")
                index.timers[name] = TimerFunction(name, spec["schedule"], bool(spec.get("runOnStartup")), user,
                                                   trigger.name, client)
            else:
                raise ValueError(f"Function '{name}' has a {trigger.type} trigger, which the local host lacks")
        return index
