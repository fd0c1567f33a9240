"""Rows of every table, a global row version, and an undo journal that makes a request (or changeset) atomic.

Rows are replaced, never mutated in place, so the journal only keeps the previous dict (or None)."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

Row = dict[str, Any]


class RowStore:
    def __init__(self) -> None:
        self._rows: dict[str, dict[str, Row]] = {}
        self._version = 1000
        self._journal: list[tuple[str, str, Row | None]] | None = None
        self.lock = threading.RLock()
        self.rows_written = 0

    def next_version(self) -> int:
        self._version += 1
        return self._version

    def get(self, table: str, row_id: str) -> Row | None:
        return self._rows.get(table, {}).get(row_id.lower())

    def all(self, table: str) -> list[Row]:
        return list(self._rows.get(table, {}).values())

    def tables(self) -> list[str]:
        return sorted(self._rows)

    def put(self, table: str, row_id: str, row: Row | None) -> None:
        """Writes (or, with None, deletes) a row, journaled when inside `transaction()`."""
        rows = self._rows.setdefault(table, {})
        key = row_id.lower()
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
                for table, key, previous in reversed(self._journal):
                    rows = self._rows.setdefault(table, {})
                    if previous is None:
                        rows.pop(key, None)
                    else:
                        rows[key] = previous
                raise
            finally:
                self._journal = None
