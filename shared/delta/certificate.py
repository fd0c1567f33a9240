"""The delta certificate: what delta pickup did over a migration's window, from the ticks' summaries and delete
lines — per Dataverse table the rows created, updated, unchanged and failed by the ticks' loads and those made
inactive or deleted (from webhooks or the final sweep), every delete with its Clio record, the last tick and
sweep, the watermark, and everything that failed with its reason."""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from shared.delta.models import DeleteLine, TickSummary
from shared.delta.window import DeltaWindow
from shared.html_report import page, table

_LOAD_COLUMNS = ("created", "updated", "unchanged", "failed")
_DELETE_COLUMNS = ("deactivated", "deleted", "failed")
_LISTED = (*_DELETE_COLUMNS, "kept")  # the delete lines a certificate lists one by one
_HTML_LINES = 500
# What delta pickup does not do, said on every certificate so nobody reads more into it.
LIMITS = (
    "Documents and folders changed in Clio are counted on the ticks but not moved: the document stage runs once.",
    "Whether editing a record's nested children (addresses, custom field values, line items) bumps its updated_at "
    "is undocumented (clio.md §6, §12): a change Clio does not date is not picked up.",
    "A record whose change moves it to another table (a matter whose practice area now makes it a case) gets the "
    "new row; the old one stays.",
)


class Certificate(BaseModel):
    migration_id: str
    written_at: datetime
    final: bool  # the window has closed, its last tick went through and its sweep listed every stream to the end
    opens_at: datetime
    closes_at: datetime
    ticks: int
    last_tick_at: datetime | None
    last_sweep_at: datetime | None
    watermark: datetime | None
    tables: dict[str, dict[str, int]]  # entity set -> created/updated/unchanged/failed (loads), deactivated/deleted
    deletes_by_source: dict[str, dict[str, int]]  # webhook|sweep -> outcome -> rows
    changed: dict[str, int]  # records extracted per stream, over all ticks
    webhook_events: dict[str, int]
    unfiltered_streams: list[str]
    sweep: dict[str, Any] | None
    deletes: list[DeleteLine]  # every delete that did something, was refused, or left a row of the org's as it was
    failures: list[str]
    limits: list[str] = Field(default_factory=lambda: list(LIMITS))


def certificate(window: DeltaWindow, written_at: datetime, summaries: list[TickSummary],
                lines: list[DeleteLine], entity_sets: dict[str, str], final: bool) -> Certificate:
    """`entity_sets`: table map -> the entity set it loads (the map's)."""
    tables: dict[str, Counter[str]] = defaultdict(Counter)
    for summary in summaries:
        for name, totals in summary.loads.items():
            tables[entity_sets.get(name, name)].update({k: totals.get(k, 0) for k in _LOAD_COLUMNS})
    done = [line for line in lines if line.outcome in _LISTED]
    by_source: dict[str, Counter[str]] = defaultdict(Counter)
    for line in lines:
        by_source[line.source][line.outcome] += 1
    for line in done:
        if line.outcome in _DELETE_COLUMNS:
            tables[line.entity_set][line.outcome] += 1
    changed: Counter[str] = Counter()
    events: Counter[str] = Counter()
    for summary in summaries:
        changed.update(summary.changed)
        events.update(summary.webhook_events)
    last = summaries[-1] if summaries else None
    return Certificate(
        migration_id=window.migration_id, written_at=written_at, final=final, opens_at=window.opens_at,
        closes_at=window.closes_at, ticks=len(summaries), last_tick_at=last.at if last else None,
        last_sweep_at=max((s.at for s in summaries if s.sweep), default=None),
        watermark=max((s.watermark for s in summaries if s.watermark), default=window.watermark),
        tables={name: dict(sorted(counts.items())) for name, counts in sorted(tables.items())},
        deletes_by_source={name: dict(sorted(counts.items())) for name, counts in sorted(by_source.items())},
        changed=dict(sorted(changed.items())), webhook_events=dict(sorted(events.items())),
        unfiltered_streams=sorted({s for summary in summaries for s in summary.unfiltered_streams}),
        sweep=next((s.sweep for s in reversed(summaries) if s.sweep), None), deletes=done,
        failures=[f"tick {s.tick}: {failure}" for s in summaries for failure in s.failures])


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "never"


def certificate_html(cert: Certificate) -> str:
    columns = [*_LOAD_COLUMNS[:3], "deactivated", "deleted", "failed"]
    state = "Final: the window has closed, its last tick went through and its sweep listed every stream." \
        if cert.final else "Not final: the last tick or the sweep did not go through (see Failures); the next " \
                           "timer tick tries again."
    shown = cert.deletes[:_HTML_LINES]
    events = ", ".join(f"{n} {event}" for event, n in cert.webhook_events.items()) or "none"
    sweep = cert.sweep or {}
    swept = (f"<p>The sweep listed {sum(sweep.get('listed', {}).values())} Clio ids; not compared (not listed to the "
             f"end, or listed empty): {', '.join(sweep.get('incomplete', [])) or 'none'}.</p>") if cert.sweep else ""
    unfiltered = (f"<p>Read whole every tick (Clio cannot filter them by updated_since): "
                  f"{', '.join(cert.unfiltered_streams)}.</p>") if cert.unfiltered_streams else ""
    body = (f"<p>{state} Window {_when(cert.opens_at)} to {_when(cert.closes_at)}; {cert.ticks} ticks, the last "
            f"{_when(cert.last_tick_at)}; last sweep {_when(cert.last_sweep_at)}; watermark {_when(cert.watermark)}. "
            f"Webhook deliveries taken: {events}."
            f"</p>{swept}{unfiltered}<h2>Rows per table</h2>"
            + table(["table", *columns], ([name, *(counts.get(c, 0) for c in columns)]
                                          for name, counts in cert.tables.items()))
            + "<h2>Deletes by where they came from</h2>"
            + table(["source", "outcome", "rows"], ([source, outcome, n] for source, counts in
                                                     cert.deletes_by_source.items() for outcome, n in counts.items()))
            + "<h2>Deleted or made inactive</h2>"
            + table(["source", "Clio", "table", "key", "outcome", "how", "id", "why"],
                    ([d.source, f"{d.resource} {d.clio_id}", d.entity_set, d.key, d.outcome, d.how or "",
                      d.dataverse_id or "", " ".join(filter(None, [d.code, d.message]))] for d in shown))
            + (f"<p>{len(cert.deletes) - len(shown)} more in certificate.json.</p>"
               if len(cert.deletes) > len(shown) else "")
            + "<h2>Changed in Clio (records read per stream)</h2>"
            + table(["stream", "records"], cert.changed.items())
            + "<h2>Failures</h2>" + table(["what"], ([failure] for failure in cert.failures))
            + "<h2>What delta pickup does not do</h2>" + table(["limit"], ([limit] for limit in cert.limits)))
    return page(f"Delta certificate of {cert.migration_id}", body)


def certificate_json(cert: Certificate) -> str:
    return json.dumps(cert.model_dump(mode="json"), ensure_ascii=False, indent=1)
