"""Clients for the app's own storage: a connection string locally (Azurite), managed identity in Azure."""
from __future__ import annotations

from azure.core.exceptions import ResourceExistsError
from azure.data.tables import TableClient, TableServiceClient
from azure.storage.blob import BlobServiceClient

from shared.settings import Settings


def _endpoint(settings: Settings, explicit: str | None, service: str) -> str:
    if explicit:
        return explicit
    if settings.migration_storage_account_name:
        return f"https://{settings.migration_storage_account_name}.{service}.core.windows.net"
    raise RuntimeError("Set MIGRATION_STORAGE_CONNECTION_STRING (local) or MIGRATION_STORAGE__accountName (Azure)")


def _credential():  # imported lazily: azure-identity is only needed in Azure
    from azure.identity import DefaultAzureCredential
    return DefaultAzureCredential()


def blob_service(settings: Settings) -> BlobServiceClient:
    if settings.migration_storage_connection_string:
        return BlobServiceClient.from_connection_string(
            settings.migration_storage_connection_string.get_secret_value())
    return BlobServiceClient(_endpoint(settings, settings.migration_storage_blob_endpoint, "blob"), _credential())


def table_service(settings: Settings) -> TableServiceClient:
    if settings.migration_storage_connection_string:
        return TableServiceClient.from_connection_string(
            settings.migration_storage_connection_string.get_secret_value())
    return TableServiceClient(
        endpoint=_endpoint(settings, settings.migration_storage_table_endpoint, "table"), credential=_credential())


def table(settings: Settings, name: str) -> TableClient:
    """A table client, the table created if it is missing (Table storage has no create-if-missing call)."""
    client = table_service(settings).get_table_client(name)
    try:
        client.create_table()
    except ResourceExistsError:
        pass
    return client
