"""Moves a batch of planned documents from Clio to SharePoint, one at a time, streaming: the Clio download (303 to
the file URL) is read in pieces straight into the Graph upload, so memory holds about one upload fragment whatever
the file's size. Sizes are checked against Clio's, and SharePoint's stored quickXorHash against the bytes received.

Idempotent: a file we already moved (its ClioDocumentId/ClioVersionId columns match) is left alone without a Clio
request, and a file someone else put at the same path is never overwritten (ours gets a "(Clio <id>)" name).
Every folder we create and every file we write is in the write ledger (intent before, done after) with its path,
which is what a rollback removes. One document's failure is its own outcome; the batch goes on."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel

from shared.clio.client import ClioClient
from shared.clio.errors import ClioError, ClioRateLimited, ClioServerError, ClioTransportError
from shared.documents.models import DocumentLine, DocumentTask
from shared.documents.names import numbered
from shared.graph.client import GraphClient
from shared.graph.errors import GraphError, GraphServerError, GraphThrottled, GraphTransportError
from shared.graph.models import DriveItem, Library, UploadResult
from shared.ledger import LedgerRow, LedgerWrite, WriteLedger
from shared.retrying import retrying

# The library columns every moved file carries (name -> max length): where it came from, and what we stored.
COLUMNS = {"ClioDocumentId": 20, "ClioVersionId": 20, "ClioDocumentUrl": 255, "ClioSha256": 64}
TRANSIENT = (ClioTransportError, ClioServerError, ClioRateLimited, GraphTransportError, GraphServerError,
             GraphThrottled)
DOWNLOAD_CHUNK = 1 << 20


def ensure_columns(graph: GraphClient, library: Library) -> None:
    """The library columns the mover writes (a failed write to a missing column is refused by SharePoint)."""
    graph.ensure_text_columns(library.site.id, graph.document_list(library.id).id, COLUMNS)


class MoveOutcome(BaseModel):
    document_id: int
    action: Literal["created", "updated", "unchanged", "failed"]
    path: str
    item_id: str | None = None
    size: int | None = None
    sha256: str | None = None
    quick_xor_hash: str | None = None
    versions: int = 0  # versions uploaded by this run
    resumed: int = 0  # upload sessions picked up again after a failed fragment
    clio_requests: int = 0
    code: str | None = None
    reason: str | None = None


class _Failed(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


def _exact(chunks: Iterator[bytes], size: int, document_id: int) -> Iterator[bytes]:
    """The download's bytes, refusing a body that is longer or shorter than Clio's stated size."""
    received = 0
    for chunk in chunks:
        received += len(chunk)
        if received > size:
            raise _Failed("SIZE_MISMATCH", f"Clio sent more than the {size} bytes it states for document "
                                           f"{document_id}")
        yield chunk
    if received != size:
        raise _Failed("SIZE_MISMATCH", f"Clio sent {received} of the {size} bytes it states for document "
                                       f"{document_id}")


class DocumentMover:
    def __init__(self, clio: ClioClient, graph: GraphClient, drive_id: str, files: WriteLedger,
                 folders: WriteLedger, batch_id: str, all_versions: bool = False, attempts: int = 3) -> None:
        self.clio, self.graph, self.drive_id = clio, graph, drive_id
        self._files, self._folders, self._batch = files, folders, batch_id
        self._all_versions = all_versions
        self._attempts = attempts
        self._folder_ids: dict[str, str] = {}
        self._ours: dict[str, LedgerRow] = {}
        self.lines: list[DocumentLine] = []

    def move(self, tasks: list[DocumentTask]) -> list[MoveOutcome]:
        self._ours = self._files.rows()  # what an earlier attempt at this batch already meant to write
        return [self._move_one(task) for task in tasks]

    def _move_one(self, task: DocumentTask) -> MoveOutcome:
        path = f"{task.folder}/{task.name}"
        requests_before = self.clio.requests_by_this_thread
        try:
            outcome = retrying(lambda: self._attempt(task), TRANSIENT, self._attempts)
        except _Failed as failure:
            outcome = MoveOutcome(document_id=task.document_id, action="failed", path=path, code=failure.code,
                                  reason=failure.reason)
        except ClioError as exc:
            outcome = MoveOutcome(document_id=task.document_id, action="failed", path=path, code="UNREADABLE",
                                  reason=f"Clio download failed: {exc}")
        except GraphError as exc:
            outcome = MoveOutcome(document_id=task.document_id, action="failed", path=path, code="UPLOAD_FAILED",
                                  reason=f"SharePoint refused the file: {exc}")
        outcome.clio_requests = self.clio.requests_by_this_thread - requests_before
        return outcome

    def _attempt(self, task: DocumentTask) -> MoveOutcome:
        folder_id = self._folder(task.folder)
        name, existing = self._place(task, folder_id)
        path = f"{task.folder}/{name}"
        if existing is not None:
            fields = self.graph.fields(self.drive_id, existing.id)
            if fields.get("ClioVersionId") == str(task.version_id) and existing.size == task.size \
                    and fields.get("ClioSha256"):
                return MoveOutcome(document_id=task.document_id, action="unchanged", path=path,
                                   item_id=existing.id, size=existing.size, sha256=str(fields["ClioSha256"]),
                                   quick_xor_hash=existing.file.hashes.quick_xor_hash if existing.file else None)
        key = f"doc-{task.document_id}"
        self._files.record(self._batch, [LedgerWrite(key, "intent", "", origin="created", target=path)])
        uploaded = resumed = 0
        result: UploadResult | None = None
        for version_id, size in self._versions(task):
            result = self._transfer(task, folder_id, name, version_id, size)
            uploaded, resumed = uploaded + 1, resumed + result.resumed
        assert result is not None
        self.graph.set_fields(self.drive_id, result.item.id, {
            "ClioDocumentId": str(task.document_id), "ClioVersionId": str(task.version_id),
            "ClioDocumentUrl": task.clio_url, "ClioSha256": result.sha256})
        action: Literal["created", "updated"] = "updated" if existing is not None else "created"
        self._files.record(self._batch, [LedgerWrite(key, action, result.sha256, dataverse_id=result.item.id,
                                                     version=str(task.version_id), target=path)])
        return MoveOutcome(document_id=task.document_id, action=action, path=path, item_id=result.item.id,
                           size=result.item.size, sha256=result.sha256, quick_xor_hash=result.quick_xor_hash,
                           versions=uploaded, resumed=resumed)

    def _place(self, task: DocumentTask, folder_id: str) -> tuple[str, DriveItem | None]:
        """The name to write under, and the item already there if it is ours. A file at the planned path that we
        did not write keeps its place; ours goes beside it as "<name> (Clio <id>)"."""
        name = task.name
        for _ in range(2):
            existing = self.graph.item_at(self.drive_id, name, folder_id)
            if existing is None or self._is_ours(task, existing, f"{task.folder}/{name}"):
                return name, existing
            if existing.is_folder:
                raise _Failed("NAME_TAKEN", f"a folder named '{name}' is already in '{task.folder}'")
            renamed = numbered(task.name, f"Clio {task.document_id}")
            self.lines.append(DocumentLine(document_id=task.document_id, severity="warning",
                                           code="CONFLICT_EXISTING",
                                           reason=f"'{name}' was already in SharePoint before the migration and is "
                                                  f"kept; this document is saved as '{renamed}'",
                                           path=f"{task.folder}/{renamed}"))
            name = renamed
        raise _Failed("NAME_TAKEN", f"both '{task.name}' and '{name}' are taken by files we did not write")

    def _is_ours(self, task: DocumentTask, item: DriveItem, path: str) -> bool:
        row = self._ours.get(f"doc-{task.document_id}")
        if row is not None and row.target == path:
            return True
        return self.graph.fields(self.drive_id, item.id).get("ClioDocumentId") == str(task.document_id)

    def _versions(self, task: DocumentTask) -> list[tuple[int, int]]:
        """(version id, size) to upload in order: the latest only, or every readable version oldest first so that
        SharePoint's version history follows Clio's."""
        if not self._all_versions:
            return [(task.version_id, task.size)]
        chosen: list[tuple[int, int]] = []
        for version in self.clio.document_versions(task.document_id):
            if version.get("id") == task.version_id:
                continue
            if version.get("fully_uploaded") is False or not isinstance(version.get("size"), int):
                self.lines.append(DocumentLine(
                    document_id=task.document_id, severity="warning", code="VERSION_UNREADABLE",
                    reason=f"version {version.get('version_number')} (id {version.get('id')}) is not fully "
                           "uploaded in Clio or has no size; it is not in the SharePoint history",
                    path=f"{task.folder}/{task.name}"))
                continue
            chosen.append((int(version["id"]), int(version["size"])))
        return chosen + [(task.version_id, task.size)]

    def _transfer(self, task: DocumentTask, folder_id: str, name: str, version_id: int, size: int) -> UploadResult:
        with self.clio.download(task.document_id, version_id) as response:
            chunks = _exact(response.iter_bytes(DOWNLOAD_CHUNK), size, task.document_id)
            result = self.graph.upload(self.drive_id, folder_id, name, chunks, size)
            for _ in chunks:  # the uploader stops at the stated size: a longer body fails here
                pass
        if result.item.size != size:
            raise _Failed("SIZE_MISMATCH", f"SharePoint stored {result.item.size} bytes of {size}")
        return result

    def _folder(self, path: str) -> str:
        if path not in self._folder_ids:
            def record(level: str) -> None:
                self._folders.record(self._batch, [LedgerWrite(f"folder:{level}", "intent", "", origin="created",
                                                               target=level)])
            self._folder_ids[path] = self.graph.ensure_folder(self.drive_id, path, before_create=record).id
        return self._folder_ids[path]

