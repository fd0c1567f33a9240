"""Command line for the local stack.

  python -m localrun demo [--size small] [--rate-limit 50] [--interactive]
                                                      the README's main job: a whole migration on a fresh
                                                      embedded stack
  python -m localrun run --orchestrator NAME --instance-id ID [--input JSON] [--app MODULE]
                                                      start (or resume, after a kill) one instance and drive it
  python -m localrun status INSTANCE_ID [--history]   read an instance's status from the task hub
  python -m localrun migration VERB ...                the portal API's verbs (see localrun/migration_cli.py)

`run` and `status` use the task hub in AzureWebJobsStorage (and TASKHUB_NAME), as the Functions host does;
`local.settings.json` fills in what the environment lacks.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

from localrun.host import LocalHost, load_function_app, load_local_settings
from localrun.migration_cli import add_commands
from localrun.migration_cli import run as migration_verbs


def _host(app_module: str, max_timer_jump: float | None = None) -> LocalHost:
    load_local_settings()
    connection = os.environ.get("AzureWebJobsStorage")
    if not connection:
        sys.exit("AzureWebJobsStorage is not set (environment or local.settings.json)")
    jump = timedelta(seconds=max_timer_jump) if max_timer_jump is not None else None
    return LocalHost(load_function_app(app_module), connection, max_timer_jump=jump)


def run(args: argparse.Namespace) -> int:
    with _host(args.app, args.max_timer_jump) as host:
        existing = host.store.get_instance(args.instance_id)
        if existing is None:
            code, body = host.api.start(args.orchestrator, args.instance_id, args.input)
            if code != 202:
                print(json.dumps(body), file=sys.stderr)
                return 2
        status = host.run_until_complete(args.instance_id, timeout=args.timeout)
        print(json.dumps(status))
        return 0 if status["runtimeStatus"] == "Completed" else 1


def status(args: argparse.Namespace) -> int:
    with _host(args.app) as host:
        found = host.status(args.instance_id, show_history=args.history)
        print(json.dumps(found, indent=2))
        return 0 if found is not None else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localrun")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the main job on a fresh embedded stack")
    demo.add_argument("--size", default="small", help="generated firm: tiny, small, medium or large")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--rate-limit", type=int, default=50, help="Clio requests per minute per token")
    demo.add_argument("--migration-id", default="demo")
    demo.add_argument("--interactive", action="store_true", help="ask at the mapping and sample gates")
    demo.add_argument("--reports", default="demo-reports", help="folder the reports are copied to")
    starter = commands.add_parser("run", help="start or resume one instance and drive it to the end")
    starter.add_argument("--app", default="function_app")
    starter.add_argument("--orchestrator", required=True)
    starter.add_argument("--instance-id", required=True)
    starter.add_argument("--input", default=None, help="JSON input")
    starter.add_argument("--timeout", type=float, default=3600)
    starter.add_argument("--max-timer-jump", type=float, default=None,
                         help="seconds: a durable timer further away waits for real time (so a gate's timeout "
                              "does not fire while nobody is there to decide)")
    reader = commands.add_parser("status", help="read an instance's status")
    reader.add_argument("instance_id")
    reader.add_argument("--app", default="function_app")
    reader.add_argument("--history", action="store_true")
    add_commands(commands)
    args = parser.parse_args(argv)
    if args.command == "migration":
        with _host(args.app if hasattr(args, "app") else "function_app", 3600) as host:
            return migration_verbs(host, args)
    if args.command == "demo":
        from localrun.demo import run_demo
        return run_demo(args.size, args.seed, args.rate_limit, args.migration_id, args.interactive,
                        Path(args.reports))
    return run(args) if args.command == "run" else status(args)


if __name__ == "__main__":
    sys.exit(main())
