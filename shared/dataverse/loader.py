"""Idempotent bulk upserts of Dataverse-ready rows into one table, keyed by the Clio id through an alternate key
(dataverse.md §2, §3). Each row ends as created, updated, unchanged or failed (with Dataverse's code), and every
write is recorded in the write ledger before the call returns.

- unchanged: the row carries, in its load-hash column, the hash of exactly the content we would write now (a row
  a person edited since is not overwritten unless the Clio side changed too);
- UpsertMultiple where the table supports it (atomic: a failing request is split in halves until the bad rows
  stand alone, so one bad row never blocks its batch), `$batch` with continue-on-error otherwise;
- Dataverse calls run in parallel up to the service's `x-ms-dop-hint`; a 429 pauses every sender (shared/throttle_gate.py);
  the chunk size shrinks when Dataverse reports execution-time pressure or time-outs and grows back after.
"""
from __future__ import annotations

import hashlib
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.dataverse.client import BatchOperation, DataverseClient
from shared.dataverse.errors import DataverseError, DataverseRequestError, DataverseThrottled
from shared.ledger import LedgerWrite, WriteLedger

Action = Literal["created", "updated", "unchanged", "failed"]
_EXECUTION_TIME_CODES = {"0x80072321"}  # service protection: combined execution time


# dataverse.md §3.2: tables without UpsertMultiple (activities, notes), loaded through $batch instead
NO_BULK_TABLES = frozenset({"task", "appointment", "phonecall", "email", "annotation", "sharepointsite",
                            "sharepointdocumentlocation"})


class TableTarget(BaseModel):
    entity_set: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    logical_name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    primary_id: str
    key_column: str
    hash_column: str  # written with every row: the content hash of what we loaded (unchanged detection)
    # UpsertMultiple supported: all tables but NO_BULK_TABLES unless the caller says otherwise
    bulk: bool = Field(default_factory=lambda data: data["logical_name"] not in NO_BULK_TABLES)


class LoadRow(BaseModel):
    key: str = Field(min_length=1, max_length=100)
    values: dict[str, Any]


class RowOutcome(BaseModel):
    key: str
    action: Action
    dataverse_id: str | None = None
    code: str | None = None
    message: str | None = None


def key_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def content_hash(row: LoadRow) -> str:
    return hashlib.sha256(json.dumps(row.values, sort_keys=True, default=str).encode()).hexdigest()


class AdaptiveSize:
    """Halve on pressure, double after two clean chunks in a row, within [1, ceiling]."""

    def __init__(self, start: int, ceiling: int = 1000) -> None:
        self._lock = threading.Lock()
        self.value = max(1, min(start, ceiling))
        self._ceiling = ceiling
        self._clean = 0

    def shrink(self) -> None:
        with self._lock:
            self.value, self._clean = max(1, self.value // 2), 0

    def succeeded(self) -> None:
        with self._lock:
            self._clean += 1
            if self._clean >= 2:
                self.value, self._clean = min(self._ceiling, self.value * 2), 0


class TableLoader:
    def __init__(self, client: DataverseClient, ledger: WriteLedger, target: TableTarget, batch_id: str,
                 size: AdaptiveSize, max_parallel: int = 8) -> None:
        self.client = client
        self.ledger = ledger
        self.target = target
        self.batch_id = batch_id
        self.size = size
        self.max_parallel = max_parallel

    def load(self, rows: list[LoadRow]) -> list[RowOutcome]:
        unique, duplicates = _split_duplicates(rows)
        outcomes = [RowOutcome(key=row.key, action="failed", code="DuplicateKey",
                               message="the same Clio key appears twice in one load") for row in duplicates]
        # The client holds Dataverse calls to the dop hint; twice as many workers keep those slots busy while
        # each worker also reads its rows' state and records its ledger pages.
        slots = max(1, min(self.max_parallel, self.client.dop_hint or self.max_parallel))
        parallel = 2 * slots
        queue = _Chunks(unique, slots)

        def work() -> list[RowOutcome]:
            done: list[RowOutcome] = []
            while chunk := queue.take(self.size.value):  # the size adapts between chunks
                done.extend(self._load_chunk(chunk))
            return done

        with ThreadPoolExecutor(max_workers=parallel) as pool:
            for future in [pool.submit(work) for _ in range(parallel)]:
                outcomes.extend(future.result())
        return outcomes

    # -- one chunk ----------------------------------------------------------------------------------------------
    def _load_chunk(self, rows: list[LoadRow]) -> list[RowOutcome]:
        hashes = {row.key: content_hash(row) for row in rows}
        current = self._current(list(hashes), full=False)
        outcomes: dict[str, RowOutcome] = {}
        to_write: list[LoadRow] = []
        for row in rows:
            now = current.get(row.key)
            if now is not None and now.get(self.target.hash_column) == hashes[row.key]:
                outcomes[row.key] = RowOutcome(key=row.key, action="unchanged",
                                               dataverse_id=now[self.target.primary_id])
            else:
                to_write.append(row)
        untouched = [row.key for row in to_write if row.key in current
                     and not current[row.key].get(self.target.hash_column)]
        before = self._current(untouched, full=True)  # rows that existed before we ever wrote them
        self.ledger.record(self.batch_id, [LedgerWrite(
            row.key, "intent", hashes[row.key],
            origin="created" if row.key not in current else ("pre-existing" if row.key in before else None),
            before_image=before.get(row.key)) for row in to_write])
        failures = self._write(to_write, hashes)
        written = [row for row in to_write if row.key not in failures]
        after = self._current([row.key for row in written], full=False)
        done = []
        for row in written:
            now = after.get(row.key)
            if now is None:
                failures[row.key] = RowOutcome(key=row.key, action="failed", code="NotFoundAfterWrite",
                                               message="Dataverse accepted the write but the row cannot be read back")
                continue
            action: Action = "created" if row.key not in current else "updated"
            done.append(LedgerWrite(row.key, action, hashes[row.key], dataverse_id=now[self.target.primary_id],
                                    version=str(now.get("versionnumber"))))
            outcomes[row.key] = RowOutcome(key=row.key, action=action, dataverse_id=now[self.target.primary_id])
        self.ledger.record(self.batch_id, done)
        outcomes.update(failures)
        return [outcomes[row.key] for row in rows]

    def _current(self, keys: list[str], full: bool) -> dict[str, dict[str, Any]]:
        """The rows that exist now, by Clio key: the whole row (before-images) or just id and version."""
        found: dict[str, dict[str, Any]] = {}
        column, primary = self.target.key_column, self.target.primary_id
        for start in range(0, len(keys), 1000):  # ~10 KB of URL per query, under Dataverse's 32 KB limit
            chunk = keys[start:start + 1000]
            values = ",".join(key_literal(key) for key in chunk)
            params = {"$filter": f"Microsoft.Dynamics.CRM.In(PropertyName='{column}',PropertyValues=[{values}])"}
            if not full:
                params["$select"] = f"{primary},{column},{self.target.hash_column},versionnumber"
            for row in self.client.query(self.target.entity_set, params):
                found[str(row[column])] = row
        return found

    # -- writing ------------------------------------------------------------------------------------------------
    def _write(self, rows: list[LoadRow], hashes: dict[str, str]) -> dict[str, RowOutcome]:
        if not rows:
            return {}
        bodies = {row.key: {**{k: v for k, v in row.values.items() if k != self.target.key_column},
                            self.target.hash_column: hashes[row.key]} for row in rows}
        return self._upsert_multiple(rows, bodies) if self.target.bulk else self._batch(rows, bodies)

    def _target(self, row: LoadRow, body: dict[str, Any]) -> dict[str, Any]:
        return {"@odata.type": f"Microsoft.Dynamics.CRM.{self.target.logical_name}",
                "@odata.id": f"{self.target.entity_set}({self.target.key_column}={key_literal(row.key)})", **body}

    def _upsert_multiple(self, rows: list[LoadRow], bodies: dict[str, dict[str, Any]]) -> dict[str, RowOutcome]:
        try:
            self.client.request("POST", f"{self.target.entity_set}/Microsoft.Dynamics.CRM.UpsertMultiple",
                                json_body={"Targets": [self._target(row, bodies[row.key]) for row in rows]},
                                headers={"If-None-Match": "null"})
            self.size.succeeded()
            return {}
        except DataverseThrottled:
            raise
        except DataverseError as exc:
            if exc.code in _EXECUTION_TIME_CODES or exc.status in (408, 504):
                self.size.shrink()
            if len(rows) == 1:
                return {rows[0].key: RowOutcome(key=rows[0].key, action="failed", code=exc.code,
                                                message=str(exc))}
            if not isinstance(exc, DataverseRequestError):
                raise
            middle = len(rows) // 2  # atomic request: find the bad rows by halves
            return {**self._upsert_multiple(rows[:middle], bodies), **self._upsert_multiple(rows[middle:], bodies)}

    def _batch(self, rows: list[LoadRow], bodies: dict[str, dict[str, Any]]) -> dict[str, RowOutcome]:
        failures: dict[str, RowOutcome] = {}
        for start in range(0, len(rows), 1000):  # $batch holds at most 1000 operations
            chunk = rows[start:start + 1000]
            operations = [BatchOperation("PATCH", f"{self.target.entity_set}({self.target.key_column}="
                                                  f"{key_literal(row.key)})", bodies[row.key])
                          for row in chunk]
            answers = self.client.batch(operations)
            for row, answer in zip(chunk, answers, strict=True):
                if answer.status >= 400:
                    code, message = answer.error
                    failures[row.key] = RowOutcome(key=row.key, action="failed", code=code,
                                                   message=message or f"HTTP {answer.status}")
        return failures


class _Chunks:
    """Rows handed out chunk by chunk; near the end chunks shrink so every parallel slot stays busy."""

    def __init__(self, rows: list[LoadRow], slots: int) -> None:
        self._rows = rows
        self._next = 0
        self._slots = max(1, slots)
        self._lock = threading.Lock()

    def take(self, size: int) -> list[LoadRow]:
        with self._lock:
            share = -(-(len(self._rows) - self._next) // self._slots)  # ceil(remaining / slots)
            chunk = self._rows[self._next:self._next + min(size, max(share, size // 8, 1))]
            self._next += len(chunk)
            return chunk


def _split_duplicates(rows: list[LoadRow]) -> tuple[list[LoadRow], list[LoadRow]]:
    """First occurrence of each key, and the later ones (reported, never written)."""
    seen: set[str] = set()
    unique: list[LoadRow] = []
    duplicates: list[LoadRow] = []
    for row in rows:
        (duplicates if row.key in seen else unique).append(row)
        seen.add(row.key)
    return unique, duplicates
