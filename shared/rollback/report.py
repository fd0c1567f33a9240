"""The rollback report: per table, how many rows (files, folders, schema components) ended each way, and a line
for every one that needs a person's eye — kept because someone edited it, kept for another reason, forced, or
failed with Dataverse's (or Graph's) code and message."""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

from shared.html_report import page, table
from shared.rollback.models import OutcomeLine, RollbackRequest

_ATTENTION = ("kept-edited", "kept", "forced", "would-force", "failed")
_HTML_LINES = 500


def rollback_report(request: RollbackRequest, run: str, lines: list[OutcomeLine]) -> tuple[dict[str, Any], str, str]:
    per_table: dict[str, Counter[str]] = defaultdict(Counter)
    for line in lines:
        per_table[line.table][line.outcome] += 1
    totals = Counter(line.outcome for line in lines)
    summary: dict[str, Any] = {"migration_id": request.migration_id, "run": run, "dry_run": request.dry_run,
                               "force": request.force, "remove_schema": request.remove_schema,
                               "totals": dict(sorted(totals.items())),
                               "tables": {name: dict(sorted(counts.items())) for name, counts in sorted(per_table.items())}}
    attention = [line for line in lines if line.outcome in _ATTENTION]
    report = {"summary": summary, "attention": [line.model_dump() for line in attention],
              "lines": [line.model_dump() for line in lines]}
    outcomes = sorted(totals)
    shown = attention[:_HTML_LINES]
    mode = "Dry run: nothing was written; this is what a rollback would do." if request.dry_run else \
        "Rollback carried out."
    body = (f"<p>{mode} Run {run}; force {'on' if request.force else 'off'}; schema removal "
            f"{'on' if request.remove_schema else 'off'}.</p>"
            + table(["table", *outcomes], ([name, *(counts.get(o, 0) for o in outcomes)]
                                           for name, counts in sorted(per_table.items())))
            + "<h2>Needs attention</h2>"
            + table(["table", "key", "outcome", "id", "columns", "code", "why"],
                    ([line.table, line.key, line.outcome, line.dataverse_id or "", ", ".join(line.columns),
                      line.code or "", line.message or ""] for line in shown))
            + (f"<p>{len(attention) - len(shown)} more lines in report.json.</p>" if len(attention) > len(shown)
               else ""))
    title = f"Rollback of {request.migration_id}" + (" (dry run)" if request.dry_run else "")
    return summary, json.dumps(report, ensure_ascii=False, indent=1), page(title, body)
