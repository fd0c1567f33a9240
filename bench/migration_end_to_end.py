"""A whole migration, end to end, against the bound set by the two services' limits: a generated firm of >= 100k
records served by the Clio sandbox at a scaled-up limit, migrated on the embedded stack (Azurite, the Clio,
Dataverse and Graph sandboxes, the Function App driven by the local runner) through the portal API, both gates
approved as soon as they are reached (as localrun/demo.py does).

    .venv/bin/python bench/migration_end_to_end.py [--size medium] [--seed 3] [--clio-limit 1200] [--sample-size 100]

Documents and folders are left out of the migrated objects (the request's `objects`): each document costs Clio
requests of its own, and a medium firm's 5,000 documents would make the run document-bound.

The Dataverse sandbox runs in a process of its own (Dataverse is remote: it must not compete for the runner's GIL,
as bench/dataverse_loader.py's does not) under that benchmark's scaled-up service protection and latency model, so
the ceiling is that benchmark's: UpsertMultiple of 1,000 rows, as many in flight as the dop hint (4), each taking
20 ms + 1,000 x 5 ms, within 60 s of execution and 3,000 requests per 10 s window: 797 rows/s. The Clio limit is a
fixed 60 s window, as Clio's: an extraction of fewer requests than the limit is not slowed by it.

Prints, after the live phase lines: the firm and the limits; the wall time from the POST to cutover and each step's
share of it (from the root's custom-status phases; a gate counts with the step before it); when each run of
sub-orchestrations (extract, schema, sample, full load, its second pass, documents) was busy, the root's own
activities (dry run, sample staging, load planning, diffs) filling the gaps; the bound, where
    extraction at the Clio limit      = Clio requests made while extracting (the sandbox's count) / limit per s
    loading at the Dataverse ceiling  = rows of the full load (the migration's `loads`) / 797 rows/s
and wall / max of the two (target <= 1.1), and wall / their sum (the two at their limits, one after the other);
then the migration's own summary (per-table loads, reconciliation, Clio budget).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dataverse_loader import (DOP, MAX_EXECUTION, MAX_REQUESTS, PER_REQUEST, PER_ROW, WINDOW,  # noqa: E402
                                    ceiling)
from firmgen import write_firm  # noqa: E402
from localrun.azurite import Azurite  # noqa: E402
from localrun.demo import Progress, _summary, case_areas  # noqa: E402
from localrun.demo import migrate as run_migration  # noqa: E402
from localrun.execution import Outcome  # noqa: E402
from localrun.host import LocalHost, load_function_app  # noqa: E402
from localrun.stack import LocalStack, reset_service_clients, running_stack  # noqa: E402
from sandboxes.dataverse.config import LatencyModel, ServiceProtection  # noqa: E402
from shared.migration.models import STREAMS, instance_id  # noqa: E402

LEFT_OUT = ("documents", "folders")
TARGET = 1.1
# The root's custom-status phases, grouped into the steps the README names (a gate counts with the step before it).
STEPS = {"pre-flight": "pre-flight", "extracting": "extraction", "extracted": "extraction",
         "proposing the map": "mapping round + dry run", "awaiting mapping approval": "mapping round + dry run",
         "provisioning the schema": "schema", "loading the sample": "sample + diff",
         "awaiting sample approval": "sample + diff", "loading": "full load", "moving documents": "documents",
         "reconciling": "reconciliation"}


class PhaseClock(Progress):
    """demo.py's live progress, also noting when the root enters each phase and Clio's request count then, and
    the first and last episode of each run of sub-orchestrations (`extract`, `schema`, `sample0`, `full`, ...)."""

    def __init__(self, root: str, clio_served: Callable[[], int]) -> None:
        super().__init__(root)
        self.clio_served = clio_served
        self.marks: list[tuple[str, float, int]] = []  # (phase, monotonic time, Clio requests served so far)
        self.runs: dict[str, tuple[float, float]] = {}

    def __call__(self, instance: str, outcome: Outcome) -> None:
        before = self.phase
        super().__call__(instance, outcome)
        if self.phase != before:
            self.marks.append((self.phase, self.phase_started, self.clio_served()))
        if instance.startswith(f"{self.root}:"):
            run, now = instance.removeprefix(f"{self.root}:").split(":")[0], time.monotonic()
            self.runs[run] = (self.runs.get(run, (now, now))[0], now)

    def span(self, phase: str) -> tuple[float, int]:
        """Seconds from the root entering `phase` to it entering the next one, and the Clio requests in between."""
        index = next(i for i, (name, _, _) in enumerate(self.marks) if name == phase)
        (_, start, before), (_, end, after) = self.marks[index], self.marks[index + 1]
        return end - start, after - before


def dataverse_limits() -> dict[str, Any]:
    """bench/dataverse_loader.py's scaled-up service protection and latency model, for the stack's sandbox."""
    return {"service_protection": ServiceProtection(window_seconds=WINDOW, max_requests=MAX_REQUESTS,
                                                    max_execution_seconds=MAX_EXECUTION),
            "latency": LatencyModel(seconds_per_request=PER_REQUEST, seconds_per_row_written=PER_ROW),
            "dop_hint": DOP}


def migrate(host: LocalHost, stack: LocalStack, firm: Path, migration_id: str, sample_size: int,
            timeout: float) -> tuple[dict[str, Any], float]:
    """POST the migration, answer both gates, run it to its end. Its final status, and the monotonic POST time."""
    body = {"migration_id": migration_id, "sample_size": sample_size, "objects": objects(),
            "fallback_owner_email": stack.dynamics_users[0], "case_practice_areas": case_areas(firm)}
    posted = time.monotonic()
    status = run_migration(host, body, timeout)
    if status["runtimeStatus"] == "NotStarted":
        raise SystemExit(f"POST /api/migrations refused: {status['output']}")
    return status, posted


def objects() -> list[str]:
    return [stream for stream in STREAMS if stream not in LEFT_OUT]


def step_seconds(marks: list[tuple[str, float, int]], posted: float) -> dict[str, float]:
    """Seconds per step: from the root entering a phase (the POST, for the first) to it entering the next."""
    seconds = {step: 0.0 for step in STEPS.values()}
    starts = [posted] + [at for _, at, _ in marks[1:]]
    for (phase, _, _), start, end in zip(marks, starts, starts[1:]):
        seconds[STEPS[phase]] += end - start
    return seconds


def report(clock: PhaseClock, posted: float, output: dict[str, Any], clio_limit: int) -> None:
    wall = clock.marks[-1][1] - posted  # the root entering cutover
    steps = step_seconds(clock.marks, posted)
    took, requests = clock.span("extracting")
    rows = sum(load["rows"] for load in output["loads"].values())
    extraction, loading = requests / (clio_limit / 60), rows / ceiling()
    bound = max(extraction, loading)
    print(f"\n{'step':<26} {'seconds':>8} {'share':>7}")
    for step, seconds in steps.items():
        print(f"{step:<26} {seconds:>8.1f} {100 * seconds / wall:>6.1f}%")
    print(f"{'wall (POST -> cutover)':<26} {wall:>8.1f} {100.0:>6.1f}%")
    print("\nsub-orchestration runs, first to last episode (s after the POST; the root's activities in the gaps):")
    for run, (first, last) in sorted(clock.runs.items(), key=lambda item: item[1]):
        print(f"  {run:<24} {first - posted:>7.1f} -> {last - posted:>7.1f}  {last - first:>7.1f} s")
    print(f"\nextraction at the Clio limit     : {requests} requests / {clio_limit} per min = {extraction:.1f} s "
          f"(took {took:.1f} s: {took / extraction:.2f}x)")
    print(f"loading at the Dataverse ceiling : {rows} rows / {ceiling():.0f} rows/s = {loading:.1f} s "
          f"(the full load took {steps['full load']:.1f} s: {steps['full load'] / loading:.2f}x)")
    print(f"bound = max of the two           : {bound:.1f} s")
    print(f"wall / bound                     : {wall / bound:.2f} (target <= {TARGET})")
    print(f"wall / (extraction + loading)    : {wall / (extraction + loading):.2f} (the two at their limits, "
          f"one after the other: {extraction + loading:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="medium", help="generated firm: medium is ~125k records")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--clio-limit", type=int, default=1200, help="Clio requests per minute (Clio: 50)")
    parser.add_argument("--sample-size", type=int, default=100)
    parser.add_argument("--dataverse-in-process", action="store_true",
                        help="serve the Dataverse sandbox in this process (it then competes for our GIL)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds the migration may take")
    args = parser.parse_args()
    migration_id = "e2e-bench"
    with tempfile.TemporaryDirectory() as scratch, Azurite() as azurite:
        firm = Path(scratch) / "firm.json"
        records = write_firm(firm, args.seed, args.size)
        print(f"firm: {args.size} (seed {args.seed}), {records} Clio records; objects: every stream but "
              f"{' and '.join(LEFT_OUT)} (documents would make the run document-bound)")
        print(f"limits: Clio {args.clio_limit} requests/min; Dataverse {MAX_REQUESTS} requests and "
              f"{MAX_EXECUTION:.0f} s execution per {WINDOW:.0f} s window, dop hint {DOP}, "
              f"{PER_REQUEST * 1000:.0f} ms per request + {PER_ROW * 1000:.0f} ms per row written "
              f"(bench/dataverse_loader.py's ceiling: {ceiling():.0f} rows/s)")
        with running_stack(firm, clio_rate_limit=args.clio_limit, dataverse=dataverse_limits(),
                           dataverse_own_process=not args.dataverse_in_process) as stack:
            os.environ.update({"AzureWebJobsStorage": azurite.connection_string, "TASKHUB_NAME": "e2ebench",
                               "MIGRATION_STORAGE_CONNECTION_STRING": azurite.connection_string, **stack.settings()})
            os.environ.setdefault("DELTA_PICKUP_SCHEDULE", "0 */15 * * * *")
            reset_service_clients()
            clock = PhaseClock(instance_id(migration_id), lambda: stack.clio.state.counters.served)
            with LocalHost(load_function_app(), azurite.connection_string, on_episode=clock) as host:
                status, posted = migrate(host, stack, firm, migration_id, args.sample_size, args.timeout)
            counters = stack.clio.state.counters
    if (status.get("output") or {}).get("phase") != "cutover":
        raise SystemExit(f"{status['runtimeStatus']}: {status.get('output')}")
    report(clock, posted, status["output"], args.clio_limit)
    _summary(status, [], counters.served, counters.throttled, args.clio_limit, time.monotonic() - posted)


if __name__ == "__main__":
    main()
