"""Rows as Dataverse holds them now, read in bulk by id or by Clio key (`Microsoft.Dynamics.CRM.In`, dataverse.md
§2), each lookup annotated with its target table; and the table a lookup value pointed at when a before-image does
not say (the loader read before-images without annotations, so a polymorphic lookup's target must be found)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from shared.dataverse.client import LOOKUP_TARGET_ANNOTATION, DataverseClient
from shared.dataverse.loader import key_literal
from shared.rollback.shape import Shapes, TableShape

_URL_BUDGET = 20_000  # characters of values per query, well under Dataverse's 32 KB URL limit
Row = dict[str, Any]


def _chunks(values: list[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    size = 0
    for value in values:
        if chunk and size + len(value) + 3 > _URL_BUDGET:
            yield chunk
            chunk, size = [], 0
        chunk.append(value)
        size += len(value) + 3
    if chunk:
        yield chunk


def _in(column: str, values: list[str]) -> str:
    return f"Microsoft.Dynamics.CRM.In(PropertyName='{column}',PropertyValues=[{','.join(map(key_literal, values))}])"


def rows_where(client: DataverseClient, entity_set: str, column: str, values: Iterable[str],
               select: str | None = None) -> list[Row]:
    """Every row whose `column` is one of `values`; whole rows with lookup targets unless `select` is given."""
    found: list[Row] = []
    for chunk in _chunks(sorted(set(values))):
        params = {"$filter": _in(column, chunk)}
        if select is not None:
            found += client.query(entity_set, {**params, "$select": select})
        else:
            found += client.query_with_lookup_targets(entity_set, params)
    return found


def lookup_column(name: str) -> str | None:
    """`_parentcustomerid_value` -> `parentcustomerid` (how a lookup is read back); None for other names."""
    if name.startswith("_") and name.endswith("_value") and "@" not in name:
        return name[1:-len("_value")]
    return None


def target_of(row: Row, lookup: str) -> str | None:
    value = row.get(f"_{lookup}_value@{LOOKUP_TARGET_ANNOTATION}")
    return value if isinstance(value, str) else None


def references(row: Row) -> list[str]:
    """The ids the row's lookups hold (lower case): a row that stays keeps what these point at."""
    return sorted({str(value).lower() for name, value in row.items() if lookup_column(name) and value})


def cascade_parents(shape: TableShape, row: Row) -> list[str]:
    """The ids whose row's delete would delete this row too (lower case)."""
    return sorted({str(row[f"_{lookup}_value"]).lower() for lookup, tables in shape.cascading.items()
                   if row.get(f"_{lookup}_value") and target_of(row, lookup) in tables})


class Targets:
    """The table each looked-up id lives in, found by asking each candidate table for the ids at once."""

    def __init__(self, client: DataverseClient, shapes: Shapes) -> None:
        self.client = client
        self.shapes = shapes
        self._tables: dict[str, str] = {}

    def find(self, wanted: dict[str, set[str]]) -> None:
        """`wanted`: candidate table -> ids that may be in it."""
        for table, ids in sorted(wanted.items()):
            place = self.shapes.place(table)
            unknown = {row_id for row_id in ids if row_id.lower() not in self._tables}
            if place is None or not unknown:
                continue
            entity_set, primary_id = place
            for row in rows_where(self.client, entity_set, primary_id, unknown, select=primary_id):
                self._tables[str(row[primary_id]).lower()] = table

    def table_of(self, row_id: str) -> str | None:
        return self._tables.get(row_id.lower())
