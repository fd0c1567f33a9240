"""Entra ID tokens for Microsoft Graph (dataverse.md §10): the Dataverse recipe (a client secret where one is
configured, the managed identity in Azure; a stand-in authority and its CA locally) with Graph's own app
registration, authority host and CA bundle, for the scope `https://graph.microsoft.com/.default`."""
from __future__ import annotations

from azure.core.credentials import TokenCredential

from shared.dataverse.auth import TokenSource
from shared.dataverse.auth import credential as entra_credential
from shared.dataverse.errors import DataverseAuthError
from shared.graph.errors import GraphAuthError
from shared.settings import Settings

GRAPH_RESOURCE = "https://graph.microsoft.com"


def credential(settings: Settings) -> TokenCredential:
    return entra_credential(settings.model_copy(update={
        "dataverse_client_id": settings.graph_client_id, "dataverse_client_secret": settings.graph_client_secret,
        "entra_authority_host": settings.graph_authority_host, "dataverse_ca_bundle": settings.graph_ca_bundle}))


class GraphTokens:
    """A cached bearer token for Graph, shared by every thread of the worker."""

    def __init__(self, source: TokenCredential) -> None:
        self._source = source
        self._cache = TokenSource(source, GRAPH_RESOURCE)

    def token(self) -> str:
        try:
            return self._cache.token()
        except DataverseAuthError as exc:
            cause = exc.__cause__
            detail = f"{type(cause).__name__}: {str(cause).splitlines()[0] if str(cause) else ''}" if cause \
                else str(exc)
            raise GraphAuthError(f"No Graph token for {GRAPH_RESOURCE}/.default: {detail}") from exc

    def reject(self, token: str) -> None:
        self._cache.reject(token)

    def close(self) -> None:
        """Closes the credential's connections (its token endpoint keeps one alive)."""
        close = getattr(self._source, "close", None)
        if close is not None:
            close()
