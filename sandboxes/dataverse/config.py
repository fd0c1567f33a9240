"""Typed configuration of one Dataverse sandbox instance."""
from __future__ import annotations

import argparse
import uuid

from pydantic import BaseModel, ConfigDict, Field

from sandboxes.clio.config import FaultRule

DEFAULT_TENANT = "00000000-0000-0000-0000-00000000a11c"


class ApplicationUser(BaseModel):
    """An Entra app registration mapped to a Dataverse application user (dataverse.md §1)."""
    model_config = ConfigDict(frozen=True)
    client_id: str = Field(min_length=1)
    client_secret: str = Field(min_length=1)
    tenant_id: str = DEFAULT_TENANT
    systemuserid: str = Field(default_factory=lambda: str(uuid.uuid4()))
    azureactivedirectoryobjectid: str = Field(default_factory=lambda: str(uuid.uuid4()))
    fullname: str = "# Migration App"
    # dataverse.md §6: prvActOnBehalfOfAnotherUser (Delegate role) is needed for CallerObjectId.
    can_impersonate: bool = True
    # dataverse.md §6: prvOverrideCreatedOnCreatedBy is needed for overriddencreatedon.
    can_override_createdon: bool = True


class SystemUserSeed(BaseModel):
    """A person's systemuser row, as the snapshot or config seeds it (dataverse.md §6 impersonation)."""
    model_config = ConfigDict(frozen=True)
    systemuserid: str = Field(default_factory=lambda: str(uuid.uuid4()))
    fullname: str
    azureactivedirectoryobjectid: str = Field(default_factory=lambda: str(uuid.uuid4()))
    isdisabled: bool = False
    islicensed: bool = True
    internalemailaddress: str | None = None


class ServiceProtection(BaseModel):
    """dataverse.md §4 defaults, per application user, sliding window."""
    window_seconds: float = Field(default=300.0, gt=0)
    max_requests: int = Field(default=6000, ge=1)
    max_execution_seconds: float = Field(default=1200.0, gt=0)
    max_concurrent: int = Field(default=52, ge=1)


class LatencyModel(BaseModel):
    """Simulated server time, slept and counted as execution time (dataverse.md §3.3 / §4)."""
    seconds_per_request: float = Field(default=0.0, ge=0)
    seconds_per_row_written: float = Field(default=0.0, ge=0)


class DataverseConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    application_users: list[ApplicationUser] = Field(default_factory=list)
    system_users: list[SystemUserSeed] = Field(default_factory=list)
    access_token_lifetime_seconds: int = Field(default=3599, ge=1)  # dataverse.md §1: ~60 min
    service_protection: ServiceProtection = Field(default_factory=ServiceProtection)
    latency: LatencyModel = Field(default_factory=LatencyModel)
    dop_hint: int = Field(default=4, ge=1)  # dataverse.md §3.3: x-ms-dop-hint on every response
    key_activation_delay_seconds: float = Field(default=0.0, ge=0)  # dataverse.md §8: Pending -> Active
    max_page_size: int = Field(default=5000, ge=1)  # Dataverse's default page size
    max_batch_operations: int = Field(default=1000, ge=1)  # dataverse.md §3.1
    max_keys_per_table: int = Field(default=10, ge=1)  # dataverse.md §8
    max_upload_file_size: int = Field(default=5_242_880, ge=1)  # dataverse.md §9: Base64 bytes of documentbody
    # "<table>.<column>" or "<column>" -> max length for anchor String columns (the anchor JSON has none).
    string_max_lengths: dict[str, int] = Field(default_factory=dict)
    faults: list[FaultRule] = Field(default_factory=list)
    fault_seed: int = 0
    signing_secret: str | None = None  # access-token HMAC key; random per instance when None
    entity_definitions_path: str | None = None  # defaults to ../shared/reference/dataverse/… beside the repo


def https_identity_arguments(parser: argparse.ArgumentParser) -> None:
    """The command-line options every HTTPS sandbox with an Entra token endpoint shares."""
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--tls-dir", help="where to write the CA and server certificate (default: a temp dir)")
    parser.add_argument("--tenant", default=DEFAULT_TENANT)
    parser.add_argument("--client-id", default="sandbox-client")
    parser.add_argument("--client-secret", default="sandbox-secret")
