"""The reconciliation's result: per table map and per Clio resource, every difference with what explains it (a
dry-run report line or a loader outcome) if anything does, and the totals; as JSON and as a small HTML page."""
from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import BaseModel, Field, computed_field

from shared.html_report import page, table

DifferenceKind = Literal["missing", "mismatch", "orphan", "extra"]
_HTML_DIFFERENCES = 2000


class Difference(BaseModel):
    kind: DifferenceKind
    key: str  # the Clio key (key column value)
    field: str | None = None  # the staged value's name (a column, or `<navigation>@odata.bind`)
    expected: str | None = None  # canonical; for an orphan, the bind whose target has no row
    actual: str | None = None  # canonical
    explained_by: str | None = None


class FieldDigest(BaseModel):
    """SHA-256 over the sorted canonical (key, value) pairs of one field, computed on each side on its own."""
    rows: int
    expected: str
    actual: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def equal(self) -> bool:
        return self.expected == self.actual


class TableResult(BaseModel):
    name: str  # the table map
    resource: str
    entity_set: str
    source_records: int = 0  # of the resource, from the dry-run tallies
    staged: int = 0
    found: int = 0
    loaded: int = 0  # the loader's last outcome for the key: created, updated or unchanged
    failed: int = 0  # the loader's last outcome for the key: failed
    reported: int = 0  # kept out with a reason: a dry-run error for this table map, or failed in the loader
    owner_fallbacks: int = 0
    truncations: int = 0
    differences: list[Difference] = Field(default_factory=list)
    digests: dict[str, FieldDigest] = Field(default_factory=dict)

    def count(self, kind: DifferenceKind, explained: bool | None = None) -> int:
        return sum(d.kind == kind and (explained is None or (d.explained_by is not None) == explained)
                   for d in self.differences)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unexplained(self) -> int:
        return sum(d.explained_by is None for d in self.differences)


class ResourceAccount(BaseModel):
    """source == loaded + reported + reference, per Clio resource (full reconciliation only)."""
    resource: str
    source: int
    loaded: int  # records all of whose rows are in Dataverse
    reported: int  # records kept out by a dry-run error or with a row the loader failed
    reference: int  # reference data the map uses otherwise (users, practice areas, ...)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unaccounted(self) -> int:
        return self.source - self.loaded - self.reported - self.reference


class Totals(BaseModel):
    staged: int
    found: int
    missing: int
    mismatches: int
    orphans: int
    extra: int
    explained: int
    unexplained: int
    unaccounted_records: int


class Reconciliation(BaseModel):
    migration_id: str
    map_version: str
    mode: Literal["full", "sample"]
    tables: list[TableResult]
    resources: list[ResourceAccount] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def totals(self) -> Totals:
        kinds = Counter(d.kind for t in self.tables for d in t.differences)
        unexplained = sum(t.unexplained for t in self.tables)
        return Totals(staged=sum(t.staged for t in self.tables), found=sum(t.found for t in self.tables),
                      missing=kinds["missing"], mismatches=kinds["mismatch"], orphans=kinds["orphan"],
                      extra=kinds["extra"], explained=sum(kinds.values()) - unexplained, unexplained=unexplained,
                      unaccounted_records=sum(abs(r.unaccounted) for r in self.resources))


def merged(parts: list[Reconciliation], order: list[str]) -> Reconciliation:
    """One full reconciliation from the parts reconciled group by group (each group whole: its resources and entity
    sets are in no other part), table maps in `order`; a resource no table map draws from is in every part."""
    position = {name: number for number, name in enumerate(order)}
    tables = sorted((t for part in parts for t in part.tables), key=lambda t: position.get(t.name, len(order)))
    resources = {r.resource: r for part in parts for r in part.resources}
    return Reconciliation(migration_id=parts[0].migration_id, map_version=parts[0].map_version, mode="full",
                          tables=tables, resources=[resources[name] for name in sorted(resources)])


def to_json(result: Reconciliation) -> str:
    return result.model_dump_json(indent=1)


def to_html(result: Reconciliation) -> str:
    totals = result.totals
    title = (f"Reconciliation, map {result.map_version}" if result.mode == "full"
             else f"Sample diff, map {result.map_version}")
    verdict = ("Nothing unexplained: every staged row is in Dataverse as the map says, and nothing else carries a "
               "Clio key." if totals.unexplained == 0 and totals.unaccounted_records == 0
               else f"{totals.unexplained} unexplained differences; {totals.unaccounted_records} Clio records "
                    "unaccounted for.")
    tables = table(["table map", "entity set", "Clio records", "staged", "loaded", "reported", "found", "missing",
                    "mismatches", "orphan lookups", "extra", "owner fallbacks", "truncated", "unexplained"],
                   ([t.name, t.entity_set, t.source_records, t.staged, t.loaded, t.reported, t.found,
                     t.count("missing"), t.count("mismatch"), t.count("orphan"), t.count("extra"), t.owner_fallbacks,
                     t.truncations, t.unexplained] for t in result.tables))
    resources = table(["Clio resource", "records", "loaded", "reported", "reference data", "unaccounted"],
                      ([r.resource, r.source, r.loaded, r.reported, r.reference, r.unaccounted]
                       for r in result.resources))
    digests = table(["table map", "field", "rows", "expected SHA-256", "Dataverse SHA-256", "equal"],
                    ([t.name, name, d.rows, d.expected[:16], d.actual[:16], "yes" if d.equal else "NO"]
                     for t in result.tables for name, d in sorted(t.digests.items())))
    ordered = sorted(((t.name, d) for t in result.tables for d in t.differences),
                     key=lambda item: item[1].explained_by is not None)  # unexplained first
    shown = ordered[:_HTML_DIFFERENCES]
    differences = table(["kind", "table map", "Clio key", "field", "expected", "in Dataverse", "explained by"],
                        ([d.kind, name, d.key, d.field or "", d.expected or "", d.actual or "",
                          d.explained_by or "UNEXPLAINED"] for name, d in shown))
    more = f"<p>{len(ordered) - len(shown)} more differences in the JSON report.</p>" \
        if len(ordered) > len(shown) else ""
    accounts = f"<h2>Clio records</h2>{resources}" if result.resources else ""
    return page(title, f"<p>{verdict}</p><h2>Tables</h2>{tables}{accounts}<h2>Differences</h2>{differences}{more}"
                       f"<h2>Field digests</h2>{digests}")
