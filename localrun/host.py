"""A local Functions host for one `FunctionApp`: the engine, the extension's HTTP API, and invocation of HTTP and
timer functions with a durable client binding — so starters run exactly as deployed."""
from __future__ import annotations

import importlib
import inspect
import json
import os
import re
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

import azure.functions as func
from azure.durable_functions.models.utils import http_utils
from azure.functions.timer import TimerRequest

from localrun.client_api import ClientApi
from localrun.clock import VirtualClock
from localrun.engine import Engine
from localrun.execution import Outcome
from localrun.functions import FunctionIndex
from localrun.rpc_server import RPC_PREFIX, WEBHOOK_PREFIX, LoopThread, RpcServer
from localrun.store import TaskHubStore

ROOT = Path(__file__).resolve().parent.parent


def load_local_settings(path: Path = ROOT / "local.settings.json", override: bool = False) -> None:
    """Put `Values` into the environment, as `func start` does; the environment wins unless `override`."""
    if not path.exists():
        return
    for key, value in json.loads(path.read_text()).get("Values", {}).items():
        if override or key not in os.environ:
            os.environ[key] = str(value)


def _resolve_setting(value: str) -> str:
    found = re.fullmatch(r"%(\w+)%", value)
    return os.environ.get(found.group(1), "") if found else value


def load_function_app(module: str = "function_app") -> func.FunctionApp:
    return importlib.import_module(module).app


class LocalHost:
    def __init__(self, app: func.FunctionApp, connection_string: str, *, host_json: Path = ROOT / "host.json",
                 hub: str | None = None, advance_timers_when_idle: bool = True,
                 max_timer_jump: timedelta | None = None,
                 max_activity_workers: int | None = None,
                 on_episode: Callable[[str, Outcome], None] | None = None,
                 function_keys: frozenset[str] = frozenset()) -> None:
        """`function_keys`: when given, HTTP functions of auth level FUNCTION answer 401 to a request without one
        of them (`x-functions-key` header or `code` query parameter), as the deployed host does."""
        durable = json.loads(host_json.read_text()).get("extensions", {}).get("durableTask", {})
        self.hub = hub or _resolve_setting(durable.get("hubName", "TestHubName")) or "TestHubName"
        self.index = FunctionIndex.of(app)
        self.function_keys = function_keys
        self.store = TaskHubStore(connection_string, self.hub).ensure()
        workers = max_activity_workers or int(durable.get("maxConcurrentActivityFunctions", 10))
        self.engine = Engine(self.index, self.store, max_activity_workers=workers, clock=VirtualClock(),
                             advance_timers_when_idle=advance_timers_when_idle, max_timer_jump=max_timer_jump,
                             on_episode=on_episode)
        self.api = ClientApi(TaskHubStore(connection_string, self.hub), lambda: self.index.orchestrators.keys(),
                             self.engine.notify,
                             durable.get("overridableExistingInstanceStates", "AnyState"))
        self._loop = LoopThread()
        self.server = RpcServer(self.api, self._loop).start()

    def close(self) -> None:
        self._loop.run(http_utils._close_session())  # the SDK's shared aiohttp session lives on this loop
        self.server.stop()
        self._loop.stop()
        self.engine.close()

    def __enter__(self) -> "LocalHost":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the durable client binding, as the host passes it ---------------------------------------------------
    def client_binding(self) -> str:
        hook = self.server.base_url + WEBHOOK_PREFIX
        query = f"taskHub={self.hub}&connection=Storage"
        return json.dumps({
            "taskHubName": self.hub,
            "creationUrls": {
                "createNewInstancePostUri": f"{hook}orchestrators/{{functionName}}[/{{instanceId}}]?{query}",
                "createAndWaitOnNewInstancePostUri":
                    f"{hook}orchestrators/{{functionName}}[/{{instanceId}}]?timeout={{timeoutInSeconds}}&"
                    f"pollingInterval={{intervalInSeconds}}&{query}"},
            "managementUrls": {
                "id": "INSTANCEID",
                "statusQueryGetUri": f"{hook}instances/INSTANCEID?{query}",
                "sendEventPostUri": f"{hook}instances/INSTANCEID/raiseEvent/{{eventName}}?{query}",
                "terminatePostUri": f"{hook}instances/INSTANCEID/terminate?reason={{text}}&{query}",
                "rewindPostUri": f"{hook}instances/INSTANCEID/rewind?reason={{text}}&{query}",
                "purgeHistoryDeleteUri": f"{hook}instances/INSTANCEID?{query}",
                "restartPostUri": f"{hook}instances/INSTANCEID/restart?{query}",
                "suspendPostUri": f"{hook}instances/INSTANCEID/suspend?reason={{text}}&{query}",
                "resumePostUri": f"{hook}instances/INSTANCEID/resume?reason={{text}}&{query}"},
            "rpcBaseUrl": self.server.base_url + RPC_PREFIX,
            "requiredQueryStringParameters": "",
        })

    # -- triggers ---------------------------------------------------------------------------------------------
    def invoke_http(self, method: str, path: str, body: bytes = b"", params: dict[str, str] | None = None,
                    headers: dict[str, str] | None = None) -> func.HttpResponse:
        """Call the HTTP function whose route matches `/api/<path>` (404 when none does, as the host answers)."""
        route = path.removeprefix("/").removeprefix("api/")
        for function in self.index.http:
            route_params = function.match(method, route)
            if route_params is None:
                continue
            if self.function_keys and function.auth_level.upper() != "ANONYMOUS" and not (
                    {(headers or {}).get("x-functions-key"), (params or {}).get("code")} & self.function_keys):
                return func.HttpResponse(status_code=401)
            request = func.HttpRequest(method.upper(), f"http://localhost:7071/api/{route}", headers=headers or {},
                                       params=params or {}, route_params=route_params, body=body)
            kwargs: dict[str, Any] = {function.trigger_param: request}
            if function.client_param:
                kwargs[function.client_param] = self.client_binding()
            answer = function.fn(**kwargs)
            return self._loop.run(answer) if inspect.isawaitable(answer) else answer
        return func.HttpResponse(status_code=404)

    def invoke_json(self, method: str, path: str, body: Any = None, raw: bytes | None = None,
                    headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """An HTTP function called as the portal calls the API: `body` as JSON (or `raw` bytes) in, the status and
        the answer's JSON (or text) out."""
        answer = self.invoke_http(method, path, raw if raw is not None else
                                  (b"" if body is None else json.dumps(body).encode()), headers=headers)
        text = answer.get_body().decode()
        try:
            return answer.status_code, json.loads(text) if text else None
        except ValueError:
            return answer.status_code, text

    def fire_timer(self, name: str, past_due: bool = False) -> None:
        function = self.index.timers[name]
        kwargs: dict[str, Any] = {function.trigger_param: TimerRequest(past_due=past_due)}
        if function.client_param:
            kwargs[function.client_param] = self.client_binding()
        self._loop.run(function.fn(**kwargs))

    # -- driving ----------------------------------------------------------------------------------------------
    def status(self, instance_id: str, show_history: bool = False) -> dict[str, Any] | None:
        return self.api.status(instance_id, show_history=show_history, show_history_output=show_history)[1]

    def run_until_complete(self, instance_id: str, timeout: float = 120.0) -> dict[str, Any]:
        def finished() -> bool:
            if instance_id in self.engine.records:
                return False
            stored = self.store.get_instance(instance_id)
            return stored is not None and stored.is_terminal

        started = time.monotonic()
        if not self.engine.run_until(finished, timeout=timeout):
            raise TimeoutError(f"Instance {instance_id} did not finish within {time.monotonic() - started:.0f} s")
        status = self.status(instance_id)
        assert status is not None
        return status

    def run_until_phase(self, instance_id: str, phases: set[str], timeout: float = 600.0,
                        after: dict[str, Any] | None = None) -> dict[str, Any]:
        """Drive instances until `instance_id` reports one of `phases` in its custom status (before any timer is
        made to jump: a gate's timeout does not fire while the caller decides), or ends. Its status then.
        `after`: a custom status already seen, which does not count (the gate just answered)."""
        def reached() -> bool:
            record = self.engine.records.get(instance_id) or self.store.get_instance(instance_id)
            if record is None:
                return False
            custom = json.loads(record.custom_status) if record.custom_status else None
            return record.is_terminal or (isinstance(custom, dict) and custom.get("phase") in phases
                                          and custom != after)

        if not self.engine.run_until(reached, timeout=timeout):
            raise TimeoutError(f"Instance {instance_id} reached none of {sorted(phases)} within {timeout:.0f} s")
        status = self.status(instance_id)
        assert status is not None
        return status

    def run_until_idle(self, timeout: float = 60.0) -> None:
        """Run until nothing moves without outside input (an event, or time passing when timers don't jump)."""
        self.engine.run_until(lambda: False, timeout=timeout, stop_when_idle=True)
