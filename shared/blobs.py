"""Small helpers over the app's blob storage, shared by activities."""
from __future__ import annotations

from functools import lru_cache

from azure.core.exceptions import ResourceExistsError
from azure.storage.blob import ContainerClient

from shared.settings import get_settings
from shared.storage import blob_service


@lru_cache(maxsize=16)
def container(name: str) -> ContainerClient:
    """A container client, created on first use and reused across activity invocations in one worker."""
    client = blob_service(get_settings()).get_container_client(name)
    try:
        client.create_container()
    except ResourceExistsError:
        pass
    return client


def reset_clients() -> None:
    """Forget cached settings and clients (tests and the local runner switch storage accounts)."""
    container.cache_clear()
    get_settings.cache_clear()
