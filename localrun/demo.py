"""The main job on the embedded local stack: Azurite, and the Clio, Dataverse and Graph sandboxes serving a
generated law firm; the Function App — the portal's HTTP API, the orchestrators and activities driven by the local
runner — migrating it end to end. The two gates are approved automatically (or asked, with --interactive); the run
prints each phase and per-table progress with an ETA, and ends with the reconciliation summary and the reports,
copied out of Blob storage into a local folder."""
from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from firmgen import write_firm
from localrun.azurite import Azurite
from localrun.execution import Outcome
from localrun.host import LocalHost, load_function_app
from localrun.stack import reset_service_clients, running_stack
from shared.blobs import container
from shared.migration.models import REPORTS, instance_id
from shared.settings import get_settings

GATES = {"awaiting mapping approval": "mapping", "awaiting sample approval": "sample"}


class Progress:
    """Prints the root's phase when it changes, and what the busy sub-orchestrations report, every few seconds."""

    def __init__(self, root: str) -> None:
        self.root, self.phase, self.started = root, "", time.monotonic()
        self.phase_started = self.started
        self.last_line = 0.0
        self.children: dict[str, dict[str, Any]] = {}

    def __call__(self, instance: str, outcome: Outcome) -> None:
        status = outcome.custom_status if isinstance(outcome.custom_status, dict) else {}
        if instance == self.root:
            if status.get("phase") and status["phase"] != self.phase:
                self.phase, self.phase_started = status["phase"], time.monotonic()
                print(f"[{self._clock()}] {self.phase}")
            return
        if instance.startswith(f"{self.root}:"):
            self.children[instance] = {**status, "_done": outcome.status != "Running"}
            if time.monotonic() - self.last_line > 3:
                self.last_line = time.monotonic()
                self._print_children()

    def _print_children(self) -> None:
        busy = {name: s for name, s in self.children.items() if not s["_done"] and self._fraction(s)[1]}
        for name, status in sorted(busy.items())[:6]:
            label = name.removeprefix(f"{self.root}:")
            done, total = self._fraction(status)
            eta = ""
            if done and total and done < total:
                left = (time.monotonic() - self.phase_started) / done * (total - done)
                eta = f", ETA {int(left // 60)}:{int(left % 60):02d}"
            counts = ", ".join(f"{k} {v}" for k, v in status.items()
                               if k in ("records", "rows", "created", "documents", "failed") and v)
            print(f"           {label:<44} {done}/{total}{eta}  {counts}")

    @staticmethod
    def _fraction(status: dict[str, Any]) -> tuple[int, int]:
        for done, total in (("blobs_done", "blobs"), ("batches_done", "batches")):
            if total in status:
                return int(status.get(done, 0)), int(status[total])
        return 0, 0

    def _clock(self) -> str:
        elapsed = time.monotonic() - self.started
        return f"{int(elapsed // 60):02d}:{int(elapsed % 60):02d}"


def _decide(host: LocalHost, migration_id: str, gate: str, status: dict[str, Any], interactive: bool) -> None:
    progress = status.get("customStatus") or {}
    if gate == "mapping":
        dry = progress.get("proposal", {}).get("dry_run", {})
        print(f"           proposed map: {sum((dry.get('rows') or {}).values())} rows; every record accounted for: "
              f"{dry.get('accounted')}; "
              f"Clio users without a Dynamics user: {dry.get('unmatched_users')}")
        for line in progress.get("proposal", {}).get("estimate", []):
            print(f"           estimate: {line}")
    else:
        diff = progress.get("sample", {}).get("diff", {})
        print(f"           sample: {progress.get('sample', {}).get('rows')} rows loaded and read back; "
              f"{diff.get('mismatches')} field differences, {diff.get('unexplained')} unexplained")
    approved = True
    if interactive:
        approved = input(f"           approve the {gate}? [y/N] ").strip().lower().startswith("y")
    code, answer = host.invoke_json("POST", f"/api/migrations/{migration_id}/{gate}/decision",
                                    {"approved": approved, "by": "demo@localhost", "note": "demo run"})
    print(f"           POST /api/migrations/{migration_id}/{gate}/decision -> {code} "
          f"({'approved' if approved else 'rejected'})")


def migrate(host: LocalHost, body: dict[str, Any], timeout: float, interactive: bool = False) -> dict[str, Any]:
    """POSTs the migration, answers each gate as it comes (approved, or asked), drives it to its end: the final
    status."""
    code, answer = host.invoke_json("POST", "/api/migrations", body)
    print(f"POST /api/migrations -> {code} {answer}")
    if code != 202:
        return {"runtimeStatus": "NotStarted", "output": answer}
    root, answered = instance_id(body["migration_id"]), None
    while True:
        status = host.run_until_phase(root, set(GATES), timeout=timeout, after=answered)
        if status["runtimeStatus"] != "Running":
            return status
        answered = status["customStatus"]
        _decide(host, body["migration_id"], GATES[answered["phase"]], status, interactive)


def _export_reports(migration_id: str, folder: Path) -> list[Path]:
    raw = container(get_settings().raw_container)
    written = []
    for name, path in REPORTS.items():
        for suffix in (".json", ".html"):
            blob = raw.get_blob_client(f"{migration_id}/{path[:-len('.json')]}{suffix}")
            if blob.exists():
                target = folder / f"{name}{suffix}"
                target.write_bytes(blob.download_blob().readall())
                written.append(target)
    return written


def run_demo(size: str, seed: int, rate_limit: int, migration_id: str, interactive: bool = False,
             reports: Path = Path("demo-reports")) -> int:
    started = time.monotonic()
    root = instance_id(migration_id)
    with tempfile.TemporaryDirectory() as scratch, Azurite() as azurite:
        firm = Path(scratch) / "firm.json"
        records = write_firm(firm, seed, size)
        print(f"Generated a {size} law firm (seed {seed}): {records} Clio records")
        with running_stack(firm, clio_rate_limit=rate_limit) as stack:
            os.environ.update({"AzureWebJobsStorage": azurite.connection_string, "TASKHUB_NAME": "demohub",
                               "MIGRATION_STORAGE_CONNECTION_STRING": azurite.connection_string, **stack.settings()})
            os.environ.setdefault("DELTA_PICKUP_SCHEDULE", "0 */15 * * * *")
            reset_service_clients()
            print(f"Clio sandbox {stack.clio.base_url} ({rate_limit} requests/min), Dataverse sandbox "
                  f"{stack.dataverse.base_url}, Graph sandbox {stack.graph.base_url}, Azurite :{azurite.blob_port}")
            with LocalHost(load_function_app(), azurite.connection_string, on_episode=Progress(root)) as host:
                body = {"migration_id": migration_id, "sample_size": 100,
                        "fallback_owner_email": stack.dynamics_users[0],
                        "case_practice_areas": case_areas(firm)}
                status = migrate(host, body, 6 * 3600, interactive)
                reports.mkdir(parents=True, exist_ok=True)
                exported = _export_reports(migration_id, reports)
            counters = stack.clio.state.counters
        return _summary(status, exported, counters.served, counters.throttled, rate_limit,
                        time.monotonic() - started)


def case_areas(firm: Path) -> list[int]:
    """The demo's matter split rule: the firm's first practice area is handled as cases."""
    areas = json.loads(firm.read_text()).get("practice_areas", [])
    return [areas[0]["id"]] if areas else []


def _summary(status: dict[str, Any], reports: list[Path], served: int, throttled: int, rate_limit: int,
             elapsed: float) -> int:
    found = status.get("output")
    output: dict[str, Any] = found if isinstance(found, dict) else {}
    if status["runtimeStatus"] != "Completed" or output.get("phase") != "cutover":
        print(f"\n{status['runtimeStatus']}: {status.get('output')}")
        return 1
    print(f"\n{'table map':<40} {'rows':>7} {'created':>8} {'updated':>8} {'unchanged':>10} {'failed':>7}")
    for name, load in sorted(output["loads"].items()):
        print(f"{name:<40} {load['rows']:>7} {load['created']:>8} {load['updated']:>8} {load['unchanged']:>10} "
              f"{load['failed']:>7}")
    documents, reconciliation = output["documents"], output["reconciliation"]
    print(f"\nDocuments: {documents['created']} created, {documents['unchanged']} unchanged, {documents['failed']} "
          f"failed, {documents['bytes'] / 2**20:.0f} MiB")
    print(f"Reconciliation: {reconciliation['staged']} rows expected, {reconciliation['found']} found; "
          f"{reconciliation['missing']} missing, {reconciliation['mismatches']} mismatched, "
          f"{reconciliation['orphans']} orphan lookups, {reconciliation['extra']} extra; "
          f"{reconciliation['explained']} explained, {reconciliation['unexplained']} unexplained; "
          f"{reconciliation['unaccounted_records']} Clio records unaccounted for")
    print(f"Clio budget: {served} requests served, {throttled} answered 429, at {rate_limit}/min; "
          f"{elapsed / 60:.1f} min in all")
    print(f"Reports in {reports[0].parent}/: " + ", ".join(path.name for path in reports) if reports else "No reports")
    return 0 if reconciliation["unexplained"] == 0 and reconciliation["unaccounted_records"] == 0 else 1
