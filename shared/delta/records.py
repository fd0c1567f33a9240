"""Reading back extracted pages below any folder (`<folder>/clio/<stream>/pages/<seq>.json`): the full extraction's
(`<migration>`) or a delta tick's, and the latest state of a stream's records across all of them."""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from azure.storage.blob import ContainerClient

from shared.clio.models import resource_catalogue
from shared.delta.paths import tick_folder

Record = dict[str, Any]


def page_records(raw: ContainerClient, folder: str, stream: str = "") -> Iterator[tuple[str, Record]]:
    """Every record on the pages below `folder` (of one stream, if named), with the Clio resource it is of."""
    resource_of = {spec.key: spec.resource for spec in resource_catalogue().resources}
    prefix = f"{folder}/clio/"
    for blob in raw.list_blobs(name_starts_with=f"{prefix}{stream}/" if stream else prefix):
        parts = blob.name[len(prefix):].split("/")
        if len(parts) == 3 and parts[1] == "pages":
            for record in json.loads(raw.download_blob(blob.name).readall())["data"]:
                yield resource_of[parts[0]], record


def extraction_folders(migration_id: str, ticks: int) -> list[str]:
    """The full extraction's folder, then each tick's up to `ticks`, oldest first."""
    return [migration_id, *(tick_folder(migration_id, tick) for tick in range(1, ticks + 1))]


def latest(raw: ContainerClient, folders: Iterable[str], stream: str) -> list[Record]:
    """Each record of `stream` as the last of `folders` that holds it has it."""
    found: dict[str, Record] = {}
    for folder in folders:
        found.update((str(record.get("id")), record) for _, record in page_records(raw, folder, stream))
    return list(found.values())
