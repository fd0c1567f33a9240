"""Reading back what extraction stored: the records of the pages in `<migration>/clio/<stream>/pages/<seq>.json`
(activities/clio_extract.py writes them)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from azure.storage.blob import ContainerClient

from shared.clio.models import resource_catalogue


def extracted_records(raw: ContainerClient, migration_id: str,
                      stream: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every record of every extracted page (of one stream, if named), with the Clio resource its stream reads."""
    resource_of = {spec.key: spec.resource for spec in resource_catalogue().resources}
    prefix = f"{migration_id}/clio/{stream}/" if stream else f"{migration_id}/clio/"
    for blob in raw.list_blobs(name_starts_with=prefix):
        parts = blob.name.split("/")
        if len(parts) == 5 and parts[3] == "pages":
            for record in json.loads(raw.download_blob(blob.name).readall())["data"]:
                yield resource_of[parts[2]], record
