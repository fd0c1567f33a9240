"""Applying a map: pure functions from one Clio record to one Dataverse-ready row per matching table map, each
value with its lineage and every problem as a report line. A record never raises; an error keeps its row out."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from shared.mapping import paths
from shared.mapping.model import Condition, FieldRule, MapFile, TableMap
from shared.mapping.transforms import Transform, build
from shared.mapping.users import UserResolution


@dataclass(frozen=True)
class ReportLine:
    resource: str
    source_id: str  # the Clio id as text (ids are integers except calendar entries')
    table: str
    field: str
    severity: Literal["error", "warning"]
    code: str
    message: str


@dataclass
class MappedRow:
    table: str
    key: str
    values: dict[str, Any]
    lineage: dict[str, str]  # target -> "<resource>.<source path> | <transform>@<map version>"
    problems: list[ReportLine] = field(default_factory=list)

    @property
    def loadable(self) -> bool:
        return not any(line.severity == "error" for line in self.problems)


@dataclass(frozen=True)
class _CompiledField:
    rule: FieldRule
    read: Callable[[Any], Any] | None  # the source path, compiled
    transform: Transform | None
    origin: str  # "<resource>.<path>" or "constant <value>", for report lines
    target: str  # the row key it writes ("<nav>@odata.bind" for lookups)
    lineage: str
    # copied from the rule: read for every record, and plain attributes are the fastest to reach
    constant: Any
    fallback: Any
    required: bool


def _key_literal(value: Any) -> str:
    return "'" + str(value).replace("'", "''") + "'"


class CompiledTable:
    def __init__(self, table: TableMap, version: str, parameters: dict[str, list[Any]],
                 users: UserResolution | None, placements: dict[str, dict[str, list[str]]]) -> None:
        self.table = table
        self.placements = placements
        self.version = version
        self.parameters = parameters
        self.users = users
        self._key = paths.parse(table.key)
        self._when = [(paths.parse(c.field), c) for c in table.when]
        self._fields = [self._compile(rule) for rule in table.fields]

    def _compile(self, rule: FieldRule) -> _CompiledField:
        origin = f"{self.table.source}.{rule.source}" if rule.source else f"constant {rule.constant!r}"
        if rule.owner:
            target, how = f"{rule.target}@odata.bind", "owner by email"
        elif rule.lookup is not None:
            target, how = f"{rule.target}@odata.bind", f"lookup {rule.lookup.entity_set}"
        else:
            target, how = rule.target, rule.transform or "as is"
        return _CompiledField(rule, paths.getter(paths.parse(rule.source)) if rule.source else None,
                              build(rule.transform, rule.args) if rule.transform else None, origin, target,
                              f"{origin} | {how}@{self.version}", rule.constant, rule.fallback, rule.required)

    def applies_to(self, record: dict[str, Any]) -> bool:
        return all(_holds(paths.resolve(record, path), condition, self.parameters) for path, condition in self._when)

    def map(self, record: dict[str, Any]) -> MappedRow | None:
        if not self.applies_to(record):
            return None
        source_id = paths.resolve(record, self._key)
        row = MappedRow(self.table.name, f"{self.table.key_prefix}{source_id}" if source_id not in (None, "") else "",
                        {}, {})
        if not row.key:
            row.problems.append(self._line(source_id, self.table.key, "error", "NO_KEY", "the record has no id"))
            return row
        for compiled in self._fields:
            self._apply(compiled, record, source_id, row)
        return row

    def _apply(self, compiled: _CompiledField, record: dict[str, Any], source_id: Any, row: MappedRow) -> None:
        value = compiled.constant if compiled.read is None else compiled.read(record)
        if value is None or value == "":
            if compiled.fallback is None:
                if compiled.required:
                    row.problems.append(self._line(source_id, compiled.rule.target, "error", "REQUIRED_MISSING",
                                                   f"{compiled.origin} is empty and {compiled.rule.target} is "
                                                   "required"))
                return
            value = compiled.fallback
            row.problems.append(self._line(source_id, compiled.rule.target, "warning", "FALLBACK_USED",
                                           f"{compiled.origin} is empty; wrote {compiled.fallback!r}"))
        target = compiled.target
        if compiled.transform is not None:
            result = compiled.transform(value)
            if result.problems:
                for issue in result.problems:
                    row.problems.append(self._line(source_id, compiled.rule.target, issue.severity, issue.code,
                                                   f"{compiled.origin}: {issue.message}"))
                if not result.ok:
                    return
            value = result.value
            if value is None:
                return
        elif compiled.rule.owner:
            if self.users is None:
                return  # no user resolution (e.g. a preview): the owner stays the loading application user
            owner, problem = self.users.resolve(value)
            if problem is not None:
                row.problems.append(self._line(source_id, compiled.rule.target, problem.severity, problem.code,
                                               problem.message))
            if owner is None:
                return
            value = f"/systemusers({owner})"
        elif compiled.rule.lookup is not None:
            entity_set, target = self._placed(compiled.rule, value, target)
            value = f"/{entity_set}({compiled.rule.lookup.key_column}={_key_literal(value)})"
        row.values[target] = value
        row.lineage[target] = compiled.lineage

    def _placed(self, rule: FieldRule, value: Any, default_target: str) -> tuple[str, str]:
        """The entity set and bind key of a lookup, following the referenced record to the table it was mapped to."""
        lookup = rule.lookup
        assert lookup is not None
        if lookup.placed_by is None:
            return lookup.entity_set, default_target
        placed = self.placements.get(lookup.placed_by, {}).get(str(value), [lookup.entity_set])
        if lookup.entity_set in placed:
            return lookup.entity_set, default_target
        routed = next((entity_set for entity_set in placed if entity_set in lookup.routes), None)
        if routed is None:
            return lookup.entity_set, default_target
        return routed, f"{lookup.routes[routed]}@odata.bind"

    def _line(self, source_id: Any, target: str, severity: Literal["error", "warning"], code: str,
              message: str) -> ReportLine:
        return ReportLine(self.table.source, "" if source_id is None else str(source_id), self.table.name, target,
                          severity, code, message)


def _holds(value: Any, condition: Condition, parameters: dict[str, list[Any]]) -> bool:
    if condition.equals is not None and value != condition.equals:
        return False
    inside = condition.in_ if condition.in_parameter is None else parameters[condition.in_parameter]
    if inside is not None and value not in inside:
        return False
    outside = condition.not_in if condition.not_in_parameter is None else parameters[condition.not_in_parameter]
    return not (outside is not None and value in outside)


class CompiledMap:
    def __init__(self, map_file: MapFile, parameters: dict[str, list[Any]] | None = None,
                 users: UserResolution | None = None) -> None:
        unknown = sorted(set(parameters or {}) - set(map_file.parameters))
        if unknown:
            raise ValueError(f"parameters the map does not define: {unknown}")
        self.version = map_file.version
        self.references = map_file.references
        self.parameters = {**map_file.parameters, **(parameters or {})}
        # resource -> Clio id -> the entity sets its record is mapped to (filled by `place`)
        self.placements: dict[str, dict[str, list[str]]] = {}
        self.tables = [CompiledTable(table, map_file.version, self.parameters, users, self.placements)
                       for table in map_file.tables]
        self.placed_resources = sorted({rule.lookup.placed_by for table in map_file.tables for rule in table.fields
                                        if rule.lookup is not None and rule.lookup.placed_by})

    def place(self, records: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Note where each record of a placing resource (e.g. matters) lands, for the lookups that follow it."""
        for resource, record in records:
            if resource not in self.placed_resources:
                continue
            placed = self.targets(resource, record)
            if placed:
                self.placements.setdefault(resource, {})[str(record.get("id"))] = placed

    def targets(self, resource: str, record: dict[str, Any]) -> list[str]:
        """The entity sets a record of `resource` is mapped to, in map order."""
        return [t.table.target.entity_set for t in self.for_resource(resource) if t.applies_to(record)]

    def for_resource(self, resource: str) -> list[CompiledTable]:
        return [table for table in self.tables if table.table.source == resource]
