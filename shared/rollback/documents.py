"""Removing what the migration put in SharePoint, from the write ledger (shared/documents/mover.py records every
file before and after writing it, and every folder before creating it): files first, then the folders we created,
deepest first, each only once nothing else is in it. Every delete carries the eTag just read (If-Match), so a file
or folder someone changes meanwhile is kept, not lost."""
from __future__ import annotations

from shared.graph.client import GraphClient
from shared.graph.errors import GraphNotFound
from shared.graph.models import DriveItem
from shared.ledger import LedgerRow
from shared.rollback.models import Outcome, OutcomeLine

FILES, FOLDERS = "sharepoint-files", "sharepoint-folders"
_DELETED: dict[str, Outcome] = {"deleted": "deleted", "gone": "already-done", "changed": "kept-edited"}


class DocumentRemover:
    def __init__(self, graph: GraphClient, drive_id: str, dry_run: bool) -> None:
        self.graph = graph
        self.drive_id = drive_id
        self.dry_run = dry_run

    def files(self, rows: list[LedgerRow]) -> list[OutcomeLine]:
        return [self._file(row) for row in sorted(rows, key=lambda row: row.key)]

    def _file(self, row: LedgerRow) -> OutcomeLine:
        line = OutcomeLine(table=FILES, key=row.key, outcome="already-done", dataverse_id=row.dataverse_id,
                           message=row.target)
        item = self._by_id(row.dataverse_id) if row.dataverse_id else self._ours_at(row)
        if item is None:
            return line
        return self._delete(item, line.model_copy(update={"dataverse_id": item.id}))

    def _by_id(self, item_id: str) -> DriveItem | None:
        try:
            return self.graph.item(self.drive_id, item_id)
        except GraphNotFound:
            return None

    def _ours_at(self, row: LedgerRow) -> DriveItem | None:
        """A file whose done page was never written: the one at its path, if it carries our document id."""
        item = self.graph.item_at(self.drive_id, row.target or "") if row.target else None
        if item is None or item.is_folder:
            return None
        ours = self.graph.fields(self.drive_id, item.id).get("ClioDocumentId") == row.key.removeprefix("doc-")
        return item if ours else None

    def folders(self, rows: list[LedgerRow], ours: set[str]) -> list[OutcomeLine]:
        """Deepest first. `ours`: paths of every file and folder the migration wrote — in a dry run they are still
        there, and a folder holding only those (and no folder that stays) would be removed."""
        paths = sorted({row.target for row in rows if row.target}, key=lambda path: (-path.count("/"), path))
        staying: set[str] = set()
        lines = []
        for path in paths:
            line = self._folder(path, ours - staying)
            if line.outcome in ("kept", "kept-edited"):
                staying.add(path)
            lines.append(line)
        return lines

    def _folder(self, path: str, removable: set[str]) -> OutcomeLine:
        line = OutcomeLine(table=FOLDERS, key=f"folder:{path}", outcome="already-done", message=path)
        folder = self.graph.item_at(self.drive_id, path)
        if folder is None:
            return line
        line = line.model_copy(update={"dataverse_id": folder.id})
        others = [child for child in self.graph.children(self.drive_id, folder.id)
                  if not (self.dry_run and f"{path}/{child.name}" in removable)]
        if others:
            return line.model_copy(update={"outcome": "kept", "message": f"{path} holds {len(others)} item(s) the "
                                                                         "rollback does not remove"})
        return self._delete(folder, line)

    def _delete(self, item: DriveItem, line: OutcomeLine) -> OutcomeLine:
        if self.dry_run:
            return line.model_copy(update={"outcome": "would-delete"})
        result = self.graph.delete_unchanged(self.drive_id, item.id, item.e_tag or "*")
        return line.model_copy(update={"outcome": _DELETED[result]})
