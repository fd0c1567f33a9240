"""One table map's staged rows against the rows Dataverse holds for their keys: found and missing rows, per-field
mismatches, lookups whose target key has no row (orphans), the load hash, and a digest per field on each side."""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from shared.dataverse.loader import LoadRow, content_hash
from shared.mapping.model import TableMap
from shared.reconcile.canonical import Bind, Kind, canonical, parse_bind
from shared.reconcile.readback import KeyIndex, Row
from shared.reconcile.report import Difference, FieldDigest
from shared.reconcile.shape import TableShape

_BIND_SUFFIX = "@odata.bind"
# dataverse.md §6: on create `createdon` takes the supplied `overriddencreatedon`, which then holds the import time.
_READ_AS = {"overriddencreatedon": "createdon"}


class StagedRow(BaseModel):
    """One line the dry run staged: what the loader sends for the row."""
    key: str
    values: dict[str, Any]


@dataclass(frozen=True)
class _Column:
    read: str  # the property the Web API returns
    kind: Kind


@dataclass
class Comparison:
    found: set[str] = field(default_factory=set)
    differences: list[Difference] = field(default_factory=list)
    digests: dict[str, FieldDigest] = field(default_factory=dict)


def column_of(table: TableMap, shape: TableShape, name: str) -> _Column:
    """Where a staged value is read back: a column as itself, a bind as its lookup attribute's `_<attr>_value`."""
    if name.endswith(_BIND_SUFFIX):
        navigation = name[:-len(_BIND_SUFFIX)]
        attribute = shape.navigations.get(navigation)
        if attribute is None:
            raise ValueError(f"{table.name}: {shape.logical_name} has no navigation {navigation} in the org")
        return _Column(f"_{attribute}_value", "guid")
    read = _READ_AS.get(name, name)
    return _Column(read, shape.kind(read))


def columns_to_read(table: TableMap, shape: TableShape, staged: list[StagedRow]) -> set[str]:
    names = {name for row in staged for name in row.values} | {table.target.hash_column}
    return {column_of(table, shape, name).read for name in names} | {table.target.primary_id}


def resolve_binds(staged: list[StagedRow], index: KeyIndex) -> None:
    """Reads every key the rows bind to, one chunked query per referenced table."""
    wanted: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in staged:
        for name, value in row.values.items():
            bind = parse_bind(value) if name.endswith(_BIND_SUFFIX) and isinstance(value, str) else None
            if bind is not None and bind.key is not None and bind.key_column is not None:
                wanted[(bind.entity_set, bind.key_column)].add(bind.key)
    for (entity_set, key_column), keys in wanted.items():
        index.load(entity_set, key_column, keys)


def _expected(name: str, value: Any, kind: Kind, index: KeyIndex) -> tuple[str | None, bool]:
    """The canonical expected value, and whether it is an orphan (a bind whose target key has no row)."""
    if not name.endswith(_BIND_SUFFIX):
        return canonical(kind, value), False
    bind: Bind | None = parse_bind(value) if isinstance(value, str) else None
    if bind is None or bind.guid is not None:
        return (bind.guid if bind else canonical("text", value)), False
    assert bind.key is not None and bind.key_column is not None
    target = index.id_of(bind.entity_set, bind.key_column, bind.key)
    return (target, False) if target is not None else (value, True)


def _digest(pairs: list[tuple[str, str | None]]) -> str:
    ordered = sorted(pairs, key=lambda pair: (pair[0], pair[1] is not None, pair[1] or ""))
    return hashlib.sha256(json.dumps(ordered).encode()).hexdigest()


def compare_table(table: TableMap, shape: TableShape, staged: list[StagedRow], actual: dict[str, Row],
                  index: KeyIndex) -> Comparison:
    result = Comparison()
    expected_pairs: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    actual_pairs: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for row in staged:
        held = actual.get(row.key)
        if held is None:
            result.differences.append(Difference(kind="missing", key=row.key))
        else:
            result.found.add(row.key)
        values = {**row.values, table.target.hash_column: content_hash(LoadRow(key=row.key, values=row.values))}
        for name, value in values.items():
            column = column_of(table, shape, name)
            expected, orphan = _expected(name, value, column.kind, index)
            got = canonical(column.kind, held.get(column.read)) if held is not None else None
            expected_pairs[name].append((row.key, expected))
            actual_pairs[name].append((row.key, got))
            if held is None:
                continue
            if orphan:
                result.differences.append(Difference(kind="orphan", key=row.key, field=name, expected=expected,
                                                     actual=got))
            elif expected != got:
                result.differences.append(Difference(kind="mismatch", key=row.key, field=name, expected=expected,
                                                     actual=got))
    result.digests = {name: FieldDigest(rows=len(pairs), expected=_digest(pairs), actual=_digest(actual_pairs[name]))
                      for name, pairs in sorted(expected_pairs.items())}
    return result
