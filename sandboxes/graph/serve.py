"""Serving the sandbox over HTTPS on loopback, in a background thread."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from starlette.types import ASGIApp

from sandboxes.tls import start_https_server


@contextmanager
def serve_graph(app: ASGIApp, host: str = "127.0.0.1", port: int = 0,
                url_host: str = "localhost") -> Iterator[tuple[str, str]]:
    """`with serve_graph(app) as (base_url, ca_pem):` — HTTPS with a fresh local CA for the block.

    `base_url` is both the Graph host (the API is at `{base_url}/v1.0`) and the Entra authority host: a client
    gets a token as a configured ApplicationUser from `{base_url}/{tenant}/oauth2/v2.0/token` for the scope
    `https://graph.microsoft.com/.default` (azure-identity: authority=base_url, disable_instance_discovery=True,
    connection_verify=ca_pem), and trusts `ca_pem` only.
    """
    base_url, ca_pem, stop = start_https_server(app, "Graph sandbox", host, port, url_host=url_host)
    try:
        yield base_url, ca_pem
    finally:
        stop()
