"""How much of Clio's request budget the extraction uses: a generated firm served by the Clio sandbox at a scaled-up
limit (so the run takes about a minute), extracted through the orchestrators and the local runner. The sandbox's
answers are logged, so the figures are Clio's own count, grouped by its rate-limit windows.

    .venv/bin/python bench/clio_budget.py [--size medium] [--limit 100] [--window 10]

Prints: requests, 429s, and utilisation = requests made / requests allowed, over the windows the run filled
(every window but the last, which ends when the work does) and over the whole run.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from firmgen import write_firm  # noqa: E402
from localrun.azurite import Azurite  # noqa: E402
from localrun.clio_sandbox import running_clio  # noqa: E402
from localrun.host import LocalHost, load_function_app  # noqa: E402
from shared.blobs import reset_clients  # noqa: E402


class ResponseLog:
    """ASGI middleware recording, for each API answer, its status and the window (X-RateLimit-Reset) it fell in."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.answers: list[tuple[float, int, str]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/v4/"):
            await self.app(scope, receive, send)
            return

        async def logging_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
                self.answers.append((time.time(), message["status"], headers.get("x-ratelimit-reset", "")))
            await send(message)

        await self.app(scope, receive, logging_send)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="medium")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--limit", type=int, default=100, help="requests per window (Clio: 50 per 60 s at peak)")
    parser.add_argument("--window", type=int, default=10, help="window seconds")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as scratch, Azurite() as azurite:
        firm = Path(scratch) / "firm.json"
        records = write_firm(firm, args.seed, args.size)
        log: ResponseLog | None = None

        def wrap(app: Any) -> Any:
            nonlocal log
            log = ResponseLog(app)
            return log

        with running_clio(firm, rate_limit=args.limit, window_seconds=args.window, wrap=wrap) as clio:
            os.environ.update({"AzureWebJobsStorage": azurite.connection_string, "TASKHUB_NAME": "budgetbench",
                               "MIGRATION_STORAGE_CONNECTION_STRING": azurite.connection_string, **clio.settings()})
            reset_clients()
            with LocalHost(load_function_app(), azurite.connection_string) as host:
                host.api.start("extract_clio", "extract-bench", json.dumps({"migration_id": "bench"}))
                started = time.time()
                status = host.run_until_complete("extract-bench", timeout=1800)
                elapsed = time.time() - started
        assert log is not None and status["runtimeStatus"] == "Completed", status
        report(records, status["output"], log.answers, args.limit, args.window, elapsed)


def report(records: int, manifest: dict[str, Any], answers: list[tuple[float, int, str]], limit: int,
           window: int, elapsed: float) -> None:
    per_window = Counter(reset for _, _, reset in answers)
    windows = sorted(per_window)
    full = windows[:-1]
    throttled = sum(1 for _, status, _ in answers if status == 429)
    filled = sum(per_window[w] for w in full) / (limit * len(full)) if full else float("nan")
    overall = len(answers) / (limit * elapsed / window)
    print(f"firm: {records} records; extracted {manifest['records']} in {manifest['pages']} pages "
          f"({len(manifest['failed'])} failed streams)")
    print(f"limit: {limit} requests per {window} s window; run: {elapsed:.1f} s over {len(windows)} windows")
    print(f"requests: {len(answers)}; 429s: {throttled} ({100 * throttled / max(len(answers), 1):.2f} %)")
    print(f"per window: {[per_window[w] for w in windows]}")
    print(f"utilisation over the {len(full)} windows the run filled: {filled:.3f}")
    print(f"utilisation over the whole run (requests / (limit x elapsed / window)): {overall:.3f}")


if __name__ == "__main__":
    main()
