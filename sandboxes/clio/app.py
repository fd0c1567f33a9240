"""The app factory."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware

from sandboxes.clio import api, files, oauth
from sandboxes.clio.config import SandboxConfig
from sandboxes.clio.faults import FaultMiddleware
from sandboxes.clio.state import SandboxState
from sandboxes.clio.store import load_firm


def create_app(firm: dict[str, Any] | str | Path, config: SandboxConfig | None = None) -> Starlette:
    """A sandbox serving `firm` (the firm-file object or its path). Its state is `sandbox_state(app)`."""
    records, firm_dir = load_firm(firm)
    state = SandboxState(records, config or SandboxConfig(), firm_dir)
    app = Starlette(routes=[*oauth.ROUTES, *api.ROUTES, *files.ROUTES],
                    middleware=[Middleware(FaultMiddleware, injector=state.faults)])
    app.state.sandbox = state
    return app


def sandbox_state(app: Starlette) -> SandboxState:
    state: SandboxState = app.state.sandbox
    return state
