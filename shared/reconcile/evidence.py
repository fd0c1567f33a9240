"""What already explains a difference: the dry run's report (a record kept out by an error, a value changed with a
warning on that field) and the loader's outcomes (the row's last write failed, with Dataverse's code)."""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.dataverse.loader import RowOutcome
from shared.mapping.model import TableMap
from shared.reconcile.canonical import parse_bind
from shared.reconcile.report import Difference

OWNER_FALLBACK = "OWNER_FALLBACK"  # shared/mapping/users.py
TRUNCATED = "TRUNCATED"  # shared/mapping/transforms.py


class Tally(BaseModel):
    model_config = ConfigDict(extra="ignore")
    source: int = 0
    loadable: int = 0
    errors: int = 0
    not_mapped: int = 0
    referenced: int = 0


class Line(BaseModel):
    model_config = ConfigDict(extra="ignore")
    resource: str
    source_id: str
    table: str
    field: str
    severity: Literal["error", "warning"]
    code: str
    message: str

    def describe(self) -> str:
        return f"dry run {self.severity} {self.code}: {self.message}"


class DryRunReport(BaseModel):
    """The parts of the dry run's `report.json` the reconciliation reads."""
    model_config = ConfigDict(extra="ignore")
    map_version: str
    resources: dict[str, Tally] = Field(default_factory=dict)
    lines: list[Line] = Field(default_factory=list)


def source_id(table: TableMap, key: str) -> str:
    return key[len(table.key_prefix):] if key.startswith(table.key_prefix) else key


class Evidence:
    def __init__(self, report: DryRunReport, outcomes: dict[str, dict[str, RowOutcome]],
                 tables: list[TableMap]) -> None:
        self.report = report
        self.outcomes = outcomes  # entity set -> key -> the last outcome the loader wrote for it
        self.tables = tables
        self.lines: dict[tuple[str, str], list[Line]] = defaultdict(list)
        for line in report.lines:
            self.lines[(line.resource, line.source_id)].append(line)
        self._codes = Counter((line.table, line.code) for line in report.lines)

    def outcome(self, entity_set: str, key: str) -> RowOutcome | None:
        return self.outcomes.get(entity_set, {}).get(key)

    def failed(self, entity_set: str, key: str) -> str | None:
        outcome = self.outcome(entity_set, key)
        if outcome is None or outcome.action != "failed":
            return None
        return f"loader failed{f' {outcome.code}' if outcome.code else ''}: {outcome.message or ''}"

    def kept_out(self, table: TableMap, key: str) -> str | None:
        """The dry-run error that kept this row's record out (of this table map, or of every one)."""
        return next((line.describe() for line in self.lines[(table.source, source_id(table, key))]
                     if line.severity == "error" and line.table in (table.name, "-")), None)

    def on_field(self, table: TableMap, key: str, name: str) -> str | None:
        target = name.removesuffix("@odata.bind")
        return next((line.describe() for line in self.lines[(table.source, source_id(table, key))]
                     if line.table == table.name and line.field == target), None)

    def target_kept_out(self, bind_value: str | None) -> str | None:
        """An orphan's target: failed in the loader, or kept out by the dry run."""
        bind = parse_bind(bind_value) if bind_value else None
        if bind is None or bind.key is None:
            return None
        failed = self.failed(bind.entity_set, bind.key)
        if failed is not None:
            return f"target {bind.entity_set}({bind.key}): {failed}"
        for table in self.tables:
            if table.target.entity_set == bind.entity_set and bind.key.startswith(table.key_prefix):
                kept = self.kept_out(table, bind.key)
                if kept is not None:
                    return f"target {bind.entity_set}({bind.key}): {kept}"
        return None

    def explain(self, table: TableMap, difference: Difference) -> str | None:
        key = difference.key
        if difference.kind == "extra":
            return self.kept_out(table, key)
        found = self.failed(table.target.entity_set, key) or self.kept_out(table, key)
        if found is not None or difference.field is None:
            return found
        found = self.on_field(table, key, difference.field)
        if found is None and difference.kind == "orphan":
            found = self.target_kept_out(difference.expected)
        return found

    def count(self, table: TableMap, code: str) -> int:
        return self._codes[(table.name, code)]

    def errors_on(self, table: TableMap) -> set[str]:
        """Records the dry run kept out of this table map with an error."""
        return {line.source_id for line in self.report.lines if line.table == table.name and line.severity == "error"}

    def reported_ids(self, resource: str) -> set[str]:
        """Records of the resource the dry run kept out with an error."""
        return {source for (name, source), lines in self.lines.items()
                if name == resource and any(line.severity == "error" for line in lines)}
