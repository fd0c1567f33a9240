"""Tables and columns the sandbox enforces: the anchor entity-definitions JSON plus custom metadata (§8).

Data-driven: every table is a `Table` built from one JSON entry; nothing below is per-table code except the
small fact tables in `facts.py`.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sandboxes.dataverse import facts

ColumnKind = Literal["String", "Memo", "Integer", "BigInt", "Number", "Decimal", "Double", "Money", "DateTime",
                     "DateOnly", "Boolean", "Picklist", "Lookup", "Uniqueidentifier"]

_ANCHOR = "d365_sales_entities_from_xrmdefinitelytyped.json"


@dataclass
class Column:
    logical: str
    kind: ColumnKind
    schema_name: str = ""
    max_length: int | None = None
    options: frozenset[int] | None = None
    option_labels: dict[str, int] = field(default_factory=dict)
    min_value: float | None = None
    max_value: float | None = None
    custom: bool = False
    metadata_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    definition: dict[str, Any] = field(default_factory=dict)  # custom columns: the posted metadata, echoed back


@dataclass
class AlternateKey:
    schema_name: str
    logical: str
    attributes: tuple[str, ...]
    created_at: float
    ready_at: float
    failed: bool = False
    metadata_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def status(self, now: float) -> str:
        if self.failed:
            return "Failed"
        return "Active" if now >= self.ready_at else "Pending"


@dataclass
class Relationship:
    """A many-to-one (lookup) relationship as `OneToManyRelationshipMetadata` describes it (§8)."""
    schema_name: str
    referenced: str  # the "one" table (logical name)
    referenced_attribute: str
    referencing: str  # the "many" table, which holds the lookup
    lookup: str  # ReferencingAttribute
    navigation: str  # ReferencingEntityNavigationPropertyName, what `@odata.bind` uses
    cascade: dict[str, str]
    custom: bool = False
    referenced_navigation: str = ""
    definition: dict[str, Any] = field(default_factory=dict)  # custom: the posted body, echoed into snapshots

    @property
    def metadata_id(self) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"relationship:{self.schema_name.lower()}"))


@dataclass
class Table:
    logical: str
    entity_set: str
    primary_id: str
    columns: dict[str, Column]
    binds: dict[str, tuple[str, ...]]  # nav -> entity sets it may point at
    bind_create_only: frozenset[str]
    schema_name: str = ""
    primary_name: str | None = None
    custom: bool = False
    keys: list[AlternateKey] = field(default_factory=list)
    metadata_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    definition: dict[str, Any] = field(default_factory=dict)
    status_state: dict[int, int] | None = None  # §6: statuscode -> statecode
    lookups: dict[str, str] = field(default_factory=dict)  # custom lookups: nav (case-sensitive) -> lookup column

    @property
    def odata_type(self) -> str:
        return f"Microsoft.Dynamics.CRM.{self.logical}"

    def lookup_of(self, nav: str) -> str | None:
        """The lookup attribute a navigation property writes (`customerid_account` -> `customerid`)."""
        if nav in self.lookups:
            return self.lookups[nav]
        # The longest lookup column that is `nav` or a `_`-prefix of it; navigations named after a lookup's
        # SchemaName (`msdyn_AccountManagerId`, `CorrelatedActivityId_Email`) match its lower-cased logical name.
        for name in (nav, nav.lower()):
            parts = name.split("_")
            for end in range(len(parts), 0, -1):
                column = self.columns.get("_".join(parts[:end]))
                if column is not None and column.kind == "Lookup":
                    return column.logical
        return None

    def navigations(self) -> dict[str, list[str]]:
        """lookup column -> the navigation properties that write it."""
        found: dict[str, list[str]] = {}
        for nav in self.binds:
            lookup = self.lookup_of(nav)
            if lookup is not None:
                found.setdefault(lookup, []).append(nav)
        return found

    @property
    def supports_multiple(self) -> bool:
        # dataverse.md §3.2: CreateMultiple/UpdateMultiple/UpsertMultiple tables.
        return self.custom or self.logical in facts.MULTIPLE_TABLES


def _column(table: str, name: str, coarse: str, optionsets: dict[str, dict[str, int]],
            lengths: dict[str, int]) -> Column:
    if coarse.startswith("Picklist"):
        labels = optionsets.get(name, {})
        return Column(name, "Picklist", option_labels=labels,
                      options=frozenset(labels.values()) if labels else None)
    if coarse.startswith("Lookup"):
        return Column(name, "Lookup")
    if coarse.startswith("Guid"):
        return Column(name, "Uniqueidentifier")
    if coarse == "DateTime":
        return Column(name, "DateOnly" if f"{table}.{name}" in facts.DATE_ONLY else "DateTime")
    if coarse == "String":
        limit = lengths.get(f"{table}.{name}") or lengths.get(name) or facts.string_max_length(table, name)
        return Column(name, "String", max_length=limit)
    if coarse in ("Number", "Money", "Boolean"):
        return Column(name, coarse)  # type: ignore[arg-type]
    raise ValueError(f"unknown anchor type {coarse!r} for {table}.{name}")


def _table(logical: str, entry: dict[str, Any], lengths: dict[str, int]) -> Table:
    optionsets: dict[str, dict[str, int]] = entry.get("optionsets", {})
    columns = {name: _column(logical, name, coarse, optionsets, lengths)
               for name, coarse in entry["attributes"].items()}
    binds = {nav: tuple(sets) for nav, sets in entry.get("bindable_navigation", {}).items()}
    return Table(logical, entry["entityset"], entry["primaryid"], columns, binds,
                 frozenset(entry.get("bind_valid_only_on_create", [])), schema_name=logical,
                 primary_name=facts.PRIMARY_NAME.get(logical), status_state=facts.STATUS_STATE.get(logical))


def default_definitions_path() -> Path:
    return Path(__file__).resolve().parents[3] / "shared" / "reference" / "dataverse" / _ANCHOR


def load_tables(path: str | Path | None, lengths: dict[str, int]) -> dict[str, Table]:
    """All anchor tables plus the solution-layer tables (publisher, solution), keyed by logical name."""
    entries: dict[str, Any] = json.loads(Path(path or default_definitions_path()).read_text())["entities"]
    entries = {**entries, **facts.SOLUTION_TABLES}
    return {logical: _table(logical, entry, lengths) for logical, entry in entries.items()}
