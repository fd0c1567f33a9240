"""The reconciliation of a migration: every staged row of the chosen table maps against Dataverse, extra rows that
carry a Clio key no staged row explains, each difference checked against the dry-run report and loader outcomes,
and (after a full run) every Clio record accounted for. The sample diff is the same restricted to given keys."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from shared.dataverse.client import DataverseClient
from shared.mapping.model import MapFile, TableMap
from shared.reconcile.compare import Comparison, StagedRow, columns_to_read, compare_table, resolve_binds
from shared.reconcile.evidence import OWNER_FALLBACK, TRUNCATED, Evidence, source_id
from shared.reconcile.readback import KeyIndex, read_all_keys, read_by_keys
from shared.reconcile.report import Difference, Reconciliation, ResourceAccount, TableResult
from shared.reconcile.shape import read_shape


@dataclass(frozen=True)
class Scope:
    """Which table maps, and in sample mode which keys of them (`keys` None: every staged row, plus extras)."""
    tables: list[TableMap]
    keys: dict[str, set[str]] | None = None

    @classmethod
    def of(cls, map_file: MapFile, staged: dict[str, list[StagedRow]], tables: list[str] | None = None,
           sample: dict[str, list[str]] | None = None) -> "Scope":
        wanted = set(sample) if sample is not None else set(tables) if tables is not None else set(staged)
        unknown = sorted(wanted - {table.name for table in map_file.tables})
        if unknown:
            raise ValueError(f"map {map_file.version} has no table maps {unknown}")
        chosen = [table for table in map_file.tables if table.name in wanted]
        return cls(chosen, {name: set(keys) for name, keys in sample.items()} if sample is not None else None)


def reconcile(client: DataverseClient, migration_id: str, map_file: MapFile, staged: dict[str, list[StagedRow]],
              evidence: Evidence, scope: Scope) -> Reconciliation:
    shape = read_shape(client, {table.target.logical_name for table in scope.tables})
    index = KeyIndex(client, shape.primary_ids)
    results: list[TableResult] = []
    found_keys: dict[str, set[str]] = {}
    for table in scope.tables:
        rows = _in_scope(staged.get(table.name, []), scope.keys, table.name)
        table_shape = shape.tables[table.target.logical_name]
        wanted = {row.key for row in rows} | (scope.keys or {}).get(table.name, set())
        actual = read_by_keys(client, table.target.entity_set, table.target.key_column, wanted,
                              columns_to_read(table, table_shape, rows))
        index.know(table.target.entity_set, table.target.key_column,
                   {key: str(row[table.target.primary_id]).lower() for key, row in actual.items()})
        resolve_binds(rows, index)
        comparison = compare_table(table, table_shape, rows, actual, index)
        if scope.keys is not None:  # asked for, present, but not staged: Dataverse holds what the map does not say
            staged_keys = {row.key for row in rows}
            comparison.differences += [Difference(kind="extra", key=key) for key in sorted(set(actual) - staged_keys)]
        found_keys[table.name] = comparison.found
        results.append(_result(table, rows, comparison, evidence))
    if scope.keys is None:
        _add_extras(client, map_file, scope.tables, staged, results, shape.primary_ids)
    for table, result in zip(scope.tables, results):
        for difference in result.differences:
            difference.explained_by = evidence.explain(table, difference)
    accounts = _accounts(map_file, scope, staged, found_keys, evidence) if scope.keys is None else []
    return Reconciliation(migration_id=migration_id, map_version=map_file.version,
                          mode="full" if scope.keys is None else "sample", tables=results, resources=accounts)


def _in_scope(rows: list[StagedRow], keys: dict[str, set[str]] | None, name: str) -> list[StagedRow]:
    return rows if keys is None else [row for row in rows if row.key in keys.get(name, set())]


def _result(table: TableMap, rows: list[StagedRow], comparison: Comparison, evidence: Evidence) -> TableResult:
    last = [evidence.outcome(table.target.entity_set, row.key) for row in rows]
    failed = sum(outcome is not None and outcome.action == "failed" for outcome in last)
    tally = evidence.report.resources.get(table.source)
    return TableResult(
        name=table.name, resource=table.source, entity_set=table.target.entity_set,
        source_records=tally.source if tally else 0, staged=len(rows), found=len(comparison.found),
        loaded=sum(outcome is not None and outcome.action != "failed" for outcome in last), failed=failed,
        reported=len(evidence.errors_on(table)) + failed, owner_fallbacks=evidence.count(table, OWNER_FALLBACK),
        truncations=evidence.count(table, TRUNCATED), differences=comparison.differences,
        digests=comparison.digests)


def _add_extras(client: DataverseClient, map_file: MapFile, tables: list[TableMap],
                staged: dict[str, list[StagedRow]], results: list[TableResult], primary_ids: dict[str, str]) -> None:
    """Rows of the reconciled tables that carry a Clio key no staged row of any table map explains. Each goes to
    the table map whose key prefix it has (the longest; the first in map order where two share one)."""
    by_set: dict[tuple[str, str], list[int]] = defaultdict(list)
    for position, table in enumerate(tables):
        by_set[(table.target.entity_set, table.target.key_column)].append(position)
    explained: dict[str, set[str]] = defaultdict(set)
    writers = {table.name: table.target.entity_set for table in map_file.tables}
    for name, rows in staged.items():
        explained[writers.get(name, "")].update(row.key for row in rows)
    for (entity_set, key_column), positions in by_set.items():
        present = read_all_keys(client, entity_set, key_column, primary_ids[entity_set])
        for key in sorted(set(present) - explained[entity_set]):
            owners = [p for p in positions if key.startswith(tables[p].key_prefix)]
            if owners:
                owner = max(owners, key=lambda p: (len(tables[p].key_prefix), -p))
                results[owner].differences.append(Difference(kind="extra", key=key))


def _accounts(map_file: MapFile, scope: Scope, staged: dict[str, list[StagedRow]], found: dict[str, set[str]],
              evidence: Evidence) -> list[ResourceAccount]:
    """Per Clio resource whose table maps were all reconciled: records loaded (every row found), reported (kept
    out by a dry-run error, or a row failed in the loader) and reference data."""
    chosen = {table.name for table in scope.tables}
    accounts = []
    for resource, tally in sorted(evidence.report.resources.items()):
        tables = [table for table in map_file.tables if table.source == resource]
        if any(table.name not in chosen for table in tables):
            continue
        reported = evidence.reported_ids(resource)
        complete: dict[str, bool] = {}
        for table in tables:
            for row in staged.get(table.name, []):
                record = source_id(table, row.key)
                if evidence.failed(table.target.entity_set, row.key):
                    reported.add(record)
                complete[record] = complete.get(record, True) and row.key in found[table.name]
        loaded = {record for record, whole in complete.items() if whole} - reported
        accounts.append(ResourceAccount(resource=resource, source=tally.source, loaded=len(loaded),
                                        reported=len(reported), reference=tally.referenced))
    return accounts
