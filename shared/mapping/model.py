"""The map file's schema: which Clio resource lands in which Dataverse table, field by field, as data."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.dataverse.schema import SchemaRequest


class Condition(BaseModel):
    """Row-level rule: a record is mapped by a table entry only when its condition holds."""
    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)
    field: str
    equals: Any = None
    in_: list[Any] | None = Field(default=None, alias="in")
    not_in: list[Any] | None = None
    in_parameter: str | None = None  # a list named in the map's (or the migration's) parameters
    not_in_parameter: str | None = None


class Lookup(BaseModel):
    """A lookup bound through the target table's alternate key on the Clio id (dataverse.md §5)."""
    model_config = ConfigDict(extra="forbid")
    entity_set: str
    key_column: str = "new_clioid"
    # When the referenced record may live in another table (a matter becomes an opportunity or, by the split rule,
    # a case; a company contact an account), the resource whose placement decides, and the navigation property
    # per other entity set. The default entity set wins when the record is there too.
    placed_by: str | None = None
    routes: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _routed(self) -> "Lookup":
        if bool(self.placed_by) != bool(self.routes):
            raise ValueError("placed_by and routes go together")
        return self


class FieldRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target: str  # a column, or a navigation property for lookups (written as "<nav>@odata.bind")
    source: str | None = None  # record path; None with `constant`
    transform: str | None = None
    args: dict[str, Any] = Field(default_factory=dict)
    lookup: Lookup | None = None
    constant: Any = None
    required: bool = False  # a missing value is an error (row not loaded) rather than an empty column
    owner: bool = False  # the source is a Clio user id, resolved to a Dynamics system user (or the fallback)
    fallback: Any = None  # used (and reported as a warning) when the source is empty

    @model_validator(mode="after")
    def _one_way(self) -> "FieldRule":
        if (self.source is None) == (self.constant is None):
            raise ValueError(f"{self.target}: give either a source or a constant")
        if (self.lookup is not None or self.owner) and self.transform is not None:
            raise ValueError(f"{self.target}: a lookup takes the source id as it is")
        return self


class TargetTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity_set: str
    logical_name: str
    primary_id: str
    key_column: str = "new_clioid"
    hash_column: str = "new_clioloadhash"


class TableMap(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    source: str  # the Clio resource (firm-file key)
    target: TargetTable
    key: str = "id"  # record path of the Clio key
    # Written before the Clio id in the key column when two resources share a target table (Clio's ids are per
    # resource, so a task and a time entry may carry the same number). Letters and hyphens only: Dataverse takes
    # alternate key values in the URL path, where ':' and '/' cannot be routed.
    key_prefix: str = Field(default="", pattern=r"^([a-z][a-z-]*-)?$")
    when: list[Condition] = Field(default_factory=list)  # all must hold
    fields: list[FieldRule]


class MapFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    # Per-migration choices the map refers to (e.g. which practice areas become Cases); defaults here.
    parameters: dict[str, list[Any]] = Field(default_factory=dict)
    tables: list[TableMap]
    # Resources whose records become no rows of their own, with what they are used for instead (e.g. users are
    # resolved to system users by email); the dry run counts them as such rather than as unmapped.
    references: dict[str, str] = Field(default_factory=dict)
    # The custom tables, columns and alternate keys the rows need, provisioned before loading.
    target_schema: SchemaRequest = Field(default_factory=SchemaRequest)

    @model_validator(mode="after")
    def _unique_names(self) -> "MapFile":
        names = [table.name for table in self.tables]
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            raise ValueError(f"table maps named twice: {duplicated}")
        named = {c.in_parameter or c.not_in_parameter for t in self.tables for c in t.when} - {None}
        missing = sorted(str(name) for name in named if name not in self.parameters)
        if missing:
            raise ValueError(f"conditions name parameters the map does not define: {missing}")
        self._distinct_keys()
        return self

    def _distinct_keys(self) -> None:
        writers: dict[tuple[str, str], str] = {}
        for table in self.tables:
            seen = writers.setdefault((table.target.entity_set, table.key_prefix), table.source)
            if seen != table.source:
                raise ValueError(f"{table.name}: {table.target.entity_set} is also keyed by {seen} ids; give one a "
                                 "key_prefix so their keys cannot collide")
