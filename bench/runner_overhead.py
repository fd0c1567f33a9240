"""Driver overhead of the local Durable runner: no-op activities fanned out in windows, through the SDK replay,
with every episode persisted to Azurite. Two shapes: one orchestrator holding every window in its history (the
worst case), and batches of windows in sub-orchestrations (the shape the migration uses). The activities do
nothing, so the wall time is the driver's overhead.

    .venv/bin/python bench/runner_overhead.py [--sizes 1000 10000] [--window 500] [--batch 2000]
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from localrun.azurite import Azurite  # noqa: E402
from localrun.host import LocalHost  # noqa: E402


def measure(connection: str, hub: str, orchestrator: str, spec: dict) -> dict:
    from tests.scenarios.app import app
    with LocalHost(app, connection, hub=hub) as host:
        host.api.start(orchestrator, "bench", json.dumps(spec))
        started = time.perf_counter()
        status = host.run_until_complete("bench", timeout=600)
        wall = time.perf_counter() - started
        assert status["runtimeStatus"] == "Completed", status
        assert status["output"] == sum(i * i for i in range(spec["n"]))
        return {"wall_s": wall, "episodes": host.engine.episodes}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--window", type=int, default=500)
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    shapes = {"windowed_fan_out": "one orchestrator", "batched_fan_out": f"sub-orchestrations of {args.batch}"}
    with Azurite() as azurite:
        os.environ["MIGRATION_STORAGE_CONNECTION_STRING"] = azurite.connection_string
        print(f"{'shape':<28} {'activities':>10} {'window':>6} {'episodes':>8} {'wall s':>8} "
              f"{'overhead/activity ms':>21}")
        for number, (size, orchestrator) in enumerate((s, o) for s in args.sizes for o in shapes):
            result = measure(azurite.connection_string, f"bench{number}", orchestrator,
                             {"n": size, "window": args.window, "batch": args.batch})
            print(f"{shapes[orchestrator]:<28} {size:>10} {args.window:>6} {result['episodes']:>8} "
                  f"{result['wall_s']:>8.2f} {1000 * result['wall_s'] / size:>21.3f}", flush=True)


if __name__ == "__main__":
    main()
