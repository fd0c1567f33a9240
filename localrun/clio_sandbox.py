"""The Clio sandbox as part of the embedded local stack: served on a loopback port in a background thread, with an
OAuth client registered and a refresh token minted, and the app settings that point the client at it."""
from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandboxes.clio.app import create_app, sandbox_state
from sandboxes.clio.config import FaultRule, OAuthClient, SandboxConfig
from sandboxes.clio.serve import serve_in_thread
from sandboxes.clio.state import SandboxState

CLIENT_ID = "migration-service"
REDIRECT_URI = "https://localhost/clio/callback"


@dataclass(frozen=True)
class RunningClio:
    base_url: str
    state: SandboxState
    client_secret: str
    refresh_token: str

    def settings(self) -> dict[str, str]:
        """App settings for this sandbox (same names as in Azure)."""
        return {"CLIO_API_BASE_URL": f"{self.base_url}/api/v4", "CLIO_OAUTH_BASE_URL": f"{self.base_url}/oauth",
                "CLIO_CLIENT_ID": CLIENT_ID, "CLIO_CLIENT_SECRET": self.client_secret,
                "CLIO_REFRESH_TOKEN": self.refresh_token}


@contextmanager
def running_clio(firm: Path | dict[str, Any], rate_limit: int = 50, window_seconds: int = 60,
                 faults: Sequence[FaultRule] = (), access_token_lifetime_seconds: int = 2_592_000,
                 wrap: Callable[[Any], Any] | None = None) -> Iterator[RunningClio]:
    """`wrap` puts ASGI middleware around the sandbox (benchmarks log its answers with it)."""
    client_secret = secrets.token_urlsafe(24)
    config = SandboxConfig(clients=[OAuthClient(client_id=CLIENT_ID, client_secret=client_secret,
                                                redirect_uri=REDIRECT_URI)],
                           rate_limit=rate_limit, rate_limit_window_seconds=window_seconds, faults=list(faults),
                           access_token_lifetime_seconds=access_token_lifetime_seconds)
    app = create_app(firm, config)
    state = sandbox_state(app)
    refresh_token = state.mint_refresh_token(CLIENT_ID)
    with serve_in_thread(wrap(app) if wrap else app) as base_url:
        yield RunningClio(base_url, state, client_secret, refresh_token)
