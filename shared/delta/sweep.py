"""The final id sweep (clio.md §6: deletions have no tombstones; list every id with `fields=id` and diff): every
row the ledger says we wrote, whose Clio record is no longer among the ids Clio lists, is a delete that no webhook
told us of. A resource is compared only when every stream of it was listed to the end — a partial list would make
every record past its last page look deleted; one Clio listed no id of at all is not compared either."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from azure.storage.blob import ContainerClient

from shared.clio.models import resource_catalogue
from shared.delta.landing import Landing, landings, source_of
from shared.delta.records import page_records
from shared.delta.retire import RETIRED
from shared.ledger import LedgerRow
from shared.mapping.model import MapFile


def listed_ids(raw: ContainerClient, folder: str, streams: Iterable[str]) -> dict[str, set[str]]:
    """Clio resource -> every id listed on the sweep's pages of `streams`."""
    ids: dict[str, set[str]] = defaultdict(set)
    for stream in streams:
        for resource, record in page_records(raw, folder, stream):
            ids[resource].add(str(record["id"]))
    return dict(ids)


def comparable(streams: Iterable[str], failed: Iterable[str], listed: dict[str, set[str]]) -> set[str]:
    """The resources the sweep may compare: every stream of them listed to the end, and some id listed (an empty
    answer is likelier a permission or a fault than a firm that deleted all of one resource)."""
    resource_of = {spec.key: spec.resource for spec in resource_catalogue().resources}
    swept = {resource_of[stream] for stream in streams}
    return (swept - {resource_of[stream] for stream in failed}) & {name for name, ids in listed.items() if ids}


def gone(map_file: MapFile, written: dict[str, dict[str, LedgerRow]], listed: dict[str, set[str]],
         complete: set[str]) -> list[Landing]:
    """The rows (per entity set, the ledger's folded rows) whose Clio record is not listed, for the resources in
    `complete`; rows already retired are left out."""
    found: list[Landing] = []
    for entity_set, rows in sorted(written.items()):
        for key, row in sorted(rows.items()):
            source = source_of(map_file, entity_set, key)
            if source is None or row.last_action in RETIRED:
                continue
            resource, clio_id = source
            if resource in complete and clio_id not in listed.get(resource, set()):
                found += [landing for landing in landings(map_file, resource, clio_id)
                          if landing.target.entity_set == entity_set and landing.key == key]
    return found
