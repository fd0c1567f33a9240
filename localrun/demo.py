"""The main job on the embedded local stack: Azurite, the Clio sandbox serving a generated law firm, and the
Function App — its HTTP starter, orchestrators and activities driven by the local runner — extracting the firm
into Blob storage. (Later issues carry it on to Dynamics 365.)"""
from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from firmgen import write_firm
from localrun.azurite import Azurite
from localrun.clio_sandbox import running_clio
from localrun.execution import Outcome
from localrun.host import LocalHost, load_function_app
from shared.blobs import reset_clients
from shared.clio.client import reset_shared_clients


def _progress(migration_id: str) -> Any:
    last = [0.0]

    def show(instance_id: str, outcome: Outcome) -> None:
        if instance_id.startswith(f"extract-{migration_id}:") and outcome.custom_status and \
                (time.monotonic() - last[0] > 2 or outcome.status != "Running"):
            last[0] = time.monotonic()
            status = outcome.custom_status
            print(f"  {status['stream']:<22} {status['records']:>7} records in {status['pages']:>4} pages"
                  f"{'' if outcome.status == 'Running' else '  done'}")
    return show


def run_demo(size: str, seed: int, rate_limit: int, migration_id: str) -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch, Azurite() as azurite:
        firm = Path(scratch) / "firm.json"
        records = write_firm(firm, seed, size)
        print(f"Generated a {size} law firm (seed {seed}): {records} Clio records")
        with running_clio(firm, rate_limit=rate_limit) as clio:
            os.environ.update({"AzureWebJobsStorage": azurite.connection_string, "TASKHUB_NAME": "demohub",
                               "MIGRATION_STORAGE_CONNECTION_STRING": azurite.connection_string, **clio.settings()})
            os.environ.setdefault("DELTA_PICKUP_SCHEDULE", "0 */15 * * * *")
            reset_clients()
            reset_shared_clients()
            print(f"Clio sandbox at {clio.base_url} ({rate_limit} requests/min per token); Azurite on "
                  f"127.0.0.1:{azurite.blob_port}")
            with LocalHost(load_function_app(), azurite.connection_string, on_episode=_progress(migration_id)) as host:
                body = json.dumps({"migration_id": migration_id}).encode()
                response = host.invoke_http("POST", "/api/orchestrations/extract_clio", body=body,
                                            params={"instanceId": f"extract-{migration_id}"})
                print(f"POST /api/orchestrations/extract_clio -> {response.status_code}")
                if response.status_code != 202:
                    print(response.get_body().decode())
                    return 1
                status = host.run_until_complete(f"extract-{migration_id}", timeout=3600)
            counters = clio.state.counters
        return _summary(status, counters.served, counters.throttled, rate_limit, time.monotonic() - started)


def _summary(status: dict[str, Any], served: int, throttled: int, rate_limit: int, elapsed: float) -> int:
    manifest = status.get("output") or {}
    print(f"\n{'stream':<22} {'records':>8} {'pages':>6} {'requests':>9}  status")
    for stream in sorted((manifest.get("streams") or []), key=lambda s: s["stream"]):
        print(f"{stream['stream']:<22} {stream['records']:>8} {stream['pages']:>6} {stream['requests']:>9}  "
              f"{stream['status']}{': ' + stream['failed'] if stream['failed'] else ''}")
    print(f"\n{status['runtimeStatus']}: {manifest.get('records')} records in {manifest.get('pages')} pages; "
          f"manifest {manifest.get('blob')}; {manifest.get('problems')} problems reported")
    print(f"Clio budget: {served} requests served, {throttled} answered 429, at {rate_limit}/min; "
          f"{elapsed:.1f} s in all")
    ok = status["runtimeStatus"] == "Completed" and not manifest.get("failed")
    return 0 if ok else 1
