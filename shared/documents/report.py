"""The documents report: every planned document's outcome, every line about a document or folder, the document
locations, and a summary that accounts for each Clio document exactly once (moved, unchanged, failed, or not
moved with its reason)."""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

from shared.dataverse.loader import RowOutcome
from shared.documents.models import DocumentLine
from shared.documents.mover import MoveOutcome
from shared.html_report import page, table

_HTML_LINES = 500


def documents_report(outcomes: list[MoveOutcome], lines: list[DocumentLine],
                     locations: list[RowOutcome]) -> tuple[dict[str, Any], str, str]:
    actions = Counter(o.action for o in outcomes)
    kept_out = {line.document_id for line in lines if line.severity == "error" and line.document_id is not None}
    not_moved = sorted(kept_out - {o.document_id for o in outcomes})
    summary: dict[str, Any] = {
        "documents": len(outcomes) + len(not_moved),
        **{action: actions.get(action, 0) for action in ("created", "updated", "unchanged", "failed")},
        "not_moved": len(not_moved),
        "bytes_moved": sum(o.size or 0 for o in outcomes if o.action in ("created", "updated")),
        "clio_requests": sum(o.clio_requests for o in outcomes),
        "locations": dict(Counter(o.action for o in locations)),
        "lines": dict(Counter(f"{line.severity}:{line.code}" for line in lines)),
    }
    failed = [o for o in outcomes if o.action == "failed"]
    report = {"summary": summary, "failed": [o.model_dump() for o in failed],
              "lines": [line.model_dump() for line in lines], "documents": [o.model_dump() for o in outcomes]}
    shown = lines[:_HTML_LINES]
    body = (f"<p>{summary['documents']} Clio documents: {summary['created']} created, {summary['updated']} "
            f"updated, {summary['unchanged']} already in place, {summary['failed']} failed, "
            f"{summary['not_moved']} not moved (see the reasons below).</p>"
            + table(["Clio document", "path", "why it failed"], ([o.document_id, o.path, o.reason] for o in failed))
            + "<h2>Lines</h2>"
            + table(["severity", "code", "Clio document", "path", "what"],
                    ([line.severity, line.code, line.document_id or "", line.path or "", line.reason]
                     for line in shown))
            + (f"<p>{len(lines) - len(shown)} more lines in report.json.</p>" if len(lines) > len(shown) else ""))
    return summary, json.dumps(report, ensure_ascii=False, indent=1, default=str), page("Documents", body)
