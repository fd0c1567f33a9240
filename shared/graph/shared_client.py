"""One Graph client per app registration per worker process: threads share its token and throttle gate."""
from __future__ import annotations

from shared.graph.client import GraphClient
from shared.retrying import PerProcess
from shared.settings import Settings

_clients: PerProcess[GraphClient] = PerProcess()


def shared_graph_client(settings: Settings) -> GraphClient:
    key = (settings.graph_base_url, settings.entra_tenant_id, settings.graph_client_id)
    return _clients.get(key, lambda: GraphClient(settings))


def reset_graph_clients() -> None:
    _clients.reset()
