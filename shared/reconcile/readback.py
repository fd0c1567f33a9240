"""Reading rows back from Dataverse by their Clio keys, in chunks that keep each URL well under the Web API's
32 KB limit, with `Microsoft.Dynamics.CRM.In` (the Web API has no OData `in` operator; dataverse.md §13 query
functions), the chunks in parallel up to the service's `x-ms-dop-hint`."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from shared.dataverse.client import DataverseClient
from shared.dataverse.loader import key_literal

Row = dict[str, Any]
T = TypeVar("T")
_KEY_CHARACTERS = 6000  # quoted keys per chunk; percent-encoding roughly doubles the quotes, not the keys
_KEYS_PER_CHUNK = 1000


def in_filter(column: str, values: Iterable[str]) -> str:
    literals = ",".join(key_literal(value) for value in values)
    return f"Microsoft.Dynamics.CRM.In(PropertyName='{column}',PropertyValues=[{literals}])"


def key_chunks(keys: Iterable[str], characters: int = _KEY_CHARACTERS, most: int = _KEYS_PER_CHUNK
               ) -> list[list[str]]:
    chunks: list[list[str]] = []
    current: list[str] = []
    used = 0
    for key in sorted(set(keys)):
        size = len(key_literal(key)) + 1
        if current and (used + size > characters or len(current) >= most):
            chunks.append(current)
            current, used = [], 0
        current.append(key)
        used += size
    return [*chunks, current] if current else chunks


def _in_parallel(client: DataverseClient, work: Callable[[T], list[Row]], items: list[T]) -> list[Row]:
    if len(items) <= 1:
        return [row for item in items for row in work(item)]
    with ThreadPoolExecutor(max_workers=max(1, min(len(items), client.dop_hint or 4))) as pool:
        return [row for rows in pool.map(work, items) for row in rows]


def read_by_keys(client: DataverseClient, entity_set: str, key_column: str, keys: Iterable[str],
                 select: Iterable[str]) -> dict[str, Row]:
    """The rows holding these keys, by key, with the columns named (and the key column) only."""
    selected = ",".join(sorted({*select, key_column}))

    def chunk_rows(chunk: list[str]) -> list[Row]:
        return client.query(entity_set, {"$select": selected, "$filter": in_filter(key_column, chunk)})
    return {str(row[key_column]): row for row in _in_parallel(client, chunk_rows, key_chunks(keys))}


def read_all_keys(client: DataverseClient, entity_set: str, key_column: str, primary_id: str) -> dict[str, str]:
    """Every row of the table that carries a Clio key: key -> row id (where extra rows are found)."""
    rows = client.query(entity_set, {"$select": f"{primary_id},{key_column}", "$filter": f"{key_column} ne null"})
    return {str(row[key_column]): str(row[primary_id]).lower() for row in rows}


class KeyIndex:
    """Clio key -> row id per (entity set, key column), read on demand in chunks; a key with no row maps to None.
    Binds are resolved through it, so a lookup compares as the GUID Dataverse holds."""

    def __init__(self, client: DataverseClient, primary_ids: dict[str, str]) -> None:
        self.client = client
        self.primary_ids = primary_ids
        self._ids: dict[tuple[str, str], dict[str, str | None]] = {}

    def know(self, entity_set: str, key_column: str, ids: dict[str, str]) -> None:
        """Rows already read (a reconciled table's own rows), so they are not read again."""
        self._ids.setdefault((entity_set, key_column), {}).update(ids)

    def load(self, entity_set: str, key_column: str, keys: Iterable[str]) -> None:
        known = self._ids.setdefault((entity_set, key_column), {})
        wanted = [key for key in set(keys) if key not in known]
        if not wanted:
            return
        primary = self.primary_ids.get(entity_set)
        if primary is None:
            raise ValueError(f"rows bind to {entity_set}, which is not an entity set of the org")
        found = read_by_keys(self.client, entity_set, key_column, wanted, [primary])
        known.update({key: str(found[key][primary]).lower() if key in found else None for key in wanted})

    def id_of(self, entity_set: str, key_column: str, key: str) -> str | None:
        known = self._ids.setdefault((entity_set, key_column), {})
        if key not in known:
            self.load(entity_set, key_column, [key])
        return known[key]
