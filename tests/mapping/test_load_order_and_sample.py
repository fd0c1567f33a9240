"""The full run's load order (dependencies first; lookups inside a cycle left to a second pass) and the sample
(whole matters, every bind inside it resolvable inside it)."""
from __future__ import annotations

import json
from typing import Any

from firmgen import iter_records
from shared.mapping.dry_run import staged_line
from shared.mapping.engine import CompiledMap
from shared.mapping.load_order import load_order
from shared.mapping.maps import load_map
from shared.mapping.model import MapFile
from shared.mapping.proposer import DeterministicProposer
from shared.mapping.sample import binds_of, select_sample
from tests.mapping.schema import map_snapshot


def _proposed(firm: list[tuple[str, dict[str, Any]]]) -> MapFile:
    fields = [record for resource, record in firm if resource == "custom_fields"]
    return DeterministicProposer().propose(load_map(), fields, {}, map_snapshot()).map


def _staged(compiled: CompiledMap, firm: list[tuple[str, dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The loadable rows of a firm as the dry run stages them, per table map."""
    compiled.place(firm)
    staged: dict[str, list[dict[str, Any]]] = {}
    for resource, record in firm:
        for table in compiled.for_resource(resource):
            row = table.map(record)
            if row is not None and row.loadable:
                staged.setdefault(row.table, []).append(json.loads(staged_line(row)))
    return staged


def test_every_first_pass_bind_points_to_an_earlier_level() -> None:
    firm = list(iter_records(7, "tiny"))
    the_map = _proposed(firm)  # custom lookups between accounts, contacts and matters make cycles
    order = load_order(the_map)
    level = {entity_set: number for number, sets in enumerate(order.levels) for entity_set in sets}
    assert level["accounts"] <= level["contacts"] <= level["opportunities"] < level["tasks"] < level["invoicedetails"]
    assert order.deferred, "the custom lookups form a cycle"
    for table in the_map.tables:
        deferred = set(order.deferred.get(table.name, []))
        for rule in table.fields:
            if rule.lookup is None:
                continue
            binds = {rule.lookup.entity_set: f"{rule.target}@odata.bind",
                     **{s: f"{nav}@odata.bind" for s, nav in rule.lookup.routes.items()}}
            for entity_set, bind in binds.items():
                if entity_set in level and bind not in deferred:
                    assert level[entity_set] < level[table.target.entity_set], (table.name, bind)
    assert load_order(load_map()).deferred == {}  # the base map has no cycle


def test_the_sample_is_whole_matters_with_their_binds() -> None:
    firm = list(iter_records(11, "small"))
    the_map = load_map()
    compiled = CompiledMap(the_map, {"case_practice_areas": [next(r["id"] for k, r in firm if k == "practice_areas")]})
    staged = _staged(compiled, firm)
    sample = select_sample(the_map, staged, 100)
    rows = sum(len(lines) for lines in sample.values())
    assert 100 <= rows <= 200 and len(sample) >= 10
    entity_set = {table.name: table.target.entity_set for table in the_map.tables}
    present = {(entity_set[name], line["key"]) for name, lines in sample.items() for line in lines}
    everywhere = {(entity_set[name], line["key"]) for name, lines in staged.items() for line in lines}
    for lines in sample.values():
        for line in lines:
            assert {ref for ref in binds_of(line["values"]) if ref in everywhere} <= present
    assert select_sample(the_map, staged, 100) == sample  # the same sample every time


def test_a_sample_does_not_follow_the_lookups_a_cycle_defers() -> None:
    firm = list(iter_records(1, "small"))
    the_map = _proposed(firm)  # custom lookups connect nearly every record to every other
    compiled = CompiledMap(the_map, {"case_practice_areas": [next(r["id"] for k, r in firm if k == "practice_areas")]})
    staged = _staged(compiled, firm)
    followed = sum(len(lines) for lines in select_sample(the_map, staged, 100).values())
    sample = select_sample(the_map, staged, 100, load_order(the_map).deferred)
    assert 100 <= sum(len(lines) for lines in sample.values()) <= 200 < followed
