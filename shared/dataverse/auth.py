"""Entra ID tokens for Dataverse (dataverse.md §1): the app registration's credential (shared/entra.py) and the
token cache for `<dataverse url>/.default`."""
from __future__ import annotations

from collections.abc import Callable

from azure.core.credentials import TokenCredential

from shared import entra
from shared.dataverse.errors import DataverseAuthError
from shared.settings import Settings


def credential(settings: Settings) -> TokenCredential:
    return entra.credential(settings.dataverse_client_id, settings.dataverse_client_secret,
                            settings.entra_tenant_id, settings.entra_authority_host, settings.dataverse_ca_bundle)


class TokenSource(entra.TokenSource):
    def __init__(self, source: TokenCredential, dataverse_url: str, clock: Callable[[], float] | None = None) -> None:
        super().__init__(source, dataverse_url, DataverseAuthError, "Dataverse", clock)
