"""Entra ID tokens for Dataverse (dataverse.md §1): client credentials with a secret where one is configured
(locally, against the sandbox's token endpoint via ENTRA_AUTHORITY_HOST), the managed identity in Azure."""
from __future__ import annotations

import threading
from typing import Any

from azure.core.credentials import AccessToken, TokenCredential

from shared.dataverse.errors import DataverseAuthError
from shared.settings import Settings

PUBLIC_AUTHORITY = "https://login.microsoftonline.com"
_EARLY_SECONDS = 120


def credential(settings: Settings) -> TokenCredential:
    from azure.identity import ClientSecretCredential, ManagedIdentityCredential
    if settings.dataverse_client_secret and settings.dataverse_client_id and settings.entra_tenant_id:
        options: dict[str, Any] = {"authority": settings.entra_authority_host}
        if settings.entra_authority_host != PUBLIC_AUTHORITY:
            options["disable_instance_discovery"] = True  # a stand-in authority is not in Microsoft's list
        if settings.dataverse_ca_bundle:
            options["connection_verify"] = settings.dataverse_ca_bundle
        return ClientSecretCredential(settings.entra_tenant_id, settings.dataverse_client_id,
                                      settings.dataverse_client_secret.get_secret_value(), **options)
    return ManagedIdentityCredential(client_id=settings.dataverse_client_id) if settings.dataverse_client_id \
        else ManagedIdentityCredential()


class TokenSource:
    """A cached bearer token for `<dataverse url>/.default`, shared by every thread of the worker."""

    def __init__(self, source: TokenCredential, dataverse_url: str, clock: Any = None) -> None:
        import time
        self._source = source
        self._scope = f"{dataverse_url.rstrip('/')}/.default"
        self._clock = clock or time.time
        self._lock = threading.Lock()
        self._token: AccessToken | None = None

    def token(self) -> str:
        with self._lock:
            if self._token is None or self._token.expires_on - _EARLY_SECONDS <= self._clock():
                try:
                    self._token = self._source.get_token(self._scope)
                except Exception as exc:  # azure-identity raises ClientAuthenticationError and friends
                    raise DataverseAuthError(f"No Dataverse token for {self._scope}: {type(exc).__name__}: "
                                             f"{str(exc).splitlines()[0] if str(exc) else ''}") from exc
            return self._token.token

    def reject(self, token: str) -> None:
        with self._lock:
            if self._token is not None and self._token.token == token:
                self._token = None
