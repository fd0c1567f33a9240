"""The firm's records in memory, and the edits tests make to simulate users changing Clio mid-run.

Every change is told to the store's listeners (webhooks watch them), inside the store's lock so they see changes
in the order they happened."""
from __future__ import annotations

import bisect
import copy
import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sandboxes.clio.clock import SandboxClock
from sandboxes.clio.resources import SCHEMA_OF_RESOURCE

Record = dict[str, Any]


def id_sort_key(value: Any) -> tuple[int, int, str]:
    """Ids are ints except calendar entries (strings, README); numeric strings sort as numbers."""
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return (0, int(value), "")
    return (1, 0, str(value))


def record_key(record: Record) -> tuple[int, int, str]:
    return id_sort_key(record["id"])


@dataclass(frozen=True)
class RecordChange:
    resource: str
    event: Literal["created", "updated", "deleted"]
    before: Record | None
    after: Record | None

    @property
    def record(self) -> Record:
        """The record as it now is, or as it last was if deleted."""
        found = self.after if self.after is not None else self.before
        assert found is not None
        return found


ChangeListener = Callable[[RecordChange], None]


def compute_etag(record: Record) -> str:
    # clio.md §5 [ETAG]: quoted hex string, changes on every update.
    payload = json.dumps({k: v for k, v in record.items() if k != "etag"}, sort_keys=True, default=str)
    return '"' + hashlib.md5(payload.encode()).hexdigest() + '"'


class FirmStore:
    def __init__(self, firm: dict[str, Any], clock: SandboxClock, firm_dir: Path | None = None,
                 resources: Iterable[str] = tuple(SCHEMA_OF_RESOURCE)) -> None:
        served = tuple(resources)
        unknown = [key for key in firm if not key.startswith("_") and key not in served]
        if unknown:
            raise ValueError(f"firm file has resources the sandbox does not serve: {unknown}")
        self.meta = {key: value for key, value in firm.items() if key.startswith("_")}
        self.firm_dir = firm_dir
        self._clock = clock
        self._lock = threading.RLock()
        self._records: dict[str, dict[str, Record]] = {name: {} for name in served}
        self._listeners: list[ChangeListener] = []
        self._sorted: dict[str, list[Record]] = {}  # by id, built on first use, kept current by the edits
        self._versions_by_document: dict[Any, list[Record]] | None = None
        self._next_id = 1
        for resource, records in firm.items():
            if resource.startswith("_"):
                continue
            for record in records:
                self._records[resource][self._key(record["id"])] = record
                if isinstance(record["id"], int):
                    self._next_id = max(self._next_id, record["id"] + 1)

    @staticmethod
    def _key(record_id: Any) -> str:
        return str(record_id)

    def all(self, resource: str) -> list[Record]:
        with self._lock:
            return list(self._records[resource].values())

    def by_id(self, resource: str) -> list[Record]:
        """The records in id order (a snapshot: later edits do not change the returned list)."""
        with self._lock:
            if resource not in self._sorted:
                self._sorted[resource] = sorted(self._records[resource].values(), key=record_key)
            return list(self._sorted[resource])

    def _resort(self, resource: str, old: Record | None, new: Record | None) -> None:
        ordered = self._sorted.get(resource)
        if ordered is not None:
            if old is not None:
                del ordered[bisect.bisect_left(ordered, record_key(old), key=record_key)]
            if new is not None:
                bisect.insort(ordered, new, key=record_key)
        if resource == "document_versions":
            self._versions_by_document = None

    def get(self, resource: str, record_id: Any) -> Record | None:
        with self._lock:
            return self._records[resource].get(self._key(record_id))

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def on_change(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    def _changed(self, change: RecordChange) -> None:
        for listener in self._listeners:
            listener(change)

    def _timestamp(self) -> str:
        return self._clock.now_datetime().isoformat(timespec="seconds")

    def create(self, resource: str, fields: Record) -> Record:
        """Adds a record as a user creating it in Clio would; id, etag and timestamps are assigned."""
        with self._lock:
            record = copy.deepcopy(fields)
            if "id" not in record:
                record["id"] = str(self._next_id) if resource == "calendar_entries" else self._next_id
            if isinstance(record["id"], int):
                self._next_id = max(self._next_id, record["id"] + 1)
            now = self._timestamp()
            record.setdefault("created_at", now)
            record["updated_at"] = now
            record["etag"] = compute_etag(record)
            previous = self._records[resource].get(self._key(record["id"]))
            self._resort(resource, previous, record)
            self._records[resource][self._key(record["id"])] = record
            self._changed(RecordChange(resource, "created" if previous is None else "updated", previous, record))
            return record

    def update(self, resource: str, record_id: Any, changes: Record) -> Record:
        """Applies changes and bumps updated_at and etag. KeyError if the record does not exist."""
        with self._lock:
            current = self._records[resource][self._key(record_id)]
            record = {**copy.deepcopy(current), **copy.deepcopy(changes)}
            record["updated_at"] = self._timestamp()
            record["etag"] = compute_etag(record)
            self._resort(resource, current, record)
            self._records[resource][self._key(record_id)] = record
            self._changed(RecordChange(resource, "updated", current, record))
            return record

    def delete(self, resource: str, record_id: Any) -> None:
        with self._lock:
            removed = self._records[resource].pop(self._key(record_id))
            self._resort(resource, removed, None)
            self._changed(RecordChange(resource, "deleted", removed, None))

    def versions_of(self, document_id: Any) -> list[Record]:
        with self._lock:
            if self._versions_by_document is None:
                index: dict[Any, list[Record]] = {}
                for version in self.by_id("document_versions"):
                    index.setdefault(version.get("document_id"), []).append(version)
                self._versions_by_document = index
            return list(self._versions_by_document.get(document_id, ()))


def load_firm(firm: dict[str, Any] | str | Path) -> tuple[dict[str, Any], Path | None]:
    if isinstance(firm, dict):
        return firm, None
    path = Path(firm)
    return json.loads(path.read_text(encoding="utf-8")), path.parent
