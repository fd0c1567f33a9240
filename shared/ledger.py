"""The write ledger (Table storage): an append-only record of every row we wrote to Dataverse, so a migration can be
verified and rolled back exactly. PartitionKey = "<migration>|<entity set>"; one entity (a *page*) per written
chunk, holding its rows as JSON — one Table write per chunk instead of one per row, which is what lets the loader
keep up with Dataverse.

Each chunk is recorded twice: an *intent* page before the Dataverse write (key, origin, content hash, before-image)
and a *done* page after it (Dataverse id, action, versionnumber). A worker that dies between the two leaves the
intent, so a rollback still knows the row, and finds it by its alternate key.

Per Clio key, `WriteLedger.rows()` folds the pages in time order: the first `origin` ("created" rows are deleted by
a rollback; "pre-existing" rows get their before-image put back) and before-image, and the last Dataverse id,
action and versionnumber (so a rollback can tell a row a person edited since). Pages are never overwritten: a
retried activity appends, and folding makes that harmless.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from azure.data.tables import TableClient

from shared.blobs import container
from shared.settings import Settings
from shared.storage import table

_INLINE_LIMIT = 30_000  # characters: table string properties hold 64 KiB of UTF-16
_PROPERTIES = 30  # ~900 KB of JSON per page, under the 1 MiB entity limit


@dataclass
class LedgerWrite:
    """One row of an intent page (no id yet) or a done page."""
    key: str
    action: str  # "intent" | "created" | "updated"
    content_hash: str
    origin: str | None = None  # "created" | "pre-existing" when this is our first write of the row
    dataverse_id: str | None = None
    version: str | None = None
    before_image: dict[str, Any] | None = None
    target: str | None = None  # where a non-Dataverse write went (a SharePoint path)


@dataclass
class LedgerRow:
    """What the ledger knows about one Clio key, all pages folded."""
    key: str
    origin: str | None = None
    dataverse_id: str | None = None
    last_action: str = "intent"
    content_hash: str = ""
    version: str | None = None
    batch: str = ""
    written_at: datetime | None = None
    before_image: dict[str, Any] | None = None
    writes: int = 0
    target: str | None = None


@dataclass
class _Page:
    batch: str
    written_at: datetime
    writes: list[dict[str, Any]] = field(default_factory=list)


class WriteLedger:
    def __init__(self, settings: Settings, migration_id: str, entity_set: str) -> None:
        self._settings = settings
        self.partition = f"{migration_id}|{entity_set}"
        self._table: TableClient = table(settings, settings.ledger_table)

    def record(self, batch: str, writes: list[LedgerWrite]) -> None:
        if not writes:
            return
        now = datetime.now(timezone.utc)
        page_id = f"{now.strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex[:8]}"
        rows = [{"k": w.key, "id": w.dataverse_id, "a": w.action, "o": w.origin, "h": w.content_hash,
                 "v": w.version, **({"b": w.before_image} if w.before_image is not None else {}),
                 **({"t": w.target} if w.target is not None else {})} for w in writes]
        text = json.dumps(rows, separators=(",", ":"))
        entity: dict[str, Any] = {"PartitionKey": self.partition, "RowKey": page_id, "Batch": batch,
                                  "WrittenAt": now, "Rows": len(writes)}
        parts = [text[i:i + _INLINE_LIMIT] for i in range(0, len(text), _INLINE_LIMIT)]
        if len(parts) <= _PROPERTIES:
            entity.update({f"Json{n:02d}": part for n, part in enumerate(parts)})
        else:  # pages with large before-images go to Blob
            path = f"{self.partition.replace('|', '/')}/{page_id}.json"
            container(self._settings.ledger_container).upload_blob(path, text.encode(), overwrite=True)
            entity["Blob"] = path
        self._table.create_entity(entity)

    def rows(self) -> dict[str, LedgerRow]:
        pages = sorted((self._page(e) for e in self._table.query_entities(
            "PartitionKey eq @pk", parameters={"pk": self.partition})), key=lambda page: page.written_at)
        folded: dict[str, LedgerRow] = {}
        for page in pages:
            for write in page.writes:
                row = folded.setdefault(write["k"], LedgerRow(write["k"]))
                if row.origin is None and write.get("o"):
                    row.origin = write["o"]
                if row.before_image is None and "b" in write:
                    row.before_image = write["b"]
                row.content_hash, row.batch, row.written_at = write["h"], page.batch, page.written_at
                row.target = write.get("t", row.target)
                if write["a"] != "intent":
                    row.dataverse_id, row.version, row.last_action = write["id"], write["v"], write["a"]
                    row.writes += 1
        return folded

    @staticmethod
    def partitions(settings: Settings, migration_id: str) -> list[str]:
        """What follows `<migration>|` in each of the migration's partitions ("accounts", "sharepoint-folders",
        "sharepoint-files|documents-00001", ...), sorted. '}' is the character after '|', so the range holds
        exactly this migration's partitions."""
        entities = table(settings, settings.ledger_table).query_entities(
            "PartitionKey ge @low and PartitionKey lt @high", select=["PartitionKey"],
            parameters={"low": f"{migration_id}|", "high": f"{migration_id}}}"})
        return sorted({entity["PartitionKey"].split("|", 1)[1] for entity in entities})

    def _page(self, entity: dict[str, Any]) -> _Page:
        if entity.get("Blob"):
            text = container(self._settings.ledger_container).download_blob(entity["Blob"]).readall().decode()
        else:
            text = "".join(entity[name] for name in sorted(k for k in entity if k.startswith("Json")))
        written = entity["WrittenAt"]
        return _Page(entity["Batch"], written if isinstance(written, datetime) else datetime.now(timezone.utc),
                     json.loads(text))
