"""The tables of one sandbox, by logical name and by entity set (case-sensitive, dataverse.md §1)."""
from __future__ import annotations

from sandboxes.dataverse.errors import DataverseError, segment_not_found
from sandboxes.dataverse.schema import Relationship, Table


class Catalog:
    def __init__(self, tables: dict[str, Table]) -> None:
        self._tables = dict(tables)
        # By lower-cased SchemaName: custom lookups, and the document-management ones (§10) made by enabling it.
        self.relationships: dict[str, Relationship] = {}

    def add(self, table: Table) -> None:
        self._tables[table.logical] = table

    def remove(self, logical: str) -> None:
        self._tables.pop(logical, None)

    def tables(self) -> list[Table]:
        return [self._tables[name] for name in sorted(self._tables)]

    def by_logical(self, logical: str) -> Table | None:
        return self._tables.get(logical)

    def by_set(self, entity_set: str) -> Table | None:
        for table in self._tables.values():
            if table.entity_set == entity_set:
                return table
        return None

    def require_set(self, entity_set: str) -> Table:
        table = self.by_set(entity_set)
        if table is None:
            raise segment_not_found(entity_set)
        return table

    def require_logical(self, logical: str) -> Table:
        table = self._tables.get(logical)
        if table is None:
            raise DataverseError(404, "0x80040217",
                                 f"Could not find an entity with name '{logical}'")  # metadata miss (inferred)
        return table

    def delete_behaviour(self, child: str, lookup: str, parent: str) -> str | None:
        """CascadeConfiguration.Delete of a custom relationship, if `child.lookup` -> `parent` is one."""
        for relationship in self.relationships.values():
            if (relationship.referencing, relationship.lookup, relationship.referenced) == (child, lookup, parent):
                return relationship.cascade.get("Delete", "RemoveLink")
        return None
