"""A throwaway certificate authority and a loopback server certificate (trustme), written as PEM files.

The server serves `server_cert_pem` + `server_key_pem`; clients trust `ca_pem` only (never disable verification):
httpx `verify=ssl.create_default_context(cafile=ca_pem)` (or `verify=ca_pem` on older httpx); `requests` (which
azure-identity's default transport and the official Dataverse SDK use) via `REQUESTS_CA_BUNDLE=ca_pem` or
`session.verify = ca_pem`.
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import trustme
from starlette.types import ASGIApp

from sandboxes.common import ServerTls, start_server_thread

LOOPBACK_NAMES = ("localhost", "127.0.0.1")


@dataclass(frozen=True)
class LoopbackTls:
    directory: Path
    ca_pem: str
    server_cert_pem: str
    server_key_pem: str

    @property
    def server(self) -> ServerTls:
        return ServerTls(certfile=self.server_cert_pem, keyfile=self.server_key_pem)


def make_loopback_tls(directory: str | Path | None = None) -> LoopbackTls:
    """A fresh CA and a certificate for localhost and 127.0.0.1 in `directory` (a new temporary one if None)."""
    target = Path(directory) if directory is not None else Path(tempfile.mkdtemp(prefix="sandbox-tls-"))
    target.mkdir(parents=True, exist_ok=True)
    authority = trustme.CA(organization_name="Sandbox test CA")
    leaf = authority.issue_cert(*LOOPBACK_NAMES)
    ca_pem = target / "ca.pem"
    cert_pem = target / "server-chain.pem"
    key_pem = target / "server-key.pem"
    authority.cert_pem.write_to_path(str(ca_pem))
    leaf.private_key_pem.write_to_path(str(key_pem))
    with cert_pem.open("wb") as out:
        for blob in leaf.cert_chain_pems:
            out.write(blob.bytes())
    return LoopbackTls(target, str(ca_pem), str(cert_pem), str(key_pem))


def start_https_server(app: ASGIApp, name: str, host: str = "127.0.0.1", port: int = 0,
                       tls_dir: str | Path | None = None, url_host: str = "localhost"
                       ) -> tuple[str, str, Callable[[], None]]:
    """Serves `app` over HTTPS with a fresh local CA; returns (base URL, CA PEM path, stop)."""
    tls = make_loopback_tls(tls_dir)
    base_url, stop = start_server_thread(app, host, port, name=name, tls=tls.server, url_host=url_host,
                                         shutdown_wait=1)
    return base_url, tls.ca_pem, stop
