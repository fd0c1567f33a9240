"""One Dataverse client per environment per worker process: threads share its token, throttle gate and dop hint."""
from __future__ import annotations

from shared.dataverse.client import DataverseClient
from shared.retrying import PerProcess
from shared.settings import Settings

_clients: PerProcess[DataverseClient] = PerProcess()


def shared_dataverse_client(settings: Settings) -> DataverseClient:
    key = (settings.dataverse_url, settings.entra_tenant_id, settings.dataverse_client_id)
    return _clients.get(key, lambda: DataverseClient(settings))


def reset_dataverse_clients() -> None:
    _clients.reset()
