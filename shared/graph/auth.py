"""Entra ID tokens for Microsoft Graph (dataverse.md §10): Graph's own app registration, authority host and CA
bundle (shared/entra.py), for the scope `https://graph.microsoft.com/.default`."""
from __future__ import annotations

from azure.core.credentials import TokenCredential

from shared import entra
from shared.graph.errors import GraphAuthError
from shared.settings import Settings

GRAPH_RESOURCE = "https://graph.microsoft.com"


def credential(settings: Settings) -> TokenCredential:
    return entra.credential(settings.graph_client_id, settings.graph_client_secret, settings.entra_tenant_id,
                            settings.graph_authority_host, settings.graph_ca_bundle)


class GraphTokens(entra.TokenSource):
    def __init__(self, source: TokenCredential) -> None:
        super().__init__(source, GRAPH_RESOURCE, GraphAuthError, "Graph")
