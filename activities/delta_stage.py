"""A delta tick's changed records as rows for the loader: mapped with the approved map exactly as the full run's
dry run maps (activities/mapping_dry_run.py `stage_rows`), but against the migration's reference data as it is now
— Clio users for owners and the placing records (matters, for the lookups that follow a matter to its case or
opportunity) from the full extraction, each overridden by what later ticks saw — so a task on an unchanged matter
binds as it did in the full load. Returns the load plan (`_levels`, as the full load's) and the staged keys."""
from __future__ import annotations

import json
from collections import defaultdict

import azure.durable_functions as df
from azure.storage.blob import ContainerClient
from pydantic import Field

from activities.mapping_dry_run import stage_rows
from activities.migration import _levels
from shared.blobs import container
from shared.clio.models import resource_catalogue
from shared.delta.models import DeltaRequest
from shared.delta.paths import tick_folder
from shared.delta.records import extraction_folders, latest, page_records
from shared.mapping.approval import read_approved_map
from shared.mapping.engine import CompiledMap
from shared.mapping.target_schema import SchemaSnapshot
from shared.mapping.users import resolve_users
from shared.migration.models import approved_map_blob, mapping_folder
from shared.settings import get_settings

bp = df.Blueprint()


class StageRequest(DeltaRequest):
    tick: int = Field(ge=1)


def _keys(raw: ContainerClient, blobs: dict[str, list[str]]) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = defaultdict(list)
    for table, paths in blobs.items():
        for path in paths:
            keys[table] += [json.loads(line)["key"] for line in raw.download_blob(path).readall().decode().splitlines()
                            if line.strip()]
    return dict(keys)


@bp.activity_trigger(input_name="payload")
def stage_delta_rows(payload: dict) -> dict:
    request = StageRequest.model_validate(payload)
    raw = container(get_settings().raw_container)
    migration, folder = request.migration_id, tick_folder(request.migration_id, request.tick)
    map_file = read_approved_map(raw, approved_map_blob(migration))
    target = json.loads(raw.download_blob(f"{mapping_folder(migration)}/target.json").readall())
    folders = extraction_folders(migration, request.tick)
    users = resolve_users(latest(raw, folders, "users"), target["system_users"], request.fallback_owner_email)
    parameters = {"case_practice_areas": request.case_practice_areas} \
        if "case_practice_areas" in map_file.parameters else {}
    compiled = CompiledMap(map_file, parameters, users)
    for spec in resource_catalogue().resources:
        if spec.resource in compiled.placed_resources:
            compiled.place((spec.resource, record) for record in latest(raw, folders, spec.key))
    staged = stage_rows(raw, folder, page_records(raw, folder), compiled,
                        SchemaSnapshot.model_validate(target["schema"]), users)
    keys = _keys(raw, staged.blobs)
    keys_blob = f"{folder}/keys.json"
    raw.upload_blob(keys_blob, json.dumps({"tables": keys}).encode(), overwrite=True)
    levels = _levels(map_file, staged.blobs)
    for table in (table for level in levels for table in level):
        # The full load leaves lookups inside a cycle to a second pass because their targets do not exist yet; a
        # tick's targets nearly all do, and a first pass without them would rewrite (and report "updated") every
        # re-read row twice. A row whose target is new in this tick fails its first pass and gets the second.
        table["deferred"] = []
    return {"rows": sum(len(table_keys) for table_keys in keys.values()), "keys_blob": keys_blob,
            "levels": levels, "report": staged.report,
            "records": {name: tally["source"] for name, tally in staged.summary["resources"].items()},
            "kept_out": {name: tally["errors"] for name, tally in staged.summary["resources"].items()
                         if tally["errors"]}}
