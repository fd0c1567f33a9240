"""The app factory."""
from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandboxes.clio.faults import FaultMiddleware
from sandboxes.dataverse import entra
from sandboxes.graph import api
from sandboxes.graph.config import GraphConfig
from sandboxes.graph.errors import injected_error_body
from sandboxes.graph.state import GraphState, RequestRecord, state_of


def create_app(config: GraphConfig | None = None) -> Starlette:
    """A Graph sandbox (the v1.0 slice the document mover uses, the upload URLs, and an Entra token endpoint for
    `https://graph.microsoft.com/.default` on the same host). Its state is `graph_state(app)`."""
    state = GraphState(config or GraphConfig())
    app = Starlette(routes=[*api.ROUTES, *entra.routes(lambda request: state_of(request).directory)],
                    middleware=[Middleware(Observed, state=state),
                                Middleware(FaultMiddleware, injector=state.faults, error_body=injected_error_body)])
    app.state.graph = state
    return app


def graph_state(app: Starlette) -> GraphState:
    state: GraphState = app.state.graph
    return state


class Observed:
    """Records every request for tests (`state.requests`) and puts Retry-After on every 503, as Graph does."""

    def __init__(self, app: ASGIApp, state: GraphState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent_authorization = any(name.lower() == b"authorization" for name, _ in scope["headers"])
        recorded = False

        def record(status: int) -> None:
            nonlocal recorded
            recorded = True
            self.state.record(RequestRecord(scope["method"], scope["path"], status, sent_authorization))

        async def observe(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if message["status"] == 503 and not any(name.lower() == b"retry-after" for name, _ in headers):
                    headers.append((b"retry-after", str(self.state.config.retry_after_seconds).encode()))
                    message = {**message, "headers": headers}
                record(message["status"])  # before the client can see the answer and act on it
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            if not recorded:
                record(0)
