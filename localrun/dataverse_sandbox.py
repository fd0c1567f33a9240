"""The Dataverse sandbox as part of the embedded local stack: HTTPS on loopback with a fresh local CA, one
application user registered, and the app settings that point the Dataverse client (and azure-identity) at it."""
from __future__ import annotations

import multiprocessing
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandboxes.dataverse import ApplicationUser, DataverseConfig, DataverseState, create_app, dataverse_state
from sandboxes.dataverse.serve import serve_dataverse

TENANT_ID = "7d3c8a52-5f5e-4d8a-9a55-0c1d2e3f4a5b"
CLIENT_ID = "3f2b1c0d-aaaa-4bbb-8ccc-0123456789ab"


@dataclass(frozen=True)
class RunningDataverse:
    base_url: str
    ca_pem: str
    state: DataverseState | None  # None when the sandbox runs in a process of its own
    client_secret: str

    def settings(self) -> dict[str, str]:
        return {"DATAVERSE_URL": self.base_url, "ENTRA_AUTHORITY_HOST": self.base_url, "ENTRA_TENANT_ID": TENANT_ID,
                "DATAVERSE_CLIENT_ID": CLIENT_ID, "DATAVERSE_CLIENT_SECRET": self.client_secret,
                "DATAVERSE_CA_BUNDLE": self.ca_pem}


@contextmanager
def running_dataverse(snapshot: dict[str, Any] | Path | None = None, own_process: bool = False,
                      **config: Any) -> Iterator[RunningDataverse]:
    """`config` is passed to DataverseConfig (limits, latency model, key activation delay, faults, users). With
    `own_process` the sandbox does not share the caller's GIL, as the real service does not (benchmarks); its state
    is then out of reach."""
    if own_process:
        if snapshot is not None:
            raise ValueError("a sandbox in a process of its own starts empty")
        with dataverse_process(**config) as (base_url, ca_pem, client_secret, _):
            yield RunningDataverse(base_url, ca_pem, None, client_secret)
        return
    client_secret = secrets.token_urlsafe(24)
    user = ApplicationUser(client_id=CLIENT_ID, client_secret=client_secret, tenant_id=TENANT_ID)
    app = create_app(DataverseConfig(application_users=[user], **config), snapshot)
    with serve_dataverse(app) as (base_url, ca_pem):
        yield RunningDataverse(base_url, ca_pem, dataverse_state(app), client_secret)


def _serve_in_child(config: dict[str, Any], client_secret: str, ready: Any, stop: Any) -> None:
    user = ApplicationUser(client_id=CLIENT_ID, client_secret=client_secret, tenant_id=TENANT_ID)
    app = create_app(DataverseConfig(application_users=[user], **config))
    with serve_dataverse(app) as (base_url, ca_pem):
        ready.put((base_url, ca_pem))
        stop.wait()


@contextmanager
def dataverse_process(**config: Any) -> Iterator[tuple[str, str, str, dict[str, str]]]:
    """The sandbox in a process of its own (benchmarks: Dataverse is remote, so it must not share our GIL).
    Yields (base URL, CA file, client secret, app settings)."""
    client_secret = secrets.token_urlsafe(24)
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    child = context.Process(target=_serve_in_child, args=(config, client_secret, ready, stop), daemon=True)
    child.start()
    try:
        base_url, ca_pem = ready.get(timeout=60)
        settings = {"DATAVERSE_URL": base_url, "ENTRA_AUTHORITY_HOST": base_url, "ENTRA_TENANT_ID": TENANT_ID,
                    "DATAVERSE_CLIENT_ID": CLIENT_ID, "DATAVERSE_CLIENT_SECRET": client_secret,
                    "DATAVERSE_CA_BUNDLE": ca_pem}
        yield base_url, ca_pem, client_secret, settings
    finally:
        stop.set()
        child.join(timeout=15)
        if child.is_alive():
            child.kill()
