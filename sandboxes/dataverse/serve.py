"""Serving the sandbox over HTTPS on loopback, in a background thread."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from starlette.types import ASGIApp

from sandboxes.common import start_server_thread
from sandboxes.tls import make_loopback_tls


def start_dataverse(app: ASGIApp, host: str = "127.0.0.1", port: int = 0, tls_dir: str | Path | None = None,
                    url_host: str = "localhost") -> tuple[str, str, Callable[[], None]]:
    """Starts serving over HTTPS and returns (base URL, CA PEM path, stop)."""
    tls = make_loopback_tls(tls_dir)
    base_url, stop = start_server_thread(app, host, port, name="Dataverse sandbox", tls=tls.server,
                                         url_host=url_host, shutdown_wait=1)
    return base_url, tls.ca_pem, stop


@contextmanager
def serve_dataverse(app: ASGIApp, host: str = "127.0.0.1", port: int = 0,
                    url_host: str = "localhost") -> Iterator[tuple[str, str]]:
    """`with serve_dataverse(app) as (base_url, ca_pem):` — HTTPS with a fresh local CA for the block.

    `base_url` (e.g. `https://localhost:54321`) is both the Dataverse environment URL and the Entra authority
    host. A client authenticates as a configured `ApplicationUser`:

    - tenant: the user's `tenant_id`; authority: `base_url` (the credential appends `/<tenant>`);
    - scope: `f"{base_url}/.default"` (the token audience must equal the host the data calls go to);
    - trust: the CA file `ca_pem`, never `verify=False`:
        * httpx: `httpx.Client(verify=ssl.create_default_context(cafile=ca_pem))`;
        * azure-identity: `ClientSecretCredential(tenant, client_id, secret, authority=base_url,
          disable_instance_discovery=True, connection_verify=ca_pem)` — `disable_instance_discovery` stops MSAL
          asking login.microsoftonline.com whether the authority is known (without it MSAL calls the public
          cloud); `connection_verify` is azure-core's transport option for the CA bundle. Setting the
          environment variable `REQUESTS_CA_BUNDLE=ca_pem` works as well (azure-core's RequestsTransport and
          the official Dataverse SDK both use `requests`, which honours it).
    """
    base_url, ca_pem, stop = start_dataverse(app, host, port, url_host=url_host)
    try:
        yield base_url, ca_pem
    finally:
        stop()
