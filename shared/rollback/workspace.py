"""A rollback run's files in the raw container: plan chunks, outcome lines, the protected ids, each activity's
result, the report. Only their paths and counts cross activity boundaries."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

from azure.storage.blob import ContainerClient, ContentSettings
from pydantic import BaseModel

from shared.rollback.models import OutcomeLine
from shared.rollback.paths import outcomes_blob, outcomes_prefix, run_folder

_Model = TypeVar("_Model", bound=BaseModel)


class Workspace:
    def __init__(self, raw: ContainerClient, migration_id: str, run: str) -> None:
        self.raw = raw
        self.migration_id = migration_id
        self.run = run

    def put(self, path: str, items: list[Any] | dict[str, Any]) -> str:
        body = [item.model_dump(mode="json") if isinstance(item, BaseModel) else item for item in items] \
            if isinstance(items, list) else items
        self.raw.upload_blob(path, json.dumps(body).encode(), overwrite=True)
        return path

    def put_text(self, path: str, text: str, html: bool = False) -> str:
        settings = ContentSettings(content_type="text/html; charset=utf-8" if html else "application/json")
        self.raw.upload_blob(path, text.encode(), overwrite=True, content_settings=settings)
        return path

    def read(self, path: str, model: type[_Model]) -> list[_Model]:
        return [model.model_validate(item) for item in json.loads(self.raw.download_blob(path).readall())]

    def read_json(self, path: str) -> Any:
        return json.loads(self.raw.download_blob(path).readall())

    def once(self, name: str, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """`work()`'s result, computed by the first execution of an activity that completes: activities run at
        least once, and a second execution of one that did its writes must neither redo nor re-report them."""
        path = f"{run_folder(self.migration_id, self.run)}/results/{name}.json"
        blob = self.raw.get_blob_client(path)
        if blob.exists():
            found: dict[str, Any] = json.loads(blob.download_blob().readall())
            return found
        result = work()
        self.put(path, result)
        return result

    def outcomes(self, table: str, part: str, lines: list[OutcomeLine]) -> dict[str, Any]:
        """Writes one part's outcome lines; their blob and counts."""
        path = self.put(outcomes_blob(self.migration_id, self.run, table, part), lines)
        return {"table": table, "outcomes_blob": path, "counts": dict(Counter(line.outcome for line in lines))}

    def every_outcome(self) -> list[OutcomeLine]:
        prefix = outcomes_prefix(self.migration_id, self.run)
        return [line for blob in sorted(self.raw.list_blobs(name_starts_with=prefix), key=lambda blob: blob.name)
                for line in self.read(blob.name, OutcomeLine)]
