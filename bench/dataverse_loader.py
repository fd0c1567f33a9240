"""Loader throughput against the Dataverse sandbox's service-protection limits and latency model, and against a loop
over the official SDK's upsert on the same kind of rows.

    .venv/bin/python bench/dataverse_loader.py [--rows 20000] [--sdk-rows 400]

The ceiling is what an ideal client could reach under the configured model: UpsertMultiple requests of the largest
batch (1,000 rows), as many in flight as the dop hint, within the execution-time and request budgets:
    ceiling = min(dop, execution budget per second) x B / (latency per request + B x latency per row)
              and request budget per second x B
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from localrun.azurite import Azurite  # noqa: E402
from localrun.dataverse_sandbox import CLIENT_ID, TENANT_ID, dataverse_process  # noqa: E402
from shared.blobs import reset_clients  # noqa: E402
from shared.dataverse.client import DataverseClient  # noqa: E402
from shared.dataverse.loader import AdaptiveSize, LoadRow, TableLoader, TableTarget  # noqa: E402
from shared.dataverse.schema import ColumnSpec, KeySpec, SchemaProvisioner, SchemaRequest  # noqa: E402
from shared.ledger import WriteLedger  # noqa: E402
from shared.settings import Settings, get_settings  # noqa: E402

PER_REQUEST, PER_ROW = 0.02, 0.005  # bulk on plug-in-free tables: 100-400 rows/s per server (dataverse.md §3.3)
DOP, WINDOW, MAX_EXECUTION, MAX_REQUESTS = 4, 10.0, 60.0, 3000
LARGEST_BATCH = 1000
ACCOUNTS = TableTarget(entity_set="accounts", logical_name="account", primary_id="accountid",
                       key_column="new_clioid", hash_column="new_clioloadhash")


def rows(count: int, prefix: str) -> list[LoadRow]:
    return [LoadRow(key=f"{prefix}{i}", values={"name": f"Client {i}", "telephone1": f"+1 555 {i % 10_000:04d}",
                                                 "websiteurl": f"https://client{i}.example"}) for i in range(count)]


def ceiling() -> float:
    per_request = PER_REQUEST + LARGEST_BATCH * PER_ROW
    return min(min(DOP, MAX_EXECUTION / WINDOW) * LARGEST_BATCH / per_request,
               MAX_REQUESTS / WINDOW * LARGEST_BATCH)


def sdk_loop(base_url: str, ca_pem: str, client_id: str, secret: str, tenant: str, items: list[LoadRow]) -> float:
    from azure.identity import ClientSecretCredential
    from PowerPlatform.Dataverse.client import DataverseClient as SdkClient
    from PowerPlatform.Dataverse.models.upsert import UpsertItem

    os.environ["REQUESTS_CA_BUNDLE"] = ca_pem
    credential = ClientSecretCredential(tenant, client_id, secret, authority=base_url,
                                        disable_instance_discovery=True)
    with SdkClient(base_url, credential) as sdk:
        started = time.perf_counter()
        for row in items:
            sdk.records.upsert("account", [UpsertItem(alternate_key={"new_clioid": row.key}, record=row.values)])
        return len(items) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--sdk-rows", type=int, default=400)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    protection = {"window_seconds": WINDOW, "max_requests": MAX_REQUESTS, "max_execution_seconds": MAX_EXECUTION,
                  "max_concurrent": 52}
    latency = {"seconds_per_request": PER_REQUEST, "seconds_per_row_written": PER_ROW}
    with Azurite() as azurite, dataverse_process(service_protection=protection, latency=latency, dop_hint=DOP,
                                                 key_activation_delay_seconds=0.0) as (base_url, ca_pem, secret,
                                                                                       settings):
        os.environ.update({"MIGRATION_STORAGE_CONNECTION_STRING": azurite.connection_string, **settings})
        get_settings.cache_clear()
        reset_clients()
        client = DataverseClient(Settings())
        SchemaProvisioner(client, "ClioMigration", "new", 15).provision(SchemaRequest(
            columns=[ColumnSpec(table="account", schema_name="new_ClioId", type="string", label="Clio id",
                                max_length=40),
                     ColumnSpec(table="account", schema_name="new_ClioLoadHash", type="string", label="Load hash",
                                max_length=64)],
            keys=[KeySpec(table="account", schema_name="new_clioid_key", columns=["new_clioid"])]))
        client.get_json("WhoAmI")  # learn the dop hint
        loader = TableLoader(client, WriteLedger(get_settings(), "bench", "accounts"), ACCOUNTS, "b1",
                             AdaptiveSize(LARGEST_BATCH, LARGEST_BATCH))
        started = time.perf_counter()
        outcomes = loader.load(rows(args.rows, "L"))
        loader_rate = args.rows / (time.perf_counter() - started)
        assert all(o.action == "created" for o in outcomes), "every row created"
        sdk_rate = sdk_loop(base_url, ca_pem, CLIENT_ID, secret, TENANT_ID, rows(args.sdk_rows, "S"))
        print(f"model: {PER_REQUEST * 1000:.0f} ms per request + {PER_ROW * 1000:.0f} ms per row; dop hint {DOP}; "
              f"{MAX_EXECUTION:.0f} s execution and {MAX_REQUESTS} requests per {WINDOW:.0f} s window")
        print(f"loader: {args.rows} rows at {loader_rate:.0f} rows/s ({client.requests} requests, "
              f"{client.gate.throttled} throttled, final batch size {loader.size.value})")
        print(f"ceiling: {ceiling():.0f} rows/s -> loader at {loader_rate / ceiling():.2f} of the ceiling")
        print(f"official SDK upsert loop: {args.sdk_rows} rows at {sdk_rate:.0f} rows/s -> loader "
              f"{loader_rate / sdk_rate:.1f}x")
        client.close()


if __name__ == "__main__":
    main()
