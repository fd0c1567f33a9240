"""The extension's HTTP endpoints on loopback: the RPC base URL `DurableOrchestrationClient` calls, and the same
operations under `/runtime/webhooks/durabletask/` (the management URLs a check-status response hands out)."""
from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import Future
from typing import Awaitable, Callable, TypeVar

from aiohttp import web
from dateutil.parser import isoparse

from localrun.client_api import ClientApi, Reply

RPC_PREFIX = "/durabletask/"
WEBHOOK_PREFIX = "/runtime/webhooks/durabletask/"
T = TypeVar("T")


def _flag(request: web.Request, name: str, default: bool = False) -> bool:
    value = request.query.get(name)
    return default if value is None else value.lower() == "true"


def _payload(text: str) -> str | None:
    """The JSON a request body carries. `DurableOrchestrationClient` serialises inputs and event data itself and
    then posts that string as JSON, so a body that decodes to a string is already the serialised payload."""
    if not text:
        return None
    value = json.loads(text)
    return value if isinstance(value, str) else json.dumps(value)


def _reply(reply: Reply) -> web.Response:
    code, body = reply
    if body is None:
        return web.Response(status=code)
    return web.json_response(body, status=code)


def build_app(api: ClientApi) -> web.Application:
    async def blocking(call: Callable[[], Reply]) -> web.Response:
        return _reply(await asyncio.get_running_loop().run_in_executor(None, call))

    async def start(request: web.Request) -> web.Response:
        try:
            payload = _payload(await request.text())
        except ValueError:
            return web.json_response({"ExceptionMessage": "The request body must be JSON"}, status=400)
        name, instance_id = request.match_info["name"], request.match_info.get("instance_id")
        return await blocking(lambda: api.start(name, instance_id, payload))

    async def status(request: web.Request) -> web.Response:
        instance_id = request.match_info.get("instance_id", "")
        if not instance_id:
            statuses = set(request.query["runtimeStatus"].split(",")) if request.query.get("runtimeStatus") else None
            created_from = request.query.get("createdTimeFrom")
            created_to = request.query.get("createdTimeTo")
            return await blocking(lambda: api.list_instances(
                statuses, request.query.get("instanceIdPrefix"),
                isoparse(created_from) if created_from else None, isoparse(created_to) if created_to else None))
        return await blocking(lambda: api.status(instance_id, _flag(request, "showHistory"),
                                                 _flag(request, "showHistoryOutput"),
                                                 _flag(request, "showInput", True)))

    async def raise_event(request: web.Request) -> web.Response:
        try:  # the extension answers 400 to anything but JSON
            payload = _payload(await request.text())
        except ValueError:
            return web.Response(status=400)
        return await blocking(lambda: api.raise_event(request.match_info["instance_id"], request.match_info["event"],
                                                      payload))

    async def terminate(request: web.Request) -> web.Response:
        return await blocking(lambda: api.terminate(request.match_info["instance_id"],
                                                    request.query.get("reason", "")))

    async def purge(request: web.Request) -> web.Response:
        return await blocking(lambda: api.purge(request.match_info["instance_id"]))

    app = web.Application()
    for prefix in (RPC_PREFIX, WEBHOOK_PREFIX):
        app.router.add_post(prefix + "orchestrators/{name}", start)
        app.router.add_post(prefix + "orchestrators/{name}/{instance_id}", start)
        app.router.add_get(prefix + "instances/", status)
        app.router.add_get(prefix + "instances/{instance_id}", status)
        app.router.add_post(prefix + "instances/{instance_id}/raiseEvent/{event}", raise_event)
        app.router.add_post(prefix + "instances/{instance_id}/terminate", terminate)
        app.router.add_delete(prefix + "instances/{instance_id}", purge)
    return app


class LoopThread:
    """An event loop on its own thread: the worker's loop, where client functions and the HTTP API run."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="functions-host-loop", daemon=True)
        self._thread.start()

    def run(self, coroutine: Awaitable[T], timeout: float | None = 120) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)  # type: ignore[arg-type]
        return future.result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)


class RpcServer:
    def __init__(self, api: ClientApi, loop: LoopThread) -> None:
        self._api = api
        self._loop = loop
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "RpcServer":
        async def serve() -> int:
            self._runner = web.AppRunner(build_app(self._api), access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
            return site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

        self.port = self._loop.run(serve())
        return self

    def stop(self) -> None:
        if self._runner is not None:
            self._loop.run(self._runner.cleanup())
            self._runner = None
