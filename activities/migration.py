"""The migration's own activities: pre-flight, the mapping round (propose or take the engineer's edit, dry-run
it), approval, the sample and the full-load plan, and the migration's record in the migrations table. Only blob
paths, ids and counts go back to the orchestrator."""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import azure.durable_functions as df
from azure.storage.blob import ContainerClient
from pydantic import BaseModel, Field

from activities.mapping_dry_run import dry_run_migration
from shared.blobs import container
from shared.clio.extracted import extracted_records
from shared.clio.models import resource_catalogue
from shared.dataverse.shared_client import shared_dataverse_client
from shared.mapping.approval import approve, read_approved_map
from shared.mapping.load_order import load_order
from shared.mapping.maps import load_map
from shared.mapping.model import MapFile
from shared.mapping.proposer import DeterministicProposer
from shared.mapping.live_schema import read_snapshot
from shared.mapping.sample import select_sample
from shared.migration.models import (MIGRATION_ID, Decision, MigrationInput, approved_map_blob, edited_map_blob,
                                     mapping_folder, proposed_map_blob)
from shared.migration.estimate import Estimate, estimate
from shared.migration.preflight import PreflightReport, run_checks
from shared.settings import get_settings
from shared.storage import table

bp = df.Blueprint()


class _Migration(BaseModel):
    migration_id: str = Field(pattern=MIGRATION_ID)


def _raw() -> ContainerClient:
    return container(get_settings().raw_container)


def _put(raw: ContainerClient, path: str, body: Any) -> str:
    raw.upload_blob(path, (body if isinstance(body, str) else json.dumps(body, default=str)).encode(),
                    overwrite=True)
    return path


@bp.activity_trigger(input_name="payload")
def run_preflight(payload: dict) -> dict:
    request = MigrationInput.model_validate(payload)
    report = run_checks(get_settings(), request)
    path = _put(_raw(), f"{request.migration_id}/preflight/report.json", report.model_dump(mode="json"))
    return {"report": path, "blocking": [c.name for c in report.checks if c.status == "failed"],
            "warnings": [c.name for c in report.checks if c.status == "warning"]}


class RecordRequest(_Migration):
    phase: str
    detail: dict[str, Any] = Field(default_factory=dict)
    at: datetime
    delta_window_hours: int | None = None  # set at cutover: the delta window opens now


@bp.activity_trigger(input_name="payload")
def record_migration(payload: dict) -> dict:
    """The migration's row in the migrations table (phase, when, what); at cutover its delta window."""
    request = RecordRequest.model_validate(payload)
    entity: dict[str, Any] = {"PartitionKey": request.migration_id, "RowKey": "migration", "Phase": request.phase,
                              "PhaseAt": request.at, "Detail": json.dumps(request.detail, default=str)[:30_000]}
    if request.delta_window_hours is not None:
        entity.update({"DeltaWindowOpensAt": request.at,
                       "DeltaWindowClosesAt": request.at + timedelta(hours=request.delta_window_hours)})
    settings = get_settings()
    table(settings, settings.migrations_table).upsert_entity(entity)
    return {"phase": request.phase}


class MappingRound(_Migration):
    round: int = Field(ge=0)
    case_practice_areas: list[int] = Field(default_factory=list)
    fallback_owner_email: str | None = None


def _streams_with_custom_fields() -> list[str]:
    """The extraction streams that ask for custom field values (only those carry any)."""
    return [spec.key for spec in resource_catalogue().resources
            if any(name.startswith("custom_field_values") for name in spec.fields)]


def _system_users() -> list[dict[str, Any]]:
    return shared_dataverse_client(get_settings()).query("systemusers", {
        "$select": "systemuserid,internalemailaddress,isdisabled,islicensed,fullname"})


@bp.activity_trigger(input_name="payload")
def propose_migration_map(payload: dict) -> dict:
    """A mapping round: the engineer's edited map if one was sent, else a map proposed for this firm's custom
    fields and practice areas; then the dry run of every extracted record through it against the org's schema."""
    request = MappingRound.model_validate(payload)
    raw, migration = _raw(), request.migration_id
    records = defaultdict(list)
    for stream in ("custom_fields", "practice_areas"):
        records[stream] = [record for _, record in extracted_records(raw, migration, stream)]
    base = load_map()
    client = shared_dataverse_client(get_settings())
    custom = {spec.logical_name for spec in base.target_schema.tables}
    live = read_snapshot(client, sorted({t.target.logical_name for t in base.tables} - custom)).with_map_schema(base)
    edited = raw.get_blob_client(edited_map_blob(migration))
    decisions: list[dict[str, Any]] = []
    if edited.exists():
        proposed = MapFile.model_validate_json(edited.download_blob().readall())
        source = "edited"
    else:
        samples: dict[int, list[Any]] = defaultdict(list)
        for stream in _streams_with_custom_fields():
            for _, record in extracted_records(raw, migration, stream):
                for value in record.get("custom_field_values") or []:
                    samples[value["custom_field"]["id"]].append(value.get("value"))
        proposal = DeterministicProposer(get_settings().dataverse_publisher_prefix).propose(
            base, records["custom_fields"], samples, live, records["practice_areas"])
        proposed, source = proposal.map, "proposed"
        decisions = [d.model_dump(mode="json") for d in proposal.decisions]
    _put(raw, proposed_map_blob(migration), proposed.model_dump_json())
    snapshot = live.with_map_schema(proposed)
    _put(raw, f"{mapping_folder(migration)}/target.json",
         {"schema": snapshot.model_dump(mode="json"), "system_users": _system_users()})
    parameters = {"case_practice_areas": request.case_practice_areas} \
        if "case_practice_areas" in proposed.parameters else {}
    dry = dry_run_migration({"migration_id": migration, "map_blob": proposed_map_blob(migration),
                             "snapshot_blob": f"{mapping_folder(migration)}/target.json", "parameters": parameters,
                             "fallback_owner_email": request.fallback_owner_email})
    raw.upload_blob(f"{mapping_folder(migration)}/dry-run.json", raw.download_blob(dry["report"]).readall(),
                    overwrite=True)
    expected = _estimate(raw, migration, sum(dry["rows"].values()))
    _put(raw, f"{mapping_folder(migration)}/proposal.json",
         {"round": request.round, "source": source, "version": proposed.version, "dry_run": dry,
          "decisions": decisions, "estimate": expected.model_dump()})
    return {"map_blob": proposed_map_blob(migration), "version": proposed.version, "source": source,
            "dry_run": {key: dry[key] for key in ("report", "html", "rows", "accounted", "unmatched_users")},
            "estimate": expected.lines()}


def _estimate(raw: ContainerClient, migration: str, rows: int) -> Estimate:
    manifest = json.loads(raw.download_blob(f"{migration}/clio/manifest.json").readall())
    preflight = PreflightReport.model_validate_json(
        raw.download_blob(f"{migration}/preflight/report.json").readall())
    return estimate({stream["stream"]: stream["records"] for stream in manifest["streams"]}, rows,
                    (record for _, record in extracted_records(raw, migration, "documents")),
                    preflight.clio_requests_per_minute, preflight.dataverse_parallelism)


class ApproveRequest(_Migration):
    decision: Decision
    at: datetime


@bp.activity_trigger(input_name="payload")
def approve_migration_map(payload: dict) -> dict:
    """The proposed map as approved (who, when, its content hash), and the schema it needs, both in Blob."""
    request = ApproveRequest.model_validate(payload)
    raw, migration = _raw(), request.migration_id
    proposed = MapFile.model_validate_json(raw.download_blob(proposed_map_blob(migration)).readall())
    approved = approve(proposed, request.decision.by, request.at, request.decision.note)
    _put(raw, approved_map_blob(migration), approved.model_dump_json())
    schema = _put(raw, f"{mapping_folder(migration)}/schema.json", proposed.target_schema.model_dump_json())
    return {"approved_map_blob": approved_map_blob(migration), "schema_blob": schema, "version": proposed.version}


class StagedRequest(_Migration):
    version: str


def _staged(raw: ContainerClient, migration: str, version: str) -> dict[str, list[str]]:
    """Table map name -> its staged row blobs (the dry run's chunks), in order."""
    found: dict[str, list[str]] = defaultdict(list)
    for blob in raw.list_blobs(name_starts_with=f"{migration}/dry-run/{version}/rows/"):
        found[blob.name.split("/")[-2]].append(blob.name)
    return {name: sorted(paths) for name, paths in found.items()}


def _levels(map_file: MapFile, blobs: dict[str, list[str]]) -> list[list[dict[str, Any]]]:
    """Loads level by level: each table map with its target, row blobs, the binds its first pass leaves out, the
    table maps it waits for (those its rows bind to, outside its cycle) and those of its cycle (itself too)."""
    order = load_order(map_file)
    present = [table for table in map_file.tables if blobs.get(table.name)]

    def names(entity_sets: set[str] | frozenset[str]) -> list[str]:
        return [table.name for table in present if table.target.entity_set in entity_sets]

    levels = [[{"table": table.name, "blobs": blobs[table.name], "target": table.target.model_dump(),
                "deferred": order.deferred.get(table.name, []),
                "after": names(order.waits_for[table.target.entity_set]),
                "cycle": names(order.cycle[table.target.entity_set])}
               for table in present if table.target.entity_set in level]
              for level in order.levels]
    return [level for level in levels if level]


def reconcile_groups(map_file: MapFile) -> list[list[str]]:
    """The table maps that must be reconciled together: those sharing a Clio resource (a record is accounted for
    across all its rows) or an entity set (extra rows are looked for once per set), transitively."""
    chosen = map_file.tables
    leader = {table.name: table.name for table in chosen}

    def find(name: str) -> str:
        while leader[name] != name:
            name = leader[name]
        return name

    for attribute in ("source", "entity_set"):
        first: dict[str, str] = {}
        for table in chosen:
            value = table.source if attribute == "source" else table.target.entity_set
            leader[find(table.name)] = find(first.setdefault(value, table.name))
    groups: dict[str, list[str]] = defaultdict(list)
    for table in chosen:
        groups[find(table.name)].append(table.name)
    return list(groups.values())


@bp.activity_trigger(input_name="payload")
def plan_full_load(payload: dict) -> dict:
    request = StagedRequest.model_validate(payload)
    raw = _raw()
    map_file = read_approved_map(raw, approved_map_blob(request.migration_id))
    levels = _levels(map_file, _staged(raw, request.migration_id, request.version))
    return {"levels": levels, "blobs": sum(len(t["blobs"]) for level in levels for t in level),
            "reconcile_groups": reconcile_groups(map_file)}


class SampleRequest(StagedRequest):
    size: int = Field(ge=1, le=1000)
    round: int = Field(ge=0)


@bp.activity_trigger(input_name="payload")
def stage_sample(payload: dict) -> dict:
    """Whole matters with everything around them, from the staged rows, written for the loader and the diff."""
    request = SampleRequest.model_validate(payload)
    raw, migration = _raw(), request.migration_id
    map_file = read_approved_map(raw, approved_map_blob(migration))
    staged = {name: [json.loads(line) for path in paths
                     for line in raw.download_blob(path).readall().decode().splitlines() if line.strip()]
              for name, paths in _staged(raw, migration, request.version).items()}
    sample = select_sample(map_file, staged, request.size, load_order(map_file).deferred)
    folder = f"{migration}/sample/{request.round}"
    blobs = {name: [_put(raw, f"{folder}/rows/{name}.jsonl", "".join(json.dumps(line) + "\n" for line in lines))]
             for name, lines in sample.items()}
    keys = _put(raw, f"{folder}/keys.json", {"tables": {name: [line["key"] for line in lines]
                                                         for name, lines in sample.items()}})
    return {"levels": _levels(map_file, blobs), "keys_blob": keys,
            "rows": sum(len(lines) for lines in sample.values())}
