"""Where every Clio document goes in the SharePoint library, decided before a byte moves (no I/O here):

  <library>/Matters/<matter display number>/<Clio folders below the matter's folder>/<file name>
  <library>/Contacts/<contact name> (<Clio id>)/<Clio folders>/<file name>
  <library>/Unfiled/<Clio folders>/<file name>             (a document on neither a matter nor a contact)

Names are made safe for SharePoint and unique per folder (case-insensitively, as SharePoint compares them); every
change, and every document that cannot move (deleted, too large, not fully uploaded to Clio, no version), is a
report line. Documents are cut into batches bounded by count and bytes."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from shared.documents.models import Area, DocumentLine, DocumentTask, RecordFolder
from shared.documents.names import MAX_PATH, numbered, safe_name


@dataclass
class DocumentPlan:
    tasks: list[DocumentTask] = field(default_factory=list)
    folders: dict[str, RecordFolder] = field(default_factory=dict)  # by RecordFolder.key
    lines: list[DocumentLine] = field(default_factory=list)

    def batches(self, max_count: int, max_bytes: int) -> list[list[DocumentTask]]:
        """Consecutive tasks, at most `max_count` and `max_bytes` a batch (a larger file is a batch of its own)."""
        batches: list[list[DocumentTask]] = []
        current: list[DocumentTask] = []
        size = 0
        for task in self.tasks:
            if current and (len(current) >= max_count or size + task.size > max_bytes):
                batches.append(current)
                current, size = [], 0
            current.append(task)
            size += task.size
        return batches + [current] if current else batches


def _ref_id(record: dict[str, Any], name: str) -> str | None:
    ref = record.get(name)
    return str(ref["id"]) if isinstance(ref, dict) and ref.get("id") is not None else None


class DocumentPlanner:
    def __init__(self, folders: Iterable[dict[str, Any]], matters: Iterable[dict[str, Any]],
                 contacts: Iterable[dict[str, Any]], placed: Callable[[str, dict[str, Any]], list[str]],
                 clio_api_base_url: str, library_path: str, max_bytes: int) -> None:
        """`placed(resource, record)`: the entity sets the map puts a matter or contact in.
        `library_path`: the library's server-relative path, counted in SharePoint's path-length limit."""
        self._folders = {str(f["id"]): f for f in folders if f.get("id") is not None}
        self._matters = {str(m["id"]): m for m in matters if m.get("id") is not None}
        self._contacts = {str(c["id"]): c for c in contacts if c.get("id") is not None}
        self._placed = placed
        self._clio = clio_api_base_url.rstrip("/")
        self._library_path = library_path.rstrip("/")
        self._max_bytes = max_bytes
        self._taken: dict[str, set[str]] = {}  # folder path (casefolded) -> names taken in it (casefolded)
        self._folder_by_key: dict[str, RecordFolder] = {}

    def plan(self, documents: Iterable[dict[str, Any]]) -> DocumentPlan:
        result = DocumentPlan()
        for document in sorted(documents, key=lambda d: int(d.get("id") or 0)):
            task = self._task(document, result)
            if task is not None:
                result.tasks.append(task)
        used = {"/".join(task.folder.split("/")[:2]).casefold() for task in result.tasks}
        result.folders = {key: folder for key, folder in self._folder_by_key.items()
                          if folder.path.casefold() in used}
        return result

    def _task(self, document: dict[str, Any], result: DocumentPlan) -> DocumentTask | None:
        document_id = int(document["id"])

        def line(severity: str, code: str, reason: str, path: str | None = None) -> None:
            result.lines.append(DocumentLine.model_validate({"document_id": document_id, "severity": severity,
                                                             "code": code, "reason": reason, "path": path}))

        latest = document.get("latest_document_version") or {}
        if document.get("deleted_at"):
            line("info", "DELETED_IN_CLIO", f"deleted in Clio at {document['deleted_at']}; not moved")
            return None
        if latest.get("id") is None:
            line("error", "NO_VERSION", "Clio lists no version of this document; there are no bytes to move")
            return None
        if latest.get("fully_uploaded") is False:
            line("error", "UNREADABLE", "Clio has not finished receiving the latest version (fully_uploaded is "
                                        "false); it cannot be downloaded")
            return None
        size = latest.get("size", document.get("size"))
        if not isinstance(size, int) or size < 0:
            line("error", "UNREADABLE", f"Clio reports no usable size ({size!r}) for the latest version")
            return None
        if size > self._max_bytes:
            line("error", "TOO_LARGE", f"{size} bytes is over the configured limit of {self._max_bytes} bytes "
                                       "(DOCUMENT_MAX_BYTES); not moved")
            return None
        base = self._base_folder(document, line)
        subfolders = self._subfolders(document, line)
        folder = base
        for subfolder in subfolders:
            self._taken.setdefault(folder.casefold(), set()).add(subfolder.casefold())
            folder = f"{folder}/{subfolder}"
        name = self._name(document, latest, folder, line)
        full = f"{self._library_path}/{folder}/{name}"
        if len(full) > MAX_PATH:
            room = len(name) - (len(full) - MAX_PATH)
            shortened = numbered(name, f"Clio {document_id}", room)
            if len(shortened) > room or shortened.startswith(" ("):
                line("error", "PATH_TOO_LONG", f"the SharePoint path would be {len(full)} characters, over "
                                               f"{MAX_PATH}, even with a shortened name", folder)
                return None
            line("warning", "RENAMED", f"'{name}' shortened to '{shortened}' to keep the path within {MAX_PATH} "
                                       "characters", folder)
            name = shortened
        return DocumentTask(document_id=document_id, version_id=int(latest["id"]),
                            version_number=latest.get("version_number"), size=size, name=name, folder=folder,
                            content_type=latest.get("content_type") or document.get("content_type"),
                            clio_url=f"{self._clio}/documents/{document_id}")

    def _base_folder(self, document: dict[str, Any], line: Callable[..., None]) -> str:
        matter_id, contact_id = _ref_id(document, "matter"), _ref_id(document, "contact")
        if matter_id is not None:
            return self._record_folder(document, "matters", matter_id, line).path
        if contact_id is not None:
            return self._record_folder(document, "contacts", contact_id, line).path
        line("warning", "UNFILED", "the document belongs to no matter or contact; it goes under 'Unfiled' and is "
                                   "not linked to a Dynamics record")
        return "Unfiled"

    def _record_folder(self, document: dict[str, Any], resource: str, clio_id: str,
                        line: Callable[..., None]) -> RecordFolder:
        key = f"{resource[:-1]}-{clio_id}"
        known = self._folder_by_key.get(key)
        if known is not None:
            return known
        record = (self._matters if resource == "matters" else self._contacts).get(clio_id)
        area: Area = "Matters" if resource == "matters" else "Contacts"
        if resource == "matters":
            label = str((record or {}).get("display_number") or (document.get("matter") or {}).get(
                "display_number") or f"Matter {clio_id}")
        else:
            label = f"{(record or {}).get('name') or (document.get('contact') or {}).get('name') or 'Contact'} " \
                    f"({clio_id})"
        name, why = safe_name(label, f"{resource[:-1].title()} {clio_id}")
        if why:
            line("warning", "RENAMED", f"record folder '{label}': {why}", f"{area}/{name}")
        name = self._unique(area, name, f"Clio {clio_id}", line)
        entity_sets = self._placed(resource, record) if record is not None else []
        if record is None:
            line("warning", "RECORD_NOT_EXTRACTED", f"{resource[:-1]} {clio_id} was not extracted; the folder is "
                                                    "not linked to a Dynamics record", f"{area}/{name}")
        folder = RecordFolder(resource=resource, clio_id=clio_id, area=area, name=name,  # type: ignore[arg-type]
                              entity_sets=entity_sets)
        self._folder_by_key[key] = folder
        return folder

    def _subfolders(self, document: dict[str, Any], line: Callable[..., None]) -> list[str]:
        """Names of the Clio folders between the record's own folder and the document, top down."""
        chain: list[dict[str, Any]] = []
        parent_id, seen = _ref_id(document, "parent"), set()
        while parent_id is not None and parent_id not in seen:
            seen.add(parent_id)
            folder = self._folders.get(parent_id)
            if folder is None:
                line("warning", "FOLDER_NOT_EXTRACTED", f"Clio folder {parent_id} was not extracted; the document "
                                                        "is placed at the deepest folder that was")
                break
            if folder.get("root"):
                break
            chain.append(folder)
            parent_id = _ref_id(folder, "parent")
        chain.reverse()
        owner = _ref_id(document, "matter") or _ref_id(document, "contact")
        if chain and owner is not None and owner in (_ref_id(chain[0], "matter"), _ref_id(chain[0], "contact")):
            chain = chain[1:]  # the record's own folder: our record folder stands in for it
        names = []
        for folder in chain:
            name, why = safe_name(str(folder.get("name") or ""), f"Folder {folder['id']}")
            if why:
                line("warning", "RENAMED", f"folder '{folder.get('name')}': {why}", name)
            names.append(name)
        return names

    def _name(self, document: dict[str, Any], latest: dict[str, Any], folder: str,
              line: Callable[..., None]) -> str:
        original = str(document.get("name") or latest.get("filename") or document.get("filename") or "")
        name, why = safe_name(original, f"Document {document['id']}")
        if why:
            line("warning", "RENAMED", f"'{original}': {why}", f"{folder}/{name}")
        return self._unique(folder, name, f"Clio {document['id']}", line)

    def _unique(self, folder: str, name: str, tag: str, line: Callable[..., None]) -> str:
        taken = self._taken.setdefault(folder.casefold(), set())
        if name.casefold() in taken:
            renamed = numbered(name, tag)
            line("warning", "DUPLICATE_NAME", f"'{name}' is already taken in this folder; saved as '{renamed}'",
                 f"{folder}/{renamed}")
            name = renamed
        taken.add(name.casefold())
        return name
