"""A generated tiny firm served by the Clio sandbox, with the app's settings pointed at it."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from firmgen import write_firm
from localrun.clio_sandbox import RunningClio, running_clio
from shared.blobs import reset_clients
from shared.clio.client import reset_shared_clients


@pytest.fixture(scope="session")
def tiny_firm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    path = tmp_path_factory.mktemp("firm") / "tiny.json"
    write_firm(path, 7, "tiny")
    return path, json.loads(path.read_text())


@pytest.fixture(scope="session")
def small_firm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    path = tmp_path_factory.mktemp("firm") / "small.json"
    write_firm(path, 11, "small")
    return path, json.loads(path.read_text())


@pytest.fixture
def clio(tiny_firm: tuple[Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningClio]:
    with running_clio(tiny_firm[0], rate_limit=600) as running:
        for name, value in running.settings().items():
            monkeypatch.setenv(name, value)
        reset_shared_clients()
        reset_clients()
        yield running
    reset_shared_clients()
    reset_clients()
