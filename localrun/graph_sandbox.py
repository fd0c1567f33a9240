"""The Graph sandbox as part of the embedded local stack: HTTPS on loopback with a fresh local CA, one app
registration with a Graph token endpoint, a SharePoint site with its library, and the app settings that point the
Graph client (and azure-identity) at it."""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from localrun.dataverse_sandbox import CLIENT_ID, TENANT_ID
from sandboxes.graph import ApplicationUser, GraphConfig, GraphState, create_app, graph_state, serve_graph


@dataclass(frozen=True)
class RunningGraph:
    base_url: str  # the Graph host and authority host; the API is at {base_url}/v1.0
    ca_pem: str
    state: GraphState
    client_secret: str

    def settings(self) -> dict[str, str]:
        """App settings for this sandbox (same names as in Azure)."""
        site = self.state.config.sites[0]
        return {"GRAPH_BASE_URL": f"{self.base_url}/v1.0", "GRAPH_AUTHORITY_HOST": self.base_url,
                "ENTRA_TENANT_ID": TENANT_ID, "GRAPH_CLIENT_ID": CLIENT_ID, "GRAPH_CLIENT_SECRET": self.client_secret,
                "GRAPH_CA_BUNDLE": self.ca_pem, "SHAREPOINT_SITE_HOSTNAME": site.hostname,
                "SHAREPOINT_SITE_PATH": site.path, "SHAREPOINT_LIBRARY": site.libraries[0]}


@contextmanager
def running_graph(**config: Any) -> Iterator[RunningGraph]:
    """`config` is passed to GraphConfig (sites, limits, throttling budget, session lifetime, faults, storage)."""
    client_secret = secrets.token_urlsafe(24)
    user = ApplicationUser(client_id=CLIENT_ID, client_secret=client_secret, tenant_id=TENANT_ID)
    app = create_app(GraphConfig(application_users=[user], **config))
    state = graph_state(app)
    try:
        with serve_graph(app) as (base_url, ca_pem):
            yield RunningGraph(base_url, ca_pem, state, client_secret)
    finally:
        state.close()
