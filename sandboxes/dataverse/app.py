"""The app factory."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware

from sandboxes.clio.faults import FaultMiddleware
from sandboxes.dataverse import entra, webapi
from sandboxes.dataverse.config import DataverseConfig
from sandboxes.dataverse.state import DataverseState


def create_app(config: DataverseConfig | None = None, snapshot: dict[str, Any] | str | Path | None = None) -> Starlette:
    """A Dataverse sandbox (Web API + Entra token endpoint on one host). Its state is `dataverse_state(app)`."""
    state = DataverseState(config or DataverseConfig(), snapshot)
    app = Starlette(routes=[*webapi.ROUTES, *entra.ROUTES],
                    middleware=[Middleware(FaultMiddleware, injector=state.faults, error_body=injected_error_body)])
    app.state.dataverse = state
    return app


def injected_error_body(status: int) -> dict[str, Any]:
    """An injected 5xx in Dataverse's error shape (§11); the code is the generic platform error (inferred)."""
    return {"error": {"code": "0x80040216", "message": f"Injected {status}: an unexpected error occurred."}}


def dataverse_state(app: Starlette) -> DataverseState:
    state: DataverseState = app.state.dataverse
    return state
