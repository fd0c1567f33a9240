"""A faithful local Clio Manage API v4 sandbox (ASGI), seeded from a firm file (README "The firm file").

    app = create_app("firm.json", SandboxConfig(clients=[OAuthClient(client_id=..., client_secret=...,
                                                                     redirect_uri=...)]))
    state = sandbox_state(app)             # edit records, mint refresh tokens, inject faults, move the clock,
                                           # read the webhook delivery log
    with serve_in_thread(app) as base_url:  # base_url + "/api/v4", base_url + "/oauth"
        ...

or from a shell: `python -m sandboxes.clio --firm firm.json --mint-refresh-token`.
"""
from sandboxes.clio.app import create_app, sandbox_state
from sandboxes.clio.config import FaultRule, OAuthClient, SandboxConfig, WebhookDeliveryConfig
from sandboxes.clio.serve import serve_in_thread
from sandboxes.clio.state import SandboxState

__all__ = ["create_app", "sandbox_state", "SandboxConfig", "OAuthClient", "FaultRule", "SandboxState",
           "WebhookDeliveryConfig", "serve_in_thread"]
