"""The portal API's verbs on the command line, for engineers: the same HTTP functions, called in process against
the task hub in AzureWebJobsStorage (TASKHUB_NAME), and `drive`, which runs the migration's orchestrations until
its next gate or its end (as the Functions host would, between two portal calls).

  python -m localrun migration start '{"migration_id": "firm1", "sample_size": 100}'
  python -m localrun migration drive firm1 [--timeout 3600]     to the next gate (past an answered one) or the end
  python -m localrun migration status firm1
  python -m localrun migration report firm1 sample-diff [--html]
  python -m localrun migration mapping firm1 [--put edited.json]
  python -m localrun migration decide firm1 mapping|sample --approve|--reject --by you@firm.example [--note ...]
  python -m localrun migration cancel firm1 [--reason ...]
  python -m localrun migration rollback firm1 [--dry-run] [--force] [--remove-schema] [--timeout 3600]
                                                                starts the rollback and runs it to its end
  python -m localrun migration rollback firm1 --status
  python -m localrun migration tick firm1 [--timeout 3600]     one delta-pickup timer tick, run to its end
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from localrun.host import LocalHost

GATE_PHASES = {"awaiting mapping approval", "awaiting sample approval"}


def add_commands(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("migration", help="the portal API's verbs (start, drive, status, report, "
                                                   "mapping, decide, cancel, rollback) and a delta tick")
    verbs = parser.add_subparsers(dest="verb", required=True)
    verbs.add_parser("start").add_argument("body", help="the MigrationRequest as JSON")
    for verb in ("drive", "status", "cancel", "rollback", "tick"):
        verbs.add_parser(verb).add_argument("migration_id")
    for verb in ("drive", "rollback", "tick"):
        verbs.choices[verb].add_argument("--timeout", type=float, default=3600, help="seconds to drive at most")
    for flag, meaning in (("--dry-run", "plan and report, write nothing"),
                          ("--force", "also undo rows someone changed since our write"),
                          ("--remove-schema", "also remove the tables, columns and keys we created"),
                          ("--status", "only show the last rollback's status")):
        verbs.choices["rollback"].add_argument(flag, action="store_true", help=meaning)
    verbs.choices["cancel"].add_argument("--reason", default="cancelled from the command line")
    report = verbs.add_parser("report")
    report.add_argument("migration_id")
    report.add_argument("name")
    report.add_argument("--html", action="store_true")
    mapping = verbs.add_parser("mapping")
    mapping.add_argument("migration_id")
    mapping.add_argument("--put", type=Path, help="an edited map (JSON) for the next mapping round")
    decide = verbs.add_parser("decide")
    decide.add_argument("migration_id")
    decide.add_argument("gate", choices=["mapping", "sample"])
    choice = decide.add_mutually_exclusive_group(required=True)
    choice.add_argument("--approve", action="store_true")
    choice.add_argument("--reject", action="store_true")
    decide.add_argument("--by", required=True)
    decide.add_argument("--note")


def run(host: LocalHost, args: argparse.Namespace) -> int:
    if args.verb == "drive":
        instance = f"migration-{args.migration_id}"
        now = host.status(instance) or {}
        here = now.get("customStatus") if (now.get("customStatus") or {}).get("phase") in GATE_PHASES else None
        try:  # from a gate (answered, or it waits here until --timeout) to the next one, or the end
            status = host.run_until_phase(instance, GATE_PHASES, timeout=args.timeout, after=here)
        except TimeoutError:
            status = host.status(instance) or {"runtimeStatus": "unknown"}
        print(json.dumps({"runtimeStatus": status["runtimeStatus"], "customStatus": status.get("customStatus"),
                          "output": status.get("output")}, indent=1, default=str))
        return 0 if status["runtimeStatus"] in ("Running", "Completed") else 1
    if args.verb == "tick":
        host.fire_timer("delta_pickup_timer")
        return _drive_to_end(host, f"delta-{args.migration_id}", args.timeout)
    method, path, body = _request(args)
    answer = host.invoke_http(method, f"/api/{path}", body=body, params={"format": "html"} if getattr(
        args, "html", False) else ({"reason": args.reason} if args.verb == "cancel" else None))
    sys.stdout.write(answer.get_body().decode() + "\n")
    if args.verb == "rollback" and not args.status and answer.status_code == 202:
        return _drive_to_end(host, f"rollback-{args.migration_id}", args.timeout)
    return 0 if answer.status_code < 400 else 1


def _drive_to_end(host: LocalHost, instance: str, timeout: float) -> int:
    if host.status(instance) is None:
        print(json.dumps({"instance": instance, "runtimeStatus": "not started"}))
        return 1
    status = host.run_until_complete(instance, timeout=timeout)
    print(json.dumps({"instance": instance, "runtimeStatus": status["runtimeStatus"],
                      "output": status.get("output")}, indent=1, default=str))
    return 0 if status["runtimeStatus"] == "Completed" else 1


def _request(args: argparse.Namespace) -> tuple[str, str, bytes]:
    migration = f"migrations/{getattr(args, 'migration_id', '')}"
    if args.verb == "start":
        return "POST", "migrations", args.body.encode()
    if args.verb == "status":
        return "GET", migration, b""
    if args.verb == "report":
        return "GET", f"{migration}/reports/{args.name}", b""
    if args.verb == "mapping":
        return ("PUT", f"{migration}/mapping", args.put.read_bytes()) if args.put else ("GET", f"{migration}/mapping",
                                                                                       b"")
    if args.verb == "decide":
        decision = {"approved": bool(args.approve), "by": args.by, "note": args.note}
        return "POST", f"{migration}/{args.gate}/decision", json.dumps(decision).encode()
    if args.verb == "rollback":
        if args.status:
            return "GET", f"{migration}/rollback", b""
        options = {"dry_run": args.dry_run, "force": args.force, "remove_schema": args.remove_schema}
        return "POST", f"{migration}/rollback", json.dumps(options).encode()
    return "POST", f"{migration}/cancel", b""
