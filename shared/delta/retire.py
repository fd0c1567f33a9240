"""Applying Clio deletes to the rows made from the deleted records: each row is made inactive (shared/delta/
states.py) or deleted, as DELTA_DELETE_MODE says, and every such write is in the write ledger like the loader's —
an intent page with the row's before-image before the call, a done page (action "deactivated" or "deleted", the
row's versionnumber after it) once it went through — so a rollback knows the row was ours and finds it as we left
it. Only rows the ledger says we wrote are touched. Running it again changes nothing: a key whose last write was
already its retirement is reported so, a row found already inactive or gone is left so.

Rows go children first (the load order reversed). In delete mode two kinds of row are made inactive instead: one
that other rows still point at (shared/delta/dependents.py), since deleting it would cascade into rows whose
records live on, and one that was in Dataverse before the migration (the ledger's origin "pre-existing"): a
migration removes only what it made, and a rollback puts such a row back by restoring its before-image. Such a row
in a table without states (notes, invoice lines) is kept, and reported so."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from shared.dataverse.client import BatchAnswer, BatchOperation, DataverseClient
from shared.dataverse.loader import TableTarget
from shared.delta.dependents import Dependents
from shared.delta.landing import Landing
from shared.delta.models import DeleteLine, DeleteOutcome, DeleteSource
from shared.delta.states import Inactive, deactivation, inactive_state
from shared.ledger import LedgerRow, LedgerWrite, WriteLedger
from shared.mapping.load_order import load_order
from shared.mapping.model import MapFile
from shared.rollback.current import rows_where
from shared.settings import Settings

# ledger action -> the outcome when its key is seen again
RETIRED: dict[str, DeleteOutcome] = {"deactivated": "already-inactive", "deleted": "already-gone"}
_OPERATIONS_PER_BATCH = 500
Mode = Literal["deactivate", "delete"]
Retirement = Literal["deactivated", "deleted"]  # the ledger action of a retired row
Row = dict[str, Any]
Done = tuple[Landing, Row, Retirement]


class Retirer:
    def __init__(self, client: DataverseClient, settings: Settings, migration_id: str, map_file: MapFile,
                 mode: Mode, batch_id: str) -> None:
        self.client = client
        self.settings = settings
        self.migration_id = migration_id
        self.map_file = map_file
        self.mode = mode
        self.batch_id = batch_id
        self.custom_tables = {spec.logical_name for spec in map_file.target_schema.tables}
        self.dependents = Dependents(client, map_file)

    def retire(self, landings: Iterable[Landing], source: DeleteSource) -> list[DeleteLine]:
        by_set: dict[str, list[Landing]] = {}
        for landing in landings:
            by_set.setdefault(landing.target.entity_set, []).append(landing)
        order = [entity_set for level in reversed(load_order(self.map_file).levels) for entity_set in level]
        lines: list[DeleteLine] = []
        for entity_set in sorted(by_set, key=lambda name: order.index(name) if name in order else -1):
            lines += _Table(self, by_set[entity_set][0].target, source).retire(by_set[entity_set])
        # A deleted record is looked for in every table its resource can land in (a webhook names no contact
        # type); "not loaded" is news only when it holds for all of them.
        ours = {(line.resource, line.clio_id) for line in lines if line.outcome != "not-loaded"}
        return [line for line in lines if line.outcome != "not-loaded" or (line.resource, line.clio_id) not in ours]


class _Table:
    """One entity set's retirements."""

    def __init__(self, retirer: Retirer, target: TableTarget, source: DeleteSource) -> None:
        self.r = retirer
        self.target = target
        self.source = source
        self.ledger = WriteLedger(retirer.settings, retirer.migration_id, target.entity_set)
        self.inactive = inactive_state(target.logical_name, retirer.custom_tables)

    def _line(self, landing: Landing, outcome: DeleteOutcome, **detail: Any) -> DeleteLine:
        return DeleteLine(source=self.source, resource=landing.resource, clio_id=landing.clio_id,
                          entity_set=self.target.entity_set, key=landing.key, outcome=outcome, **detail)

    def retire(self, landings: list[Landing]) -> list[DeleteLine]:
        known = self.ledger.rows()
        lines: list[DeleteLine] = []
        ours: list[Landing] = []
        for landing in {landing.key: landing for landing in landings}.values():
            written = known.get(landing.key)
            if written is None:
                lines.append(self._line(landing, "not-loaded", message="the ledger has no write of ours for it"))
            elif written.last_action in RETIRED:
                lines.append(self._line(landing, RETIRED[written.last_action], dataverse_id=written.dataverse_id,
                                        message="retired by an earlier run"))
            else:
                ours.append(landing)
        current = {str(row[self.target.key_column]): row for row in rows_where(
            self.r.client, self.target.entity_set, self.target.key_column, [landing.key for landing in ours])}
        lines += [self._line(landing, "already-gone", message="not in Dataverse")
                  for landing in ours if landing.key not in current]
        present = [landing for landing in ours if landing.key in current]
        if self.inactive.kind == "none":  # a migration removes only what it made
            theirs = [landing for landing in present if known[landing.key].origin == "pre-existing"]
            lines += [self._line(landing, "kept", dataverse_id=str(current[landing.key][self.target.primary_id]),
                                 message="it was in Dataverse before the migration and has no inactive state")
                      for landing in theirs]
            present = [landing for landing in present if landing not in theirs]
        deleting, why_kept = self._split(present, current, known)
        deactivating = [landing for landing in present if landing.key in why_kept]
        closed = [landing for landing in deactivating if current[landing.key].get("statecode") not in (0, None)]
        lines += self._record_done([(landing, current[landing.key], "deactivated") for landing in closed], known,
                                   outcome="already-inactive", message="found closed in Dataverse")
        writes: list[tuple[Landing, Retirement]] = [(landing, "deleted") for landing in deleting]
        writes += [(landing, "deactivated") for landing in deactivating if landing not in closed]
        return lines + self._write(writes, current, known, why_kept)

    def _split(self, present: list[Landing], current: dict[str, Row],
               known: dict[str, LedgerRow]) -> tuple[list[Landing], dict[str, str]]:
        """(rows to delete, rows to make inactive with why when the mode said delete)."""
        if self.inactive.kind == "none":
            return present, {}
        if self.r.mode == "deactivate":
            return [], {landing.key: "" for landing in present}
        kept = {landing.key: "it was in Dataverse before the migration (a rollback puts it back as it was)"
                for landing in present if known[landing.key].origin == "pre-existing"}
        ids = {landing.key: str(current[landing.key][self.target.primary_id]) for landing in present}
        pointed = self.r.dependents.pointed_at(self.target.entity_set, [ids[key] for key in ids if key not in kept])
        kept |= {key: "other rows point at it" for key, row_id in ids.items() if row_id.lower() in pointed}
        return [landing for landing in present if landing.key not in kept], kept

    def _operation(self, row_id: str, action: Retirement) -> BatchOperation:
        if action == "deleted":
            return BatchOperation("DELETE", f"{self.target.entity_set}({row_id})")
        return deactivation(self.target.entity_set, row_id, self.inactive)

    def _how(self, action: Retirement, why_kept: str) -> str:
        if action == "deactivated":
            return f"{self.inactive.how}: {why_kept}, so not deleted" if why_kept else self.inactive.how
        return "delete" if self.inactive.kind != "none" else self.inactive.how

    def _write(self, writes: list[tuple[Landing, Retirement]], current: dict[str, Row], known: dict[str, LedgerRow],
               why_kept: dict[str, str]) -> list[DeleteLine]:
        if not writes:
            return []
        primary = self.target.primary_id
        self.ledger.record(self.r.batch_id, [
            LedgerWrite(landing.key, "intent", known[landing.key].content_hash, dataverse_id=str(current[
                landing.key][primary]), before_image=current[landing.key]) for landing, _ in writes])
        operations = [self._operation(str(current[landing.key][primary]), action) for landing, action in writes]
        answers: list[BatchAnswer] = []
        for start in range(0, len(operations), _OPERATIONS_PER_BATCH):
            answers += self.r.client.batch(operations[start:start + _OPERATIONS_PER_BATCH])
        lines: list[DeleteLine] = []
        done: list[Done] = []
        for (landing, action), answer in zip(writes, answers, strict=True):
            row_id = str(current[landing.key][primary])
            if answer.status == 404 and action == "deleted":
                lines.append(self._line(landing, "already-gone", dataverse_id=row_id, message="not in Dataverse"))
            elif answer.status >= 400:
                code, message = answer.error
                lines.append(self._line(landing, "failed", dataverse_id=row_id,
                                        how=self._how(action, why_kept.get(landing.key, "")), code=code,
                                        message=message or f"HTTP {answer.status}"))
            else:
                done.append((landing, current[landing.key], action))
        by_how: dict[tuple[Retirement, str], list[Done]] = {}
        for landing, row, action in done:
            by_how.setdefault((action, self._how(action, why_kept.get(landing.key, ""))), []).append(
                (landing, row, action))
        for (action, how), entries in sorted(by_how.items()):
            lines += self._record_done(entries, known, outcome=action, how=how)
        return lines

    def _record_done(self, done: list[Done], known: dict[str, LedgerRow], outcome: DeleteOutcome,
                     **detail: Any) -> list[DeleteLine]:
        """Done pages for rows now retired, with the versionnumber each has now (none for a deleted row)."""
        if not done:
            return []
        primary = self.target.primary_id
        ids = [str(row[primary]) for _, row, action in done if action == "deactivated"]
        versions = {str(row[primary]).lower(): str(row.get("versionnumber")) for row in rows_where(
            self.r.client, self.target.entity_set, primary, ids, select=f"{primary},versionnumber")} if ids else {}
        self.ledger.record(self.r.batch_id, [
            LedgerWrite(landing.key, action, known[landing.key].content_hash, dataverse_id=str(row[primary]),
                        version=versions.get(str(row[primary]).lower())) for landing, row, action in done])
        return [self._line(landing, outcome, dataverse_id=str(row[primary]), **detail) for landing, row, _ in done]
