"""What the document mover costs: the memory it holds moving one large file, and how many documents a minute it
moves against Clio's request limit. Azurite (the write ledger), the Clio sandbox (which generates each version's
bytes from its id and size, so a 1 GiB file is streamed, never stored) and the Graph sandbox run in this process.

    .venv/bin/python bench/document_mover.py [--big-mib 1024] [--documents 300] [--movers 4] [--limit 30] [--window 5]

1. One --big-mib file, moved in a spawned child process (so only the mover's memory counts) with the default
   upload fragment (GRAPH_UPLOAD_FRAGMENT_BYTES, 5 MiB). Prints: file size, seconds, MiB/s, the child's RSS after
   its imports and clients (baseline), its peak RSS (VmHWM; target < 100 MB) and the difference, and checks
   that the file was created with the SHA-256 of the bytes Clio generates.
2. --documents small files (< 256 KiB, from a generated medium firm), in batches of DOCUMENTS_PER_BATCH moved by
   --movers threads sharing one Clio and one Graph client (as one worker's parallel batch activities do), with
   the Clio sandbox at --limit requests per --window seconds and the Graph sandbox's budget scaled alike. Each
   document costs one Clio request (the download's 303; the file URL is not rate limited). Prints: documents,
   seconds, documents/min, the limit per minute, utilisation = documents/min / limit/min, the requests in each
   rate-limit window and the idle time between windows, the 429s Clio and Graph answered, and what that fill and
   idle time mean in Clio's real 50-per-60 s windows: utilisation and hours for 100,000 documents.
"""
from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Only what the mover needs is imported here: the spawned child imports this module too, and its RSS should be the
# mover's. The sandboxes, Azurite, firmgen and the planner are imported where the parent uses them.
from shared.clio.client import ClioClient  # noqa: E402
from shared.documents.models import DocumentTask  # noqa: E402
from shared.documents.mover import DocumentMover, MoveOutcome, ensure_columns  # noqa: E402
from shared.graph.client import GraphClient  # noqa: E402
from shared.ledger import WriteLedger  # noqa: E402
from shared.settings import Settings  # noqa: E402

if TYPE_CHECKING:
    from localrun.graph_sandbox import RunningGraph

MIB = 1 << 20
SMALL_BYTES = 256 * 1024
LIBRARY_PATH = "/sites/ClioMigration/Shared Documents"  # the Graph sandbox's library (counts in path lengths)
CLIO_PER_MINUTE = 50  # Clio's limit at peak hours, per access token
GRAPH_UNITS_PER_MINUTE = 1250  # SharePoint's resource units per app per minute (the Graph sandbox's default)
REAL_FIRM_DOCUMENTS = 100_000


@dataclass
class Stack:
    settings: Settings
    environment: dict[str, str]  # the app settings pointing at the sandboxes, for a child process
    graph: RunningGraph


@contextmanager
def stack(firm: Path | dict[str, Any], limit: int, window: int,
          wrap: Callable[[Any], Any] | None = None) -> Iterator[Stack]:
    """Azurite, the Clio sandbox serving `firm` at `limit` requests per `window` seconds, and the Graph sandbox with
    SharePoint's budget scaled by as much as Clio's limit is; the app's settings point at all three."""
    from localrun.azurite import Azurite
    from localrun.clio_sandbox import running_clio
    from localrun.graph_sandbox import running_graph
    from shared.blobs import reset_clients

    units = max(GRAPH_UNITS_PER_MINUTE, round(GRAPH_UNITS_PER_MINUTE * limit * 60 / window / CLIO_PER_MINUTE))
    with Azurite() as azurite, running_clio(firm, rate_limit=limit, window_seconds=window, wrap=wrap) as clio, \
            running_graph(resource_units_per_window=units, throttle_window_seconds=60.0) as graph:
        environment = {"AzureWebJobsStorage": azurite.connection_string,
                       "MIGRATION_STORAGE_CONNECTION_STRING": azurite.connection_string,
                       **clio.settings(), **graph.settings()}
        os.environ.update(environment)
        reset_clients()
        yield Stack(Settings(), environment, graph)


def plan(firm: dict[str, Any], settings: Settings) -> list[DocumentTask]:
    from shared.documents.plan import DocumentPlanner
    from shared.mapping.engine import CompiledMap
    from shared.mapping.maps import load_map

    planner = DocumentPlanner(firm.get("folders", []), firm.get("matters", []), firm.get("contacts", []),
                              CompiledMap(load_map()).targets, settings.clio_api_base_url, LIBRARY_PATH,
                              settings.document_max_bytes)
    return planner.plan(firm["documents"]).tasks


def connect(settings: Settings) -> tuple[ClioClient, GraphClient, str]:
    """A worker's clients and the library's drive id, with the library columns the mover writes."""
    clio, graph = ClioClient(settings), GraphClient(settings)
    library = graph.library()
    ensure_columns(graph, library)
    return clio, graph, library.id


def mover(settings: Settings, clio: ClioClient, graph: GraphClient, drive: str, batch: str) -> DocumentMover:
    return DocumentMover(clio, graph, drive, WriteLedger(settings, "bench", f"sharepoint-files|{batch}"),
                         WriteLedger(settings, "bench", "sharepoint-folders"), batch)


def peak_rss() -> int:
    """This process's peak resident set so far, in bytes: VmHWM, the high-water mark of its own memory. Not
    getrusage's ru_maxrss: a spawned child's starts at its parent's peak (Linux carries it over fork and exec)."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) * 1024


# -- 1. one large file -------------------------------------------------------------------------------------------

def big_firm(size: int) -> dict[str, Any]:
    """A firm of one unfiled PDF whose latest version is `size` bytes."""
    version = {"id": 2_100_000_001, "document_id": 2_000_000_001, "filename": "Large exhibit.pdf", "size": size,
               "version_number": 1, "content_type": "application/pdf", "fully_uploaded": True}
    return {"documents": [{"id": 2_000_000_001, "name": version["filename"], "filename": version["filename"],
                           "size": size, "content_type": version["content_type"],
                           "latest_document_version": version}]}


def move_alone(environment: dict[str, str], task: dict[str, Any]) -> dict[str, Any]:
    """In the child: the clients, then one move, with the peak RSS before and after it."""
    logging.disable(logging.WARNING)
    os.environ.update(environment)
    settings = Settings()
    clio, graph, drive = connect(settings)
    moving = mover(settings, clio, graph, drive, "big")
    baseline = peak_rss()
    started = time.perf_counter()
    [outcome] = moving.move([DocumentTask.model_validate(task)])
    seconds = time.perf_counter() - started
    peak = peak_rss()
    clio.close()
    graph.close()
    return {"baseline": baseline, "peak": peak, "seconds": seconds, "outcome": outcome.model_dump()}


def measure_big(mib: int) -> None:
    from tests.documents.conftest import expected_sha256

    firm = big_firm(mib * MIB)
    with stack(firm, limit=50, window=60) as running:
        [task] = plan(firm, running.settings)
        with multiprocessing.get_context("spawn").Pool(1) as child:
            moved = child.apply(move_alone, (running.environment, task.model_dump()))
        fragment = running.settings.graph_upload_fragment_bytes
    outcome = MoveOutcome.model_validate(moved["outcome"])
    assert outcome.action == "created" and outcome.size == task.size, (outcome.action, outcome.reason)
    assert outcome.sha256 == expected_sha256(task.version_id, task.size), "SharePoint got other bytes"
    baseline, peak = moved["baseline"] / MIB, moved["peak"] / MIB
    print(f"large file       : {task.size / MIB:,.0f} MiB ({task.size:,} bytes), fragments of {fragment / MIB:g} "
          f"MiB, SHA-256 matches Clio's bytes")
    print(f"moved in         : {moved['seconds']:.1f} s ({task.size / MIB / moved['seconds']:.1f} MiB/s)")
    print(f"child RSS        : baseline {baseline:.1f} MiB, peak {peak:.1f} MiB ({peak * MIB / 1e6:.1f} MB; "
          f"target < 100 MB), peak - baseline {peak - baseline:.1f} MiB")


# -- 2. many small files against the Clio limit -----------------------------------------------------------------

def move_in_parallel(settings: Settings, tasks: list[DocumentTask], movers: int) -> tuple[list[MoveOutcome], float]:
    """Batches of the plan, moved by `movers` threads sharing one Clio and one Graph client; (outcomes, seconds)."""
    from shared.documents.plan import DocumentPlan

    batches = DocumentPlan(tasks=tasks).batches(settings.documents_per_batch, settings.document_batch_max_bytes)
    clio, graph, drive = connect(settings)

    def move(index: int, batch: list[DocumentTask]) -> list[MoveOutcome]:
        return mover(settings, clio, graph, drive, f"b{index}").move(batch)

    try:
        with ThreadPoolExecutor(movers) as pool:
            started = time.perf_counter()
            outcomes = [outcome for done in pool.map(move, range(len(batches)), batches) for outcome in done]
            return outcomes, time.perf_counter() - started
    finally:
        clio.close()
        graph.close()


def windows(answers: list[tuple[float, int, str]], limit: int, window: int) -> tuple[list[int], float, float]:
    """Requests in each rate-limit window; the share of the limit the windows before the last used; and the seconds
    each next window opened after the last one ended (the pacer waits for X-RateLimit-Reset, in whole seconds, and
    the sandbox's next window starts with the next request)."""
    starts: dict[str, float] = {}
    counts: Counter[str] = Counter()
    for at, _, reset in answers:
        starts.setdefault(reset, at)
        counts[reset] += 1
    order = sorted(starts)
    full = len(order) - 1
    if not full:
        return [counts[reset] for reset in order], float("nan"), float("nan")
    fill = sum(counts[reset] for reset in order[:-1]) / (limit * full)
    return [counts[reset] for reset in order], fill, (starts[order[-1]] - starts[order[0]]) / full - window


def measure_throughput(documents: int, movers: int, limit: int, window: int, seed: int) -> None:
    from bench.clio_budget import ResponseLog
    from firmgen import write_firm

    log: list[ResponseLog] = []

    def logged(app: Any) -> ResponseLog:
        log.append(ResponseLog(app))
        return log[0]

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "firm.json"
        write_firm(path, seed, "medium")
        firm = json.loads(path.read_text())
        with stack(path, limit, window, wrap=logged) as running:
            tasks = [task for task in plan(firm, running.settings) if task.size < SMALL_BYTES][:documents]
            outcomes, seconds = move_in_parallel(running.settings, tasks, movers)
            graph_throttled = running.graph.state.budget.throttled
    failed = [o for o in outcomes if o.action != "created"]
    assert not failed, [(o.document_id, o.code, o.reason) for o in failed[:5]]
    answers = log[0].answers
    counts, fill, idle = windows(answers, limit, window)
    per_minute, allowed = len(outcomes) * 60 / seconds, limit * 60 / window
    throttled = sum(1 for _, status, _ in answers if status == 429)
    real = fill * 60 / (60 + idle)  # the same fill and idle time in Clio's 60 s windows
    hours = REAL_FIRM_DOCUMENTS / (CLIO_PER_MINUTE * real) / 60
    print(f"small documents  : {len(outcomes)} (< {SMALL_BYTES // 1024} KiB, {sum(t.size for t in tasks) / MIB:.1f} "
          f"MiB) by {movers} movers; Clio requests {len(answers)} "
          f"({sum(o.clio_requests for o in outcomes) / len(outcomes):.2f} a document)")
    print(f"moved in         : {seconds:.1f} s = {per_minute:.0f} documents/min; limit {limit} per {window} s = "
          f"{allowed:.0f}/min")
    print(f"utilisation      : {per_minute / allowed:.3f} (documents/min / limit/min)")
    print(f"windows          : requests in each {counts}; those before the last used {fill:.3f} of the limit; "
          f"each next one opened {idle:.2f} s after the last ended: {fill * window / (window + idle):.3f} of the "
          f"limit in a long run")
    print(f"429s             : Clio {throttled}, Graph {graph_throttled}")
    print(f"a real firm      : at Clio's {CLIO_PER_MINUTE} per 60 s that fill and idle time are utilisation "
          f"{real:.3f}: {REAL_FIRM_DOCUMENTS:,} documents take {hours:.1f} h "
          f"({REAL_FIRM_DOCUMENTS / CLIO_PER_MINUTE / 60:.1f} h at 1), with the token to themselves")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big-mib", type=int, default=1024, help="size of the large file (0 skips it)")
    parser.add_argument("--documents", type=int, default=300, help="small documents to move (0 skips them)")
    parser.add_argument("--movers", type=int, default=4, help="parallel batches (DOCUMENT_PARALLEL_BATCHES)")
    parser.add_argument("--limit", type=int, default=30, help="Clio requests per window (Clio: 50 per 60 s)")
    parser.add_argument("--window", type=int, default=5, help="Clio rate-limit window seconds")
    parser.add_argument("--seed", type=int, default=3, help="seed of the generated medium firm")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    if args.big_mib:
        measure_big(args.big_mib)
    if args.documents:
        measure_throughput(args.documents, args.movers, args.limit, args.window, args.seed)


if __name__ == "__main__":
    main()
