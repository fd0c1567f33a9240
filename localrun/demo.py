"""The main job on the embedded local stack: Azurite, the Function App, and its HTTP starter driven by the local
runner. (Later issues grow this into a full migration of a generated law firm.)"""
from __future__ import annotations

import json
import os
import time

from localrun.azurite import Azurite
from localrun.execution import Outcome
from localrun.host import LocalHost, load_function_app
from shared.blobs import reset_clients


def run_demo(parts: int, run_id: str) -> int:
    started = time.monotonic()
    with Azurite() as azurite:
        os.environ.update({"AzureWebJobsStorage": azurite.connection_string,
                           "MIGRATION_STORAGE_CONNECTION_STRING": azurite.connection_string,
                           "TASKHUB_NAME": "demohub"})
        os.environ.setdefault("DELTA_PICKUP_SCHEDULE", "0 */15 * * * *")
        reset_clients()
        print(f"Azurite up on 127.0.0.1:{azurite.blob_port}/{azurite.table_port} "
              f"({time.monotonic() - started:.1f} s)")
        last_print = [0.0]

        def progress(instance_id: str, outcome: Outcome) -> None:
            if instance_id == f"sample-{run_id}" and outcome.custom_status and \
                    (time.monotonic() - last_print[0] > 1 or outcome.status != "Running"):
                last_print[0] = time.monotonic()
                print(f"  {instance_id}: {json.dumps(outcome.custom_status)}")

        with LocalHost(load_function_app(), azurite.connection_string, on_episode=progress) as host:
            body = json.dumps({"run_id": run_id, "parts": parts, "batch_size": 500, "window": 50}).encode()
            response = host.invoke_http("POST", "/api/orchestrations/sample_fanout", body=body,
                                        params={"instanceId": f"sample-{run_id}"})
            print(f"POST /api/orchestrations/sample_fanout -> {response.status_code}")
            if response.status_code != 202:
                print(response.get_body().decode())
                return 1
            status = host.run_until_complete(f"sample-{run_id}", timeout=1800)
            elapsed = time.monotonic() - started
            print(json.dumps(status, indent=2))
            output = status.get("output") or {}
            print(f"{status['runtimeStatus']}: {output.get('parts')} parts, {output.get('records')} records, "
                  f"{output.get('bytes')} bytes in Blob storage; manifest {output.get('manifest', {}).get('blob')}; "
                  f"{host.engine.episodes} orchestrator episodes; {elapsed:.1f} s")
            complete = status["runtimeStatus"] == "Completed" and output.get("manifest", {}).get("complete")
            return 0 if complete else 1
