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

    @property
    def odata_type(self) -> str:
        return f"Microsoft.Dynamics.CRM.{self.logical}"

    def lookup_of(self, nav: str) -> str | None:
        """The lookup attribute a navigation property writes (`customerid_account` -> `customerid`)."""
        candidates = [name for name, column in self.columns.items() if column.kind == "Lookup"
                      and (nav == name or nav.startswith(name + "_"))]
        return max(candidates, key=len) if candidates else None

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
