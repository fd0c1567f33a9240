"""Fixtures: one real Azurite for the session, a fresh task hub per test, and local hosts over either the real
Function App or the scenario app."""
from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest

from localrun.azurite import Azurite
from localrun.host import LocalHost
from shared.blobs import reset_clients

_hub_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    with Azurite() as running:
        yield running


@pytest.fixture
def storage_env(azurite: Azurite, monkeypatch: pytest.MonkeyPatch) -> str:
    """The app's settings pointed at Azurite, with a task hub of the test's own."""
    hub = f"test{os.getpid()}x{next(_hub_numbers)}"
    monkeypatch.setenv("AzureWebJobsStorage", azurite.connection_string)
    monkeypatch.setenv("MIGRATION_STORAGE_CONNECTION_STRING", azurite.connection_string)
    monkeypatch.setenv("TASKHUB_NAME", hub)
    monkeypatch.setenv("DELTA_PICKUP_SCHEDULE", "0 */15 * * * *")
    monkeypatch.setenv("RAW_CONTAINER", f"raw{hub.lower()}")
    monkeypatch.setenv("MIGRATIONS_TABLE", f"migrations{hub}")
    monkeypatch.setenv("LEDGER_TABLE", f"ledger{hub}")
    monkeypatch.setenv("LEDGER_CONTAINER", f"ledger{hub.lower()}")
    reset_clients()
    yield hub
    reset_clients()


@pytest.fixture
def scenario_host(storage_env: str) -> Iterator[LocalHost]:
    from tests.scenarios.app import app
    with LocalHost(app, os.environ["AzureWebJobsStorage"], hub=storage_env) as host:
        yield host


@pytest.fixture
def gated_host(storage_env: str) -> Iterator[LocalHost]:
    """Timers only fire when their time really comes, so a test can act while an orchestration waits."""
    from tests.scenarios.app import app
    with LocalHost(app, os.environ["AzureWebJobsStorage"], hub=storage_env, advance_timers_when_idle=False) as host:
        yield host


@pytest.fixture
def app_host(storage_env: str) -> Iterator[LocalHost]:
    from function_app import app
    with LocalHost(app, os.environ["AzureWebJobsStorage"]) as host:
        yield host
