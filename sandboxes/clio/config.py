"""Typed configuration of one sandbox instance."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_API_VERSION = "4.0.13"  # clio.md §1: default as of the 2026-04-08 spec


class OAuthClient(BaseModel):
    model_config = ConfigDict(frozen=True)
    client_id: str = Field(min_length=1)
    client_secret: str = Field(min_length=1)
    redirect_uri: str = Field(min_length=1)


FaultKind = Literal["status", "delay", "drop", "truncate", "expire_tokens", "drop_delivery"]
REQUEST_FAULT_KINDS = frozenset({"status", "delay", "drop", "truncate", "expire_tokens"})
DELIVERY_FAULT_KINDS = frozenset({"drop_delivery"})


class FaultRule(BaseModel):
    """Fail requests whose path matches `path` (a regex, searched) and `method` (any if None).

    `times` = how many matching requests it hits (None: all); `rate` = hit each matching request with this
    probability, drawn from the sandbox's seeded generator (deterministic for a given request sequence).
    `drop_delivery` acts on the webhook deliveries the sandbox sends instead (`path` is searched in the receiver's
    URL): the delivery is silently lost, as a missed webhook is, and counted as sent (no retry).
    """
    kind: FaultKind
    path: str = ".*"
    method: str | None = None
    status: Literal[500, 502, 503] = 500
    delay_seconds: float = Field(default=0.0, ge=0)
    times: int | None = Field(default=1, ge=1)
    rate: float | None = Field(default=None, gt=0, le=1)


class WebhookDeliveryConfig(BaseModel):
    """How the sandbox delivers webhooks (clio.md §9). Retries: "the base timeout retry is 2 minutes, and we
    re-attempt 5 times, with the length of time between each attempt doubling"
    (https://developers.support.clio.com/hc/en-us/articles/360050277853); tests scale the base down."""
    model_config = ConfigDict(extra="forbid")
    ca_bundle: str | None = None  # PEM the receivers' certificates are verified against; the system's trust if None
    timeout_seconds: float = Field(default=10.0, gt=0)  # "a short period of time" [OAS]: the length is inferred
    retry_base_seconds: float = Field(default=120.0, ge=0)
    max_retries: int = Field(default=5, ge=0)  # a delivery still failing after these suspends the webhook


class SandboxConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    clients: list[OAuthClient] = Field(default_factory=list)
    access_token_lifetime_seconds: int = Field(default=2_592_000, ge=1)  # clio.md §2: 30 days
    authorization_code_lifetime_seconds: int = Field(default=600, ge=1)  # clio.md §2: 10 minutes (secondhand)
    rate_limit: int = Field(default=50, ge=1)  # clio.md §3: 50/min peak
    rate_limit_window_seconds: int = Field(default=60, ge=1)
    api_versions: list[str] = Field(default_factory=lambda: [DEFAULT_API_VERSION])
    default_api_version: str = DEFAULT_API_VERSION
    # Refresh tokens valid from the start, by client id, so a demo can start without the browser step.
    preauthorized_refresh_tokens: dict[str, str] = Field(default_factory=dict)
    download_url_lifetime_seconds: int = Field(default=600, ge=1)
    faults: list[FaultRule] = Field(default_factory=list)
    webhooks: WebhookDeliveryConfig = Field(default_factory=WebhookDeliveryConfig)
    fault_seed: int = 0
    signing_secret: str | None = None  # page tokens and file URLs; random per instance when None
    reference_dir: str | None = None  # defaults to ../shared/reference/clio beside the repo

    @model_validator(mode="after")
    def _default_version_supported(self) -> SandboxConfig:
        if self.default_api_version not in self.api_versions:
            raise ValueError("default_api_version must be one of api_versions")
        known = {client.client_id for client in self.clients}
        unknown = set(self.preauthorized_refresh_tokens.values()) - known
        if unknown:
            raise ValueError(f"preauthorized_refresh_tokens name unknown clients: {sorted(unknown)}")
        return self
