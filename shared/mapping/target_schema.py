"""A snapshot of the target schema and the checks a mapped row must pass before anything is written: every column
exists with a value of its type, choices are options of the column, lookups use bindable navigation properties
pointing at the right tables. Problems become report lines; no Dataverse call is made."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.dataverse.schema import PRIMARY_NAME_LENGTH, ColumnSpec, TableSpec, attribute_type
from shared.mapping.engine import MappedRow, ReportLine
from shared.mapping.model import MapFile

Kind = Literal["String", "Memo", "Integer", "Number", "Money", "Decimal", "Boolean", "DateTime", "Picklist",
               "Lookup", "Other"]


class ColumnSchema(BaseModel):
    kind: Kind
    max_length: int | None = None
    options: set[int] | None = None


class TableSchema(BaseModel):
    logical_name: str
    entity_set: str
    columns: dict[str, ColumnSchema]
    navigations: dict[str, list[str]] = Field(default_factory=dict)  # bindable nav -> target entity sets


class SchemaSnapshot(BaseModel):
    tables: dict[str, TableSchema]  # by entity set

    @classmethod
    def from_definitions(cls, definitions: dict[str, Any]) -> "SchemaSnapshot":
        """Standard tables from an entity-definitions export (entityset, attributes, bindable_navigation,
        optionsets)."""
        tables: dict[str, TableSchema] = {}
        for logical, table in definitions.items():
            columns = {name: _column(kind, table.get("optionsets", {})) for name, kind in table["attributes"].items()}
            tables[table["entityset"]] = TableSchema(logical_name=logical, entity_set=table["entityset"],
                                                     columns=columns,
                                                     navigations=dict(table.get("bindable_navigation", {})))
        return cls(tables=tables)

    @classmethod
    def for_map(cls, definitions: dict[str, Any], map_file: MapFile) -> "SchemaSnapshot":
        """What the target looks like once the map's own schema is provisioned: the standard tables, the map's
        custom tables, columns and lookups."""
        return cls.from_definitions(definitions).with_map_schema(map_file)

    def with_map_schema(self, map_file: MapFile) -> "SchemaSnapshot":
        """This snapshot (from definitions or read from the org) plus the map's custom tables, columns and lookups
        that provisioning will create; what is already there is kept."""
        entity_sets = {table.target.logical_name: table.target.entity_set for table in map_file.tables}
        snapshot = self.model_copy(deep=True)
        for spec in map_file.target_schema.tables:
            if entity_sets.get(spec.logical_name, f"{spec.logical_name}s") not in snapshot.tables:
                snapshot._add_custom_table(spec, entity_sets)
        by_logical = {table.logical_name: table.entity_set for table in snapshot.tables.values()}
        for column in map_file.target_schema.columns:
            snapshot._add_column(column, by_logical)
        for lookup in map_file.target_schema.lookups:
            snapshot._add_navigations(by_logical[lookup.table], lookup.navigation, [by_logical[lookup.target]])
        return snapshot

    def _add_custom_table(self, spec: TableSpec, entity_sets: dict[str, str]) -> None:
        """A user-owned custom table as Dataverse creates it: its primary name plus the system columns we write."""
        entity_set = entity_sets.get(spec.logical_name, f"{spec.logical_name}s")
        self.tables[entity_set] = TableSchema(
            logical_name=spec.logical_name, entity_set=entity_set,
            columns={spec.primary_name.lower(): ColumnSchema(kind="String", max_length=PRIMARY_NAME_LENGTH),
                     "overriddencreatedon": ColumnSchema(kind="DateTime"),
                     "statecode": ColumnSchema(kind="Picklist", options={0, 1}),
                     "statuscode": ColumnSchema(kind="Picklist", options={1, 2})},
            navigations={"ownerid": ["systemusers", "teams"]})

    def _add_navigations(self, entity_set: str, navigation: str, targets: list[str]) -> None:
        known = self.tables[entity_set].navigations.setdefault(navigation, [])
        known.extend(target for target in targets if target not in known)

    def _add_column(self, column: ColumnSpec, by_logical: dict[str, str]) -> None:
        if column.table not in by_logical:
            raise ValueError(f"{column.schema_name}: the map neither creates nor finds a table '{column.table}'")
        table = self.tables[by_logical[column.table]]
        kind = _KINDS[attribute_type(column.type)]
        options = {value for value, _ in column.options} if column.options else None
        table.columns[column.logical_name] = ColumnSchema(kind=kind, max_length=column.max_length, options=options)


_KINDS: dict[str, Kind] = {name: name for name in ("String", "Memo", "Integer", "Number", "Money",
                                                    "Decimal", "Boolean", "DateTime", "Picklist", "Lookup")}


def _column(kind: str, optionsets: dict[str, dict[str, int]]) -> ColumnSchema:
    if kind.startswith("Picklist:"):
        name = kind.split(":", 1)[1]
        values = next((set(v.values()) for k, v in optionsets.items() if k == name or name.endswith(k)), None)
        return ColumnSchema(kind="Picklist", options=values)
    if kind.startswith("Lookup"):
        return ColumnSchema(kind="Lookup")
    return ColumnSchema(kind=_KINDS.get(kind, "Other"))


def _type_problem(column: ColumnSchema, value: Any) -> tuple[str, str] | None:
    if column.kind in ("String", "Memo"):
        if not isinstance(value, str):
            return "WRONG_TYPE", f"expects text, the map gives {type(value).__name__}"
        if column.max_length is not None and len(value) > column.max_length:
            return "TOO_LONG", f"{len(value)} characters, the column holds {column.max_length}"
    elif column.kind in ("Integer", "Number", "Money", "Decimal"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "WRONG_TYPE", f"expects a number, the map gives {type(value).__name__}"
    elif column.kind == "Boolean" and not isinstance(value, bool):
        return "WRONG_TYPE", f"expects true or false, the map gives {value!r}"
    elif column.kind == "DateTime" and not isinstance(value, str):
        return "WRONG_TYPE", f"expects an ISO-8601 date or timestamp, the map gives {value!r}"
    elif column.kind == "Picklist":
        if isinstance(value, bool) or not isinstance(value, int):
            return "WRONG_TYPE", f"expects an option value, the map gives {value!r}"
        if column.options is not None and value not in column.options:
            return "NO_SUCH_OPTION", f"{value} is not one of {sorted(column.options)}"
    elif column.kind == "Lookup":
        return "LOOKUP_WITHOUT_BIND", "lookups are written through '<navigation>@odata.bind'"
    return None


def validate(row: MappedRow, entity_set: str, snapshot: SchemaSnapshot, resource: str) -> list[ReportLine]:
    """The problems the target would reject `row` for, before any write."""
    table = snapshot.tables.get(entity_set)
    if table is None:
        return [ReportLine(resource, row.key, row.table, "*", "error", "NO_SUCH_TABLE",
                           f"the target has no table '{entity_set}'")]
    lines = []
    for name, value in row.values.items():
        problem: tuple[str, str] | None
        if name.endswith("@odata.bind"):
            navigation = name.removesuffix("@odata.bind")
            targets = table.navigations.get(navigation)
            target_set = value.lstrip("/").split("(", 1)[0] if isinstance(value, str) else ""
            if targets is None:
                problem = "NO_SUCH_NAVIGATION", f"'{navigation}' is not a lookup of {table.logical_name}"
            elif target_set not in targets:
                problem = "WRONG_LOOKUP_TARGET", f"'{navigation}' points at {targets}, not {target_set}"
            else:
                problem = None
        elif name not in table.columns:
            problem = "NO_SUCH_COLUMN", f"{table.logical_name} has no column '{name}'"
        else:
            problem = _type_problem(table.columns[name], value)
        if problem:
            lines.append(ReportLine(resource, row.key, row.table, name, "error", *problem))
    return lines
