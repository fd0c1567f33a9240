"""One typed settings object, read from the environment.

Azure puts app settings (and resolved Key Vault references) in the environment; the local runner loads
`local.settings.json` "Values" into the environment the same way the Functions host does, so the names are
identical everywhere. Every external endpoint is a setting, so the same code talks to the real services or to
the local sandboxes.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, case_sensitive=True)

    # Storage the app itself writes to (raw pages, reports, write ledger). Connection string locally;
    # in Azure the account name with the managed identity (MIGRATION_STORAGE__accountName).
    migration_storage_connection_string: SecretStr | None = Field(
        default=None, alias="MIGRATION_STORAGE_CONNECTION_STRING")
    migration_storage_account_name: str | None = Field(default=None, alias="MIGRATION_STORAGE__accountName")
    migration_storage_blob_endpoint: str | None = Field(default=None, alias="MIGRATION_STORAGE__blobServiceUri")
    migration_storage_table_endpoint: str | None = Field(default=None, alias="MIGRATION_STORAGE__tableServiceUri")
    raw_container: str = Field(default="raw", alias="RAW_CONTAINER")
    reports_container: str = Field(default="reports", alias="REPORTS_CONTAINER")
    ledger_table: str = Field(default="writeledger", pattern=r"^[A-Za-z][A-Za-z0-9]{2,62}$", alias="LEDGER_TABLE")
    ledger_container: str = Field(default="ledger", alias="LEDGER_CONTAINER")
    migrations_table: str = Field(default="migrations", pattern=r"^[A-Za-z][A-Za-z0-9]{2,62}$",
                                  alias="MIGRATIONS_TABLE")

    task_hub_name: str = Field(default="migrationdev", alias="TASKHUB_NAME")

    # Clio Manage (regional host: app., eu.app., ca.app., au.app.clio.com — ../shared/reference/clio/clio.md §1).
    clio_api_base_url: str = Field(default="https://app.clio.com/api/v4", alias="CLIO_API_BASE_URL")
    clio_oauth_base_url: str = Field(default="https://app.clio.com/oauth", alias="CLIO_OAUTH_BASE_URL")
    clio_client_id: str | None = Field(default=None, alias="CLIO_CLIENT_ID")
    clio_client_secret: SecretStr | None = Field(default=None, alias="CLIO_CLIENT_SECRET")
    clio_refresh_token: SecretStr | None = Field(default=None, alias="CLIO_REFRESH_TOKEN")
    clio_api_version: str = Field(default="4.0.13", alias="CLIO_API_VERSION")
    clio_request_timeout_seconds: float = Field(default=60.0, gt=0, alias="CLIO_REQUEST_TIMEOUT_SECONDS")
    clio_pages_per_activity: int = Field(default=10, ge=1, le=100, alias="CLIO_PAGES_PER_ACTIVITY")

    # Dataverse and Entra (client credentials; the authority host is what the sandbox replaces locally).
    dataverse_url: str | None = Field(default=None, alias="DATAVERSE_URL")
    entra_authority_host: str = Field(default="https://login.microsoftonline.com", alias="ENTRA_AUTHORITY_HOST")
    entra_tenant_id: str | None = Field(default=None, alias="ENTRA_TENANT_ID")
    dataverse_client_id: str | None = Field(default=None, alias="DATAVERSE_CLIENT_ID")
    dataverse_client_secret: SecretStr | None = Field(default=None, alias="DATAVERSE_CLIENT_SECRET")

    dataverse_api_version: str = Field(default="v9.2", pattern=r"^v\d+\.\d+$", alias="DATAVERSE_API_VERSION")
    dataverse_request_timeout_seconds: float = Field(default=120.0, gt=0, alias="DATAVERSE_REQUEST_TIMEOUT_SECONDS")
    dataverse_ca_bundle: str | None = Field(default=None, alias="DATAVERSE_CA_BUNDLE")  # local sandboxes' CA only
    dataverse_solution: str = Field(default="ClioMigration", alias="DATAVERSE_SOLUTION")
    dataverse_publisher_prefix: str = Field(default="new", pattern=r"^[a-z][a-z0-9]{1,7}$",
                                            alias="DATAVERSE_PUBLISHER_PREFIX")
    dataverse_custom_table_limit: int = Field(default=15, ge=0, alias="DATAVERSE_CUSTOM_TABLE_LIMIT")
    dataverse_batch_size: int = Field(default=200, ge=1, le=1000, alias="DATAVERSE_BATCH_SIZE")

    # Microsoft Graph (SharePoint document libraries; ../shared/reference/dataverse/dataverse.md §10). Its own
    # authority host and CA, so the Graph sandbox can stand in for both Graph and Entra locally.
    graph_base_url: str = Field(default="https://graph.microsoft.com/v1.0", alias="GRAPH_BASE_URL")
    graph_authority_host: str = Field(default="https://login.microsoftonline.com", alias="GRAPH_AUTHORITY_HOST")
    graph_client_id: str | None = Field(default=None, alias="GRAPH_CLIENT_ID")
    graph_client_secret: SecretStr | None = Field(default=None, alias="GRAPH_CLIENT_SECRET")
    graph_ca_bundle: str | None = Field(default=None, alias="GRAPH_CA_BUNDLE")  # local sandboxes' CA only
    graph_request_timeout_seconds: float = Field(default=120.0, gt=0, alias="GRAPH_REQUEST_TIMEOUT_SECONDS")
    # Simple upload only up to this size (Graph documents 250 MB; 4 MiB is the long-standing safe limit).
    graph_simple_upload_max_bytes: int = Field(default=4 * 1024 * 1024, ge=0, le=250 * 1024 * 1024,
                                               alias="GRAPH_SIMPLE_UPLOAD_MAX_BYTES")
    # Upload-session fragment: a multiple of 320 KiB and under 60 MiB (Graph's rules); 5 MiB by default, which keeps
    # a worker moving a 1 GB file under 100 MB of RSS (bench/document_mover.py).
    graph_upload_fragment_bytes: int = Field(default=16 * 327_680, gt=0, lt=60 * 1024 * 1024,
                                             multiple_of=327_680, alias="GRAPH_UPLOAD_FRAGMENT_BYTES")
    sharepoint_site_hostname: str = Field(default="contoso.sharepoint.com", alias="SHAREPOINT_SITE_HOSTNAME")
    sharepoint_site_path: str = Field(default="/sites/ClioMigration", pattern=r"^/(sites|teams)/[^/]+$",
                                      alias="SHAREPOINT_SITE_PATH")
    sharepoint_library: str = Field(default="Documents", min_length=1, alias="SHAREPOINT_LIBRARY")

    # Documents (issue 6): what moves, in what batches, and when downloads may spend the Clio budget
    document_max_bytes: int = Field(default=250 * 1024 ** 3, ge=0, alias="DOCUMENT_MAX_BYTES")  # SharePoint: 250 GB
    document_versions: Literal["latest", "all"] = Field(default="latest", alias="DOCUMENT_VERSIONS")
    documents_per_batch: int = Field(default=25, ge=1, le=1000, alias="DOCUMENTS_PER_BATCH")
    document_batch_max_bytes: int = Field(default=2 * 1024 ** 3, ge=1, alias="DOCUMENT_BATCH_MAX_BYTES")
    document_parallel_batches: int = Field(default=4, ge=1, le=64, alias="DOCUMENT_PARALLEL_BATCHES")
    documents_off_peak_only: bool = Field(default=True, alias="DOCUMENTS_OFF_PEAK_ONLY")
    # overrides the region's peak hours (clio.md §3), e.g. "04-19 America/Los_Angeles" or "08-18 Europe/London daily"
    clio_peak_hours: str | None = Field(default=None, pattern=r"^(\d{1,2}-\d{1,2} [A-Za-z_/+-]+( daily)?)?$",
                                        alias="CLIO_PEAK_HOURS")

    # Delta pickup (the timer trigger's schedule is read by the host from the same setting).
    delta_pickup_schedule: str = Field(default="0 */15 * * * *", alias="DELTA_PICKUP_SCHEDULE")
    delta_window_hours: int = Field(default=48, ge=1, le=24 * 14, alias="DELTA_WINDOW_HOURS")
    # Each tick asks Clio for what changed since the last extraction started, less this much: it covers the skew
    # between our clock and Clio's `updated_at` (clio.md §6 suggests re-reading a few minutes).
    delta_overlap_minutes: int = Field(default=10, ge=0, le=24 * 60, alias="DELTA_OVERLAP_MINUTES")
    # What a record deleted in Clio becomes in Dataverse: inactive (statecode/statuscode, dataverse.md §6), or gone.
    delta_delete_mode: Literal["deactivate", "delete"] = Field(default="deactivate", alias="DELTA_DELETE_MODE")

    @field_validator("clio_api_base_url", "clio_oauth_base_url", "entra_authority_host", "graph_base_url",
                     "graph_authority_host", "dataverse_url")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
