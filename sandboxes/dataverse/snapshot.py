"""Seeding from / exporting to a snapshot: `{"<entityset>": [rows…], "_metadata": {…}}` (deterministic order)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sandboxes.dataverse.catalog import Catalog
from sandboxes.dataverse.document_management import enabled_later
from sandboxes.dataverse.schema import Table
from sandboxes.dataverse.store import RowStore


def load_snapshot(source: dict[str, Any] | str | Path | None) -> dict[str, Any]:
    if source is None:
        return {}
    if isinstance(source, dict):
        return source
    loaded: dict[str, Any] = json.loads(Path(source).read_text())
    return loaded


def seed_rows(snapshot: dict[str, Any], catalog: Catalog, store: RowStore) -> None:
    """Rows are stored as given (stored form: lookups as `_x_value`); the primary key is required."""
    for entity_set, rows in snapshot.items():
        if entity_set.startswith("_"):
            continue
        table = catalog.require_set(entity_set)
        for row in rows:
            row_id = str(row[table.primary_id]).lower()
            store.put(table.logical, row_id, {"versionnumber": store.next_version(), **row,
                                              table.primary_id: row_id})


def _custom_metadata(catalog: Catalog, table: Table, document_management: set[str]) -> dict[str, Any]:
    """Custom lookups travel as their relationship definitions (which carry the lookup), not as columns; document
    management enabled through the metadata API as a flag."""
    relationships = [known.definition for _, known in sorted(catalog.relationships.items())
                     if known.referencing == table.logical and known.custom]
    return {"columns": {name: column.definition for name, column in sorted(table.columns.items())
                        if column.custom and column.kind != "Lookup"},
            "keys": [{"SchemaName": key.schema_name, "KeyAttributes": list(key.attributes)} for key in table.keys],
            **({"relationships": relationships} if relationships else {}),
            **({"document_management": True} if table.logical in document_management else {}),
            **({"table": table.definition} if table.custom else {})}


def export_snapshot(catalog: Catalog, store: RowStore) -> dict[str, Any]:
    exported: dict[str, Any] = {}
    for table in catalog.tables():
        rows = sorted(store.all(table.logical), key=lambda row: str(row[table.primary_id]))
        if rows:
            exported[table.entity_set] = [dict(sorted(row.items())) for row in rows]
    later = enabled_later(catalog)
    metadata = {table.logical: _custom_metadata(catalog, table, later) for table in catalog.tables()
                if table.custom or table.keys or table.logical in later
                or any(column.custom for column in table.columns.values())}
    exported["_metadata"] = metadata
    return dict(sorted(exported.items()))
