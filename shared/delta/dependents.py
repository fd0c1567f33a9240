"""Which rows other rows still point at. Deleting such a row would cascade into them or clear their lookups
(dataverse.md §12: an account's delete takes its contacts, opportunities and cases; a record's its notes and
activities), changing rows whose Clio records still exist — so in delete mode such a row is made inactive instead.
Only the tables the map writes are looked at: through each lookup the map binds, read back as `_<attribute>_value`
(the bind's navigation property named by the org's metadata, shared/reconcile/shape.py)."""
from __future__ import annotations

from collections.abc import Iterator

from shared.dataverse.client import DataverseClient
from shared.mapping.model import MapFile
from shared.reconcile.shape import OrgShape, read_shape

_IDS_PER_QUERY = 50  # `_x_value eq <guid> or ...`: ~60 characters each, well under the URL limit


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), _IDS_PER_QUERY):
        yield ids[start:start + _IDS_PER_QUERY]


class Dependents:
    def __init__(self, client: DataverseClient, map_file: MapFile) -> None:
        self.client = client
        self.map_file = map_file
        self._shape: OrgShape | None = None

    def _pointers(self, entity_set: str) -> list[tuple[str, str, str]]:
        """(entity set, its primary id, the lookup attribute) for every lookup the map binds into `entity_set`."""
        if self._shape is None:
            self._shape = read_shape(self.client, {table.target.logical_name for table in self.map_file.tables})
        found: set[tuple[str, str, str]] = set()
        for table in self.map_file.tables:
            navigations = self._shape.tables[table.target.logical_name].navigations
            for rule in table.fields:
                if rule.lookup is None:
                    continue
                by_set = {rule.lookup.entity_set: rule.target, **rule.lookup.routes}
                attribute = navigations.get(by_set.get(entity_set, ""))
                if attribute is not None:
                    found.add((table.target.entity_set, table.target.primary_id, attribute))
        return sorted(found)

    def pointed_at(self, entity_set: str, ids: list[str]) -> set[str]:
        """The ids (lower case) among `ids` that some row of the map's tables points at."""
        wanted = sorted({row_id.lower() for row_id in ids})
        found: set[str] = set()
        for pointing_set, primary_id, attribute in self._pointers(entity_set):
            column = f"_{attribute}_value"
            for chunk in _chunks(sorted(set(wanted) - found)):
                rows = self.client.query(pointing_set, {"$select": f"{primary_id},{column}",
                                                        "$filter": " or ".join(f"{column} eq {i}" for i in chunk)})
                found |= {str(row[column]).lower() for row in rows if row.get(column)}
        return found
