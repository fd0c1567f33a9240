"""The tables a migration wrote (the loader's targets: the map's and the document locations') and the order a
rollback goes through them: the load order reversed, so children go before the parents they bind to and a
parent's delete never cascades into, or is restricted by, a row the rollback has not dealt with yet."""
from __future__ import annotations

from azure.storage.blob import ContainerClient

from shared.dataverse.loader import TableTarget
from shared.documents.locations import LOCATION, SITE
from shared.mapping.approval import read_approved_map
from shared.mapping.load_order import load_order
from shared.mapping.maps import load_map
from shared.mapping.model import MapFile
from shared.migration.models import approved_map_blob


def migration_map(raw: ContainerClient, migration_id: str) -> MapFile:
    """The map the migration loaded with; the shipped map when none was approved (nothing was loaded then but
    the documents' locations, whose order does not depend on it)."""
    blob = approved_map_blob(migration_id)
    return read_approved_map(raw, blob) if raw.get_blob_client(blob).exists() else load_map()


def table_targets(map_file: MapFile) -> dict[str, TableTarget]:
    """Entity set -> the target the loader wrote it as (its id, Clio-id key and load-hash columns): the map's, the
    shipped map's (a table a rejected round's sample loaded may be gone from the final map), the locations'."""
    targets = {table.target.entity_set: TableTarget.model_validate(table.target.model_dump())
               for source in (load_map(), map_file) for table in source.tables}
    return {**targets, SITE.entity_set: SITE, LOCATION.entity_set: LOCATION}


def reverse_levels(map_file: MapFile, written: set[str]) -> list[list[str]]:
    """The written entity sets, level by level, children first. Document locations bind to the records and to the
    site, so they come first, then the site; a table the order does not know goes before everything (nothing we
    know of binds to it)."""
    forward = [*load_order(map_file).levels, [SITE.entity_set], [LOCATION.entity_set]]
    known = {entity_set for level in forward for entity_set in level}
    levels = [sorted(written - known), *([s for s in level if s in written] for level in reversed(forward))]
    return [level for level in levels if level]
