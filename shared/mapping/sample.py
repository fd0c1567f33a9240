"""The sample: whole matters with everything around them, taken from the staged rows — the matter, the client and
contacts it binds to, and every row that binds to it (time entries, bills and their lines, tasks, events, notes,
parties, trust transactions) together with the rows those bind to — matter after matter until the sample has
`size` rows (a matter that would take it past twice that is passed over). Relationally coherent, so loading it
proves the lookups as well as the columns."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from shared.mapping.model import MapFile

_BIND = re.compile(r"^/(?P<set>[A-Za-z0-9_]+)\((?P<column>[a-z0-9_]+)='(?P<key>(?:[^']|'')*)'\)$")
Ref = tuple[str, str]  # (entity set, Clio key)


def binds_of(values: dict[str, Any], skip: frozenset[str] = frozenset()) -> list[Ref]:
    found = []
    for name, value in values.items():
        if name in skip:
            continue
        match = _BIND.match(value) if name.endswith("@odata.bind") and isinstance(value, str) else None
        if match:
            found.append((match["set"], match["key"].replace("''", "'")))
    return found


def select_sample(map_file: MapFile, staged: dict[str, list[dict[str, Any]]], size: int,
                  deferred: dict[str, list[str]] | None = None) -> dict[str, list[dict[str, Any]]]:
    """`staged`: table map name -> staged lines ({"key", "values", "lineage"}). Returns the same shape, cut down to
    the sample. `deferred`: the binds a cycle leaves to the second pass (load_order.py); the sample does not follow
    them (through a firm's custom lookups everything is connected), so where one points outside the sample, that
    row's second pass fails and the diff says so."""
    entity_set = {table.name: table.target.entity_set for table in map_file.tables}
    matter_tables = [table.name for table in map_file.tables if table.source == "matters"]
    skip = {name: frozenset(binds) for name, binds in (deferred or {}).items()}
    rows: dict[Ref, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    bound_by: dict[Ref, list[Ref]] = defaultdict(list)
    for name, lines in staged.items():
        for line in lines:
            ref = (entity_set[name], line["key"])
            rows[ref].append((name, line))
            for target in binds_of(line["values"], skip.get(name, frozenset())):
                bound_by[target].append(ref)
    chosen: set[Ref] = set()
    matters = sorted((entity_set[name], line["key"]) for name in matter_tables for line in staged.get(name, []))
    smallest: set[Ref] | None = None
    for matter in matters:
        if len(chosen) >= size:
            break
        group = _around(matter, rows, bound_by, skip)
        if len(chosen | group) <= 2 * size:  # a matter too big for the sample is passed over
            chosen |= group
        elif smallest is None or len(group) < len(smallest):
            smallest = group
    if not chosen and smallest is not None:
        chosen = smallest
    sample: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ref in sorted(chosen):
        for name, line in rows.get(ref, []):
            sample[name].append(line)
    return dict(sample)


def _around(matter: Ref, rows: dict[Ref, list[tuple[str, dict[str, Any]]]], bound_by: dict[Ref, list[Ref]],
            skip: dict[str, frozenset[str]]) -> set[Ref]:
    """The matter, the rows binding to it and to those (two levels: a bill's lines), and all that these bind."""
    group = {matter}
    frontier: Iterable[Ref] = [matter]
    for _ in range(2):
        frontier = [ref for parent in frontier for ref in bound_by.get(parent, []) if ref not in group]
        group |= set(frontier)
    pending = list(group)
    while pending:  # and what those bind, transitively (a party's contact, that contact's company)
        for name, line in rows.get(pending.pop(), []):
            for target in binds_of(line["values"], skip.get(name, frozenset())):
                if target in rows and target not in group:
                    group.add(target)
                    pending.append(target)
    return group
