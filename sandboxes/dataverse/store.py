"""Rows of every table, a global row version, and an undo journal that makes a request (or changeset) atomic.

Rows are replaced, never mutated in place, so the journal only keeps the previous dict (or None)."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Row = dict[str, Any]
KeyOf = Callable[[Row], tuple[Any, ...] | None]


class RowStore:
    def __init__(self) -> None:
        self._rows: dict[str, dict[str, Row]] = {}
        self._version = 1000
        self._journal: list[tuple[str, str, Row | None]] | None = None
        self.lock = threading.RLock()
        self.rows_written = 0
        # table -> columns -> (key function, key -> row id): alternate-key lookups without scanning the table
        self._indexes: dict[str, dict[tuple[str, ...], tuple[KeyOf, dict[tuple[Any, ...], str]]]] = {}

    def next_version(self) -> int:
        self._version += 1
        return self._version

    def get(self, table: str, row_id: str) -> Row | None:
        return self._rows.get(table, {}).get(row_id.lower())

    def all(self, table: str) -> list[Row]:
        return list(self._rows.get(table, {}).values())

    def tables(self) -> list[str]:
        return sorted(self._rows)

    def find(self, table: str, columns: tuple[str, ...], wanted: tuple[Any, ...], key_of: KeyOf) -> Row | None:
        """The first row whose `key_of(row)` equals `wanted` (both normalised by the caller)."""
        indexes = self._indexes.setdefault(table, {})
        if columns not in indexes:
            built: dict[tuple[Any, ...], str] = {}
            for row_id, row in self._rows.get(table, {}).items():
                found = key_of(row)
                if found is not None:
                    built.setdefault(found, row_id)
            indexes[columns] = (key_of, built)
        found_id = indexes[columns][1].get(wanted)
        return self._rows.get(table, {}).get(found_id) if found_id is not None else None

    def _reindex(self, table: str, key: str, previous: Row | None, row: Row | None) -> None:
        for key_of, index in self._indexes.get(table, {}).values():
            old = key_of(previous) if previous is not None else None
            if old is not None and index.get(old) == key:
                del index[old]
            new = key_of(row) if row is not None else None
            if new is not None:
                index.setdefault(new, key)

    def put(self, table: str, row_id: str, row: Row | None) -> None:
        """Writes (or, with None, deletes) a row, journaled when inside `transaction()`."""
        rows = self._rows.setdefault(table, {})
        key = row_id.lower()
        self._reindex(table, key, rows.get(key), row)
        if self._journal is not None:
            self._journal.append((table, key, rows.get(key)))
        if row is None:
            rows.pop(key, None)
        else:
            rows[key] = row
        self.rows_written += 1

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes in the block, or none of them if it raises. Nested blocks join the outer one."""
        with self.lock:
            if self._journal is not None:
                yield
                return
            self._journal = []
            try:
                yield
            except BaseException:
                self._indexes.clear()  # rebuilt on the next lookup
                for table, key, previous in reversed(self._journal):
                    rows = self._rows.setdefault(table, {})
                    if previous is None:
                        rows.pop(key, None)
                    else:
                        rows[key] = previous
                raise
            finally:
                self._journal = None
