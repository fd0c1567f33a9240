"""Where a Clio record lands in Dataverse under a map, and back: each table map whose source is the record's
resource makes (at most) one row, keyed `<key prefix><Clio id>` in its target's Clio-id column (the engine keys
rows so, shared/mapping/engine.py). Table maps of one resource that share a target and prefix make the same row
(a client person's account is a company's account), so landings are per (entity set, key)."""
from __future__ import annotations

from dataclasses import dataclass

from shared.dataverse.loader import TableTarget
from shared.mapping.model import MapFile, TableMap


@dataclass(frozen=True)
class Landing:
    resource: str
    clio_id: str
    target: TableTarget
    key: str


def _keyed_by_id(table: TableMap) -> bool:
    return table.key == "id"


def targets(map_file: MapFile) -> dict[str, TableTarget]:
    """Entity set -> the target the loader writes it as."""
    return {table.target.entity_set: TableTarget.model_validate(table.target.model_dump())
            for table in map_file.tables}


def landings(map_file: MapFile, resource: str, clio_id: str) -> list[Landing]:
    found: dict[tuple[str, str], Landing] = {}
    for table in map_file.tables:
        if table.source == resource and _keyed_by_id(table):
            key = f"{table.key_prefix}{clio_id}"
            found.setdefault((table.target.entity_set, key), Landing(
                resource, clio_id, TableTarget.model_validate(table.target.model_dump()), key))
    return list(found.values())


def source_of(map_file: MapFile, entity_set: str, key: str) -> tuple[str, str] | None:
    """The Clio resource and id a row of `entity_set` keyed `key` was made from: the table map writing that set
    whose key prefix the key has (the longest), as the reconciliation attributes extra rows."""
    owners = [table for table in map_file.tables
              if table.target.entity_set == entity_set and _keyed_by_id(table) and key.startswith(table.key_prefix)]
    if not owners:
        return None
    owner = max(owners, key=lambda table: len(table.key_prefix))
    clio_id = key[len(owner.key_prefix):]
    return (owner.source, clio_id) if clio_id else None


def mapped_resources(map_file: MapFile) -> list[str]:
    """The Clio resources whose records become rows (keyed by their id), in map order."""
    return list(dict.fromkeys(table.source for table in map_file.tables if _keyed_by_id(table)))
