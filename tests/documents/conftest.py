"""Clio and Graph sandboxes side by side (and Azurite for the ledger), the app's settings pointed at all of them,
and what a document's bytes should be: the Clio sandbox generates them from the version id (firmgen stores none)."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from localrun.clio_sandbox import RunningClio, running_clio
from localrun.graph_sandbox import RunningGraph, running_graph
from sandboxes.clio.documents import BLOCK_SIZE, generated_block
from localrun.stack import reset_service_clients
from shared.settings import Settings
from tests.clio_client.conftest import small_firm, tiny_firm  # noqa: F401  (fixtures)

KIB320 = 327_680


def expected_sha256(version_id: int, size: int) -> str:
    digest = hashlib.sha256()
    for index in range(0, (size + BLOCK_SIZE - 1) // BLOCK_SIZE):
        digest.update(generated_block(version_id, index)[:size - index * BLOCK_SIZE])
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(BLOCK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Stack:
    clio: RunningClio
    graph: RunningGraph
    settings: Settings


@pytest.fixture
def stack_with(storage_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Stack]]:
    """`stack_with(firm_path, clio={...}, graph={...}, settings={...})`: sandboxes stopped after the test."""
    exits = ExitStack()

    def start(firm: Path, clio: dict[str, Any] | None = None, graph: dict[str, Any] | None = None,
              settings: dict[str, str] | None = None) -> Stack:
        running_c = exits.enter_context(running_clio(firm, **{"rate_limit": 600, **(clio or {})}))
        running_g = exits.enter_context(running_graph(**(graph or {})))
        values = {**running_c.settings(), **running_g.settings(), "GRAPH_UPLOAD_FRAGMENT_BYTES": str(8 * KIB320),
                  "DOCUMENTS_OFF_PEAK_ONLY": "false", **(settings or {})}
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        reset_service_clients()
        return Stack(running_c, running_g, Settings())

    yield start
    reset_service_clients()
    exits.close()
