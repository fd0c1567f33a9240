"""The dry run: every extracted record through the map and the target-schema checks, with no Dataverse call. It
accounts for every source record — loadable, kept out by an error, or matched by no rule of the map — and writes
the rows the loader would send, a JSON report and a readable HTML page."""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from shared.html_report import page, table
from shared.mapping.engine import CompiledMap, MappedRow, ReportLine
from shared.mapping.target_schema import SchemaSnapshot, validate
from shared.mapping.users import UserResolution

_HTML_LINES = 2000


@dataclass
class Tally:
    source: int = 0
    loadable: int = 0
    errors: int = 0
    not_mapped: int = 0
    referenced: int = 0  # a reference resource (the map says what it is used for instead of rows)

    @property
    def accounted(self) -> bool:
        return self.loadable + self.errors + self.not_mapped + self.referenced == self.source


@dataclass
class DryRun:
    map_version: str
    tallies: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    rows: dict[str, list[MappedRow]] = field(default_factory=lambda: defaultdict(list))  # loadable, by table map
    loadable_rows: Counter[str] = field(default_factory=Counter)
    lines: list[ReportLine] = field(default_factory=list)
    users: UserResolution | None = None
    references: dict[str, str] = field(default_factory=dict)


RowSink = Callable[[MappedRow], None]


def dry_run(records: Iterable[tuple[str, dict[str, Any]]], compiled: CompiledMap, snapshot: SchemaSnapshot,
            users: UserResolution | None = None, sink: RowSink | None = None) -> DryRun:
    """`sink` receives each loadable row (streaming, for large firms); without one they are kept in the result."""
    result = DryRun(compiled.version, users=users, references=compiled.references)
    targets = {table.table.name: table.table.target.entity_set for table in compiled.tables}
    tables_of: dict[str, list[Any]] = {}
    for resource, record in records:
        tally = result.tallies[resource]
        tally.source += 1
        tables = tables_of.setdefault(resource, compiled.for_resource(resource))
        rows = [row for table in tables if (row := table.map(record)) is not None]
        if not rows and not tables and resource in compiled.references:
            tally.referenced += 1
            continue
        if not rows:
            tally.not_mapped += 1
            result.lines.append(ReportLine(resource, str(record.get("id")), "-", "*", "error", "NOT_MAPPED",
                                           f"map {compiled.version} has no rule for this {resource} record"))
            continue
        failed = False
        for row in rows:
            row.problems.extend(validate(row, targets[row.table], snapshot, resource))
            result.lines.extend(row.problems)
            if row.loadable:
                result.loadable_rows[row.table] += 1
                if sink is not None:
                    sink(row)
                else:
                    result.rows[row.table].append(row)
            else:
                failed = True
        if failed:
            tally.errors += 1
        else:
            tally.loadable += 1
    return result


def staged_line(row: MappedRow) -> str:
    """A row as the loader takes it (one JSON line)."""
    return json.dumps({"key": row.key, "values": row.values, "lineage": row.lineage}, ensure_ascii=False)


def write(result: DryRun, folder: Path) -> dict[str, Any]:
    """Rows per table as the loader takes them (JSON lines), `report.json` and `report.html`."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in result.rows.items():
        (folder / f"{table}.jsonl").write_text("".join(staged_line(row) + "\n" for row in rows), encoding="utf-8")
    summary, report_json, report_html = reports(result)
    (folder / "report.json").write_text(report_json)
    (folder / "report.html").write_text(report_html, encoding="utf-8")
    return summary


def reports(result: DryRun) -> tuple[dict[str, Any], str, str]:
    """The summary, the full JSON report and the HTML page."""
    summary = {"map_version": result.map_version,
               "resources": {name: {**asdict(tally), "accounted": tally.accounted}
                             for name, tally in sorted(result.tallies.items())},
               "rows": dict(sorted(result.loadable_rows.items())),
               "references": {name: purpose for name, purpose in sorted(result.references.items())
                              if name in result.tallies},
               "problems": dict(Counter(f"{line.severity}:{line.code}" for line in result.lines)),
               "users": {"fallback_owner": result.users.fallback_email if result.users else None,
                         "unmatched": result.users.unmatched if result.users else []}}
    report = {**summary, "lines": [asdict(line) for line in result.lines]}
    return summary, json.dumps(report, ensure_ascii=False, indent=1, default=str), _html(summary, result.lines)


def _html(summary: dict[str, Any], lines: list[ReportLine]) -> str:
    resources = table(["Clio resource", "records", "loadable", "kept out (error)", "no rule", "reference data",
                        "all accounted"],
                       ([name, t["source"], t["loadable"], t["errors"], t["not_mapped"], t["referenced"],
                         "yes" if t["accounted"] else "NO"] for name, t in summary["resources"].items()))
    used_for = table(["Clio resource", "used for"], summary["references"].items())
    users = table(["Clio user", "email", "why no owner", "records go to"],
                   ([u["name"], u["email"], u["reason"], summary["users"]["fallback_owner"] or "nobody (error)"]
                    for u in summary["users"]["unmatched"]))
    shown = lines[:_HTML_LINES]
    problems = table(["severity", "code", "resource", "Clio id", "map row", "field", "what"],
                      ([l.severity, l.code, l.resource, l.source_id, l.table, l.field, l.message] for l in shown))
    more = f"<p>{len(lines) - len(shown)} more lines in report.json.</p>" if len(lines) > len(shown) else ""
    return page(f"Dry run, map {summary['map_version']}",
                f"<p>No record was written. Every Clio record is loadable, kept out by an error, matched by no "
                f"rule, or reference data the map uses otherwise.</p><h2>Records</h2>{resources}"
                f"<h2>Reference data</h2>{used_for}<h2>Users without an enabled Dynamics user</h2>{users}"
                f"<h2>Problems</h2>{problems}{more}")
