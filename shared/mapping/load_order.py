"""The order the full run loads tables in: a table after every table its lookups bind to (accounts before contacts
before opportunities and cases before activities, invoices and notes). Tables that bind to each other — a cycle,
such as an account with a custom lookup to a matter whose client is that account, or a table pointing at itself —
load together in one level: on the first pass without the lookups inside their group, which the second pass then
patches in (the rest of each row is unchanged, so that pass only adds the lookups)."""
from __future__ import annotations

from dataclasses import dataclass, field

from shared.mapping.model import MapFile, TableMap


@dataclass
class LoadOrder:
    levels: list[list[str]]  # entity sets, level by level
    deferred: dict[str, list[str]] = field(default_factory=dict)  # table map -> binds left out of the first pass
    waits_for: dict[str, set[str]] = field(default_factory=dict)  # entity set -> sets outside its cycle it binds to
    cycle: dict[str, frozenset[str]] = field(default_factory=dict)  # entity set -> the sets of its cycle (itself too)


def dependencies(map_file: MapFile) -> dict[str, set[str]]:
    """Entity set -> the entity sets its rows bind to (owners, system users, are not loaded by us)."""
    loaded = {table.target.entity_set for table in map_file.tables}
    found: dict[str, set[str]] = {entity_set: set() for entity_set in loaded}
    for table in map_file.tables:
        for rule in table.fields:
            if rule.lookup is not None:
                found[table.target.entity_set] |= {rule.lookup.entity_set, *rule.lookup.routes} & loaded
    return found


def _reach(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    reach = {node: set(targets) for node, targets in graph.items()}
    changed = True
    while changed:
        changed = False
        for node, targets in reach.items():
            more = set().union(*(reach[t] for t in targets)) - targets if targets else set()
            if more:
                targets |= more
                changed = True
    return reach


def load_order(map_file: MapFile) -> LoadOrder:
    graph = dependencies(map_file)
    reach = _reach(graph)
    group = {node: frozenset({node} | {other for other in reach[node] if node in reach[other]}) for node in graph}
    levels: list[list[str]] = []
    done: set[str] = set()
    while len(done) < len(graph):
        ready = sorted(node for node in graph if node not in done and graph[node] - group[node] <= done)
        levels.append(ready)
        done |= set(ready)
    deferred = {table.name: binds for table in map_file.tables
                if (binds := _binds_into(table, group[table.target.entity_set]))}
    return LoadOrder(levels, deferred, {node: graph[node] - group[node] for node in graph}, group)


def _binds_into(table: TableMap, group: frozenset[str]) -> list[str]:
    """The bind keys of `table`'s lookups that point into its own group (itself included)."""
    binds: list[str] = []
    for rule in table.fields:
        lookup = rule.lookup
        if lookup is None:
            continue
        if lookup.entity_set in group:
            binds.append(f"{rule.target}@odata.bind")
        binds.extend(f"{navigation}@odata.bind" for entity_set, navigation in lookup.routes.items()
                     if entity_set in group)
    return sorted(set(binds))
