"""An Azure Functions HTTP function behind a real (HTTPS) server, as the Functions host puts it: the request
becomes a `func.HttpRequest` with the route parameters, the function runs in a worker thread, its
`func.HttpResponse` goes back as sent. Handshakes can be held until the test lets them through."""
from __future__ import annotations

import threading
from collections.abc import Callable

import azure.functions as func
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

HttpFunction = Callable[[func.HttpRequest], func.HttpResponse]


class FunctionServer:
    def __init__(self, function: HttpFunction, route: str) -> None:
        self.function = function
        self.app = Starlette(routes=[Route(f"/api/{route}", self._serve, methods=["POST"])])
        self.answers: list[int] = []
        self._open = threading.Event()
        self._open.set()

    def hold_handshakes(self) -> None:
        self._open.clear()

    def release_handshakes(self) -> None:
        self._open.set()

    async def _serve(self, request: Request) -> Response:
        if "x-hook-secret" in request.headers:
            await run_in_threadpool(self._open.wait, 10)
        call = func.HttpRequest(request.method, str(request.url), headers=dict(request.headers),
                                params=dict(request.query_params), route_params=dict(request.path_params),
                                body=await request.body())
        answer = await run_in_threadpool(self.function, call)
        self.answers.append(answer.status_code)
        return Response(answer.get_body(), status_code=answer.status_code, headers=dict(answer.headers),
                        media_type=answer.mimetype)
