"""Entra ID tokens for the services we call with an app registration (Dataverse, Microsoft Graph): client
credentials with a secret where one is configured (locally, against a sandbox's token endpoint and its CA), the
managed identity in Azure; one cached token per resource, shared by every thread of the worker."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from azure.core.credentials import AccessToken, TokenCredential
from pydantic import SecretStr

PUBLIC_AUTHORITY = "https://login.microsoftonline.com"
_EARLY_SECONDS = 120


def credential(client_id: str | None, client_secret: SecretStr | None, tenant_id: str | None, authority_host: str,
               ca_bundle: str | None) -> TokenCredential:
    from azure.identity import ClientSecretCredential, ManagedIdentityCredential
    if client_secret and client_id and tenant_id:
        options: dict[str, Any] = {"authority": authority_host}
        if authority_host != PUBLIC_AUTHORITY:
            options["disable_instance_discovery"] = True  # a stand-in authority is not in Microsoft's list
        if ca_bundle:
            options["connection_verify"] = ca_bundle
        return ClientSecretCredential(tenant_id, client_id, client_secret.get_secret_value(), **options)
    return ManagedIdentityCredential(client_id=client_id) if client_id else ManagedIdentityCredential()


class TokenSource:
    """A cached bearer token for `<resource>/.default`; a failure to get one becomes the caller's `error`."""

    def __init__(self, source: TokenCredential, resource: str, error: Callable[[str], Exception],
                 service: str, clock: Callable[[], float] | None = None) -> None:
        self._source = source
        self._scope = f"{resource.rstrip('/')}/.default"
        self._error = error
        self._service = service
        self._clock = clock or time.time
        self._lock = threading.Lock()
        self._token: AccessToken | None = None

    def token(self) -> str:
        with self._lock:
            if self._token is None or self._token.expires_on - _EARLY_SECONDS <= self._clock():
                try:
                    self._token = self._source.get_token(self._scope)
                except Exception as exc:  # azure-identity raises ClientAuthenticationError and friends
                    raise self._error(f"No {self._service} token for {self._scope}: {type(exc).__name__}: "
                                      f"{str(exc).splitlines()[0] if str(exc) else ''}") from exc
            return self._token.token

    def reject(self, token: str) -> None:
        with self._lock:
            if self._token is not None and self._token.token == token:
                self._token = None

    def close(self) -> None:
        """Closes the credential's connections (its token endpoint keeps one alive)."""
        close = getattr(self._source, "close", None)
        if close is not None:
            close()
