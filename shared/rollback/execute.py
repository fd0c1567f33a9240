"""Carrying out a chunk of a table's plan: restores and deletes in `$batch` requests with continue-on-error, so one
bad row never blocks the others (each row's restore is one changeset); requests in parallel up to the service's
`x-ms-dop-hint`, a 429's Retry-After waited out by the client for every sender. Each row ends with its outcome and,
for a failure, Dataverse's code and message. Restores are recorded in the rollback's progress ledger with the
version they left, so a rollback stopped and started again recognises its own writes."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from shared.dataverse.client import BatchAnswer, BatchOperation, DataverseClient
from shared.ledger import LedgerWrite, WriteLedger
from shared.rollback.current import rows_where
from shared.rollback.models import Outcome, OutcomeLine, RowPlan, done_outcome
from shared.rollback.plan import RESTORED

GROUPS_PER_REQUEST = 100  # up to 200 operations with two-call restores, within $batch's 1000


class ChunkWriter:
    def __init__(self, client: DataverseClient, entity_set: str, primary_id: str, progress: WriteLedger,
                 batch_id: str) -> None:
        self.client = client
        self.entity_set = entity_set
        self.primary_id = primary_id
        self.progress = progress
        self.batch_id = batch_id

    def restore(self, plans: list[RowPlan], dry_run: bool) -> list[OutcomeLine]:
        if dry_run:
            return [done_outcome(plan, self.entity_set, True) for plan in plans]
        self.progress.record(self.batch_id, [LedgerWrite(plan.key, "intent", "", origin="restore",
                                                         dataverse_id=plan.dataverse_id) for plan in plans])
        answers = self._send([[BatchOperation(write.method, write.url, write.body,
                                              {"If-Match": write.if_match} if write.if_match else {})
                               for write in plan.writes] for plan in plans])
        outcomes = [self._outcome(plan, group, gone="kept") for plan, group in zip(plans, answers, strict=True)]
        restored = [plan for plan, outcome in zip(plans, outcomes) if outcome.outcome in ("restored", "forced")]
        self._record_versions(restored)
        return outcomes

    def delete(self, plans: list[RowPlan], dry_run: bool) -> list[OutcomeLine]:
        if dry_run:
            return [done_outcome(plan, self.entity_set, True) for plan in plans]
        self.progress.record(self.batch_id, [LedgerWrite(plan.key, "intent", "", origin="delete",
                                                         dataverse_id=plan.dataverse_id) for plan in plans])
        answers = self._send([[BatchOperation("DELETE", f"{self.entity_set}({plan.dataverse_id})")]
                              for plan in plans])
        return [self._outcome(plan, group, gone="already-done") for plan, group in zip(plans, answers, strict=True)]

    def _outcome(self, plan: RowPlan, answers: list[BatchAnswer], gone: Outcome) -> OutcomeLine:
        failure = next((answer for answer in answers if answer.status >= 400), None)
        if failure is None:
            return done_outcome(plan, self.entity_set, False)
        code, message = failure.error
        line = OutcomeLine(table=self.entity_set, key=plan.key, outcome="failed", dataverse_id=plan.dataverse_id,
                           columns=plan.columns, code=code, message=message or f"HTTP {failure.status}")
        if failure.status == 412:  # If-Match: someone wrote the row after we planned
            return line.model_copy(update={"outcome": "kept-edited", "message": "changed in Dynamics while the "
                                                                                "rollback ran"})
        if failure.status == 404:
            return line.model_copy(update={"outcome": gone, "code": None, "message": "already gone"})
        return line

    def _send(self, groups: list[list[BatchOperation]]) -> list[list[BatchAnswer]]:
        requests = [groups[start:start + GROUPS_PER_REQUEST] for start in range(0, len(groups), GROUPS_PER_REQUEST)]
        if not requests:
            return []
        with ThreadPoolExecutor(max_workers=max(1, min(len(requests), self.client.dop_hint or 4))) as pool:
            answered = list(pool.map(self.client.batch_groups, requests))
        return [group for request in answered for group in request]

    def _record_versions(self, restored: list[RowPlan]) -> None:
        ids = {(plan.dataverse_id or "").lower(): plan.key for plan in restored}
        if not ids:
            return
        rows = rows_where(self.client, self.entity_set, self.primary_id, list(ids),
                          select=f"{self.primary_id},versionnumber")
        self.progress.record(self.batch_id, [
            LedgerWrite(ids[str(row[self.primary_id]).lower()], RESTORED, "", dataverse_id=str(row[self.primary_id]),
                        version=str(row.get("versionnumber"))) for row in rows])
