"""One Dataverse client per environment per worker process: threads share its token, throttle gate and dop hint."""
from __future__ import annotations

import threading

from shared.dataverse.client import DataverseClient
from shared.settings import Settings

_lock = threading.Lock()
_clients: dict[tuple[str | None, str | None, str | None], DataverseClient] = {}


def shared_dataverse_client(settings: Settings) -> DataverseClient:
    key = (settings.dataverse_url, settings.entra_tenant_id, settings.dataverse_client_id)
    with _lock:
        if key not in _clients:
            _clients[key] = DataverseClient(settings)
        return _clients[key]


def reset_dataverse_clients() -> None:
    with _lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
