"""The Dataverse sandbox over HTTPS with the app's settings pointed at it, and the schema the loader tests use."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from localrun.dataverse_sandbox import RunningDataverse, running_dataverse
from shared.dataverse.client import DataverseClient
from shared.dataverse.schema import ColumnSpec, KeySpec, SchemaProvisioner, SchemaRequest
from shared.dataverse.shared_client import reset_dataverse_clients
from shared.settings import Settings, get_settings

CLIO_KEYS = SchemaRequest(
    columns=[ColumnSpec(table=table, schema_name=name, type="string", label=label, max_length=length)
             for table in ("account", "contact", "task")
             for name, label, length in (("new_ClioId", "Clio id", 40), ("new_ClioLoadHash", "Load hash", 64))],
    keys=[KeySpec(table=table, schema_name="new_clioid_key", columns=["new_clioid"])
          for table in ("account", "contact", "task")])


def point_settings_at(dataverse: RunningDataverse, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in dataverse.settings().items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    reset_dataverse_clients()


@pytest.fixture
def dataverse(storage_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningDataverse]:
    with running_dataverse(key_activation_delay_seconds=0.1) as running:
        point_settings_at(running, monkeypatch)
        yield running
    reset_dataverse_clients()


@pytest.fixture
def client(dataverse: RunningDataverse) -> Iterator[DataverseClient]:
    dataverse_client = DataverseClient(Settings())
    yield dataverse_client
    dataverse_client.close()


def provision_clio_keys(client: DataverseClient) -> None:
    import time
    provisioner = SchemaProvisioner(client, "ClioMigration", "new", 15)
    provisioner.provision(CLIO_KEYS)
    deadline = time.monotonic() + 10
    while any(provisioner.key_statuses(t).get("new_clioid_key") != "Active" for t in ("account", "contact", "task")):
        assert time.monotonic() < deadline, "key indexes did not become Active"
        time.sleep(0.05)
