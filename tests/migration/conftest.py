"""A migration's whole local stack (Clio, Dataverse and Graph sandboxes, Azurite) under the Function App, and the
portal's API called the way the portal calls it."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from localrun.host import LocalHost
from localrun.stack import LocalStack, reset_service_clients, running_stack
from tests.clio_client.conftest import tiny_firm  # noqa: F401  (fixture)


@pytest.fixture
def stack(storage_env: str, tiny_firm: tuple[Path, dict[str, Any]],  # noqa: F811
          monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalStack]:
    with running_stack(tiny_firm[0], clio_rate_limit=600, dataverse={"key_activation_delay_seconds": 0.1}) as running:
        for name, value in {**running.settings(), "DOCUMENTS_OFF_PEAK_ONLY": "false"}.items():
            monkeypatch.setenv(name, value)
        reset_service_clients()
        yield running
    reset_service_clients()


def call(host: LocalHost, method: str, path: str, body: Any = None,
         raw: bytes | None = None) -> tuple[int, Any]:
    """The portal's call to `/api/<path>`."""
    return host.invoke_json(method, f"/api/{path}", body, raw)
