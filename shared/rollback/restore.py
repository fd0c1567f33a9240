"""Putting a before-image back: exactly the columns an update may write whose value differs from the before-image
now, plain values as they were, lookups bound again through the navigation property of the table they pointed at
(or unbound), nothing else — system columns (modifiedon, versionnumber, modifiedby) are the platform's.

State travels in a call of its own (dataverse.md §6: statecode with statuscode; closed records are read-only):
a row going back to Active (statecode 0) is reopened first, a row going back to a closed state gets its other
columns first. The calls of one row form one changeset, so a row is never left half restored."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from shared.rollback.current import Row, Targets, lookup_column, target_of
from shared.rollback.models import PlannedWrite
from shared.rollback.shape import Shapes, TableShape

_STATE = ("statecode", "statuscode")


class Unbindable(Exception):
    """A lookup of the before-image points at a row that no longer exists, so it cannot be bound again."""


def _same(first: Any, second: Any) -> bool:
    numbers = (int, float)
    if isinstance(first, numbers) and isinstance(second, numbers) and not isinstance(first, bool) \
            and not isinstance(second, bool):
        return float(first) == float(second)
    return bool(first == second)


def changed_columns(shape: TableShape, before: Row, current: Row) -> dict[str, Any]:
    """Each writable column (as read back: `_x_value` for a lookup) whose value now differs from the before-image,
    with the before-image's value. A column absent from a row is null there, as Dataverse reads it."""
    changed: dict[str, Any] = {}
    for name in sorted({name for name in (*before, *current) if "@" not in name}):
        column = lookup_column(name) or name
        if column == shape.primary_id or column not in shape.updatable:
            continue
        if not _same(before.get(name), current.get(name)):
            changed[name] = before.get(name)
    return changed


def column_names(changed: dict[str, Any]) -> list[str]:
    return sorted(lookup_column(name) or name for name in changed)


def wanted_targets(shape: TableShape, before: Row, changed: dict[str, Any]) -> dict[str, set[str]]:
    """Candidate table -> ids of polymorphic lookups whose table the before-image does not name."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for name, value in changed.items():
        lookup = lookup_column(name)
        if lookup is None or not value or target_of(before, lookup) is not None:
            continue
        candidates = shape.targets.get(lookup, [])
        if len(candidates) != 1:
            for table in candidates:
                wanted[table].add(str(value))
    return wanted


def _bind(shape: TableShape, shapes: Shapes, targets: Targets, lookup: str, value: Any, before: Row,
          current: Row) -> dict[str, Any]:
    navigations = shape.navigations.get(lookup, {})
    if value is None:
        navigation = shape.navigation(lookup, target_of(current, lookup) or "") or next(iter(navigations.values()),
                                                                                          None)
        if navigation is None:
            raise Unbindable(f"{lookup} has no navigation property to clear it through")
        return {f"{navigation}@odata.bind": None}
    candidates = shape.targets.get(lookup, [])
    table = target_of(before, lookup) or (candidates[0] if len(candidates) == 1 else targets.table_of(str(value)))
    navigation = shape.navigation(lookup, table) if table else None
    place = shapes.place(table) if table else None
    if navigation is None or place is None:
        raise Unbindable(f"{lookup} pointed at {value}, which is no longer in any of {', '.join(candidates)}")
    return {f"{navigation}@odata.bind": f"/{place[0]}({value})"}


def restore_writes(shape: TableShape, shapes: Shapes, targets: Targets, row_id: str, version: str, before: Row,
                   current: Row, changed: dict[str, Any]) -> list[PlannedWrite]:
    body: dict[str, Any] = {}
    for name, value in changed.items():
        lookup = lookup_column(name)
        body.update({name: value} if lookup is None else _bind(shape, shapes, targets, lookup, value, before,
                                                                current))
    state = {name: before.get(name) for name in _STATE if name in shape.updatable} \
        if any(name in body for name in _STATE) else {}
    for name in _STATE:
        body.pop(name, None)
    bodies = [state, body] if state and before.get("statecode") == 0 else [body, state]
    url = f"{shape.entity_set}({row_id})"
    return [PlannedWrite(method="PATCH", url=url, body=part, if_match=f'W/"{version}"' if index == 0 else "*")
            for index, part in enumerate(part for part in bodies if part)]
