"""Entity references in bodies: `@odata.bind` values and `@odata.id` (dataverse.md §5, §3.1 `$n`, §3.2)."""
from __future__ import annotations

from collections.abc import Callable

from sandboxes.dataverse.catalog import Catalog
from sandboxes.dataverse.errors import DataverseError, bad_request, does_not_exist, key_not_found
from sandboxes.dataverse.keys import KeySpec, parse_key, split_parenthesized
from sandboxes.dataverse.schema import Table
from sandboxes.dataverse.store import Row, RowStore

API_PREFIX = "/api/data/v9.2/"


def row_value(table: Table, row: Row, column: str) -> object:
    kind = table.columns[column].kind if column in table.columns else None
    return row.get(f"_{column}_value") if kind == "Lookup" else row.get(column)


def find_row(table: Table, key: KeySpec, store: RowStore) -> Row | None:
    if key.row_id is not None:
        return store.get(table.logical, key.row_id)
    columns = tuple(name for name, _ in key.values)

    def key_of(row: Row) -> tuple[object, ...]:
        return tuple(_normal(row_value(table, row, name)) for name in columns)

    return store.find(table.logical, columns, tuple(_normal(value) for _, value in key.values), key_of)


def _normal(value: object) -> object:
    """Dataverse key matching is case-insensitive (SQL collation)."""
    return value.lower() if isinstance(value, str) else value


def missing(table: Table, key: KeySpec) -> DataverseError:
    return does_not_exist(table.logical, key.row_id) if key.row_id is not None else key_not_found(table.logical)


class ReferenceResolver:
    def __init__(self, catalog: Catalog, store: RowStore, now: Callable[[], float],
                 content_ids: dict[str, str] | None = None) -> None:
        self.catalog = catalog
        self.store = store
        self.now = now
        self.content_ids = content_ids if content_ids is not None else {}

    def relative(self, reference: str) -> str:
        """`https://host/api/data/v9.2/accounts(x)`, `/accounts(x)`, `accounts(x)`, `$1` -> `accounts(x)`."""
        text = reference.strip()
        if text.startswith("$"):
            if text not in self.content_ids:
                # §3.1 (BATCH): exact message.
                raise bad_request(f"Content-ID Reference: '{text}' does not exist in the batch context.")
            text = self.content_ids[text]
        if "://" in text:
            position = text.find(API_PREFIX)
            if position < 0:
                raise bad_request(f"The URI '{reference}' is not valid because it is not based on the service root.")
            text = text[position + len(API_PREFIX):]
        if text.startswith(API_PREFIX):
            text = text[len(API_PREFIX):]
        return text.lstrip("/")

    def parse(self, reference: str) -> tuple[Table, KeySpec]:
        name, inner, rest = split_parenthesized(self.relative(reference))
        table = self.catalog.by_set(name)
        if table is None or inner is None or rest:
            raise bad_request(f"The entity reference '{reference}' is not a valid entity URL.")
        return table, parse_key(inner, table, self.now())

    def bind(self, reference: str, allowed_sets: tuple[str, ...]) -> tuple[str, str]:
        """(target logical name, row id) of an existing row the nav may point at."""
        table, key = self.parse(reference)
        if table.entity_set not in allowed_sets:
            raise bad_request(f"The entity set '{table.entity_set}' is not a valid target of this navigation "
                              f"property (allowed: {', '.join(allowed_sets)}).", "0x80048d19")
        row = find_row(table, key, self.store)
        if row is None:
            raise missing(table, key)  # §13.2: referenced row must exist (inferred 0x80040217)
        return table.logical, str(row[table.primary_id])
