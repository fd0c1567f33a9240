"""Removing what the migration put in SharePoint, from the ledger as the mover writes it: our files by id (or, for
one whose done page was never written, by path when it carries our document id), then our folders deepest first,
each only once nothing else is in it; a folder that keeps something a person put there keeps its parents too.
A dry run deletes nothing and says the same."""
from __future__ import annotations

from collections.abc import Callable

from localrun.graph_sandbox import RunningGraph
from shared.documents.mover import ensure_columns
from shared.graph.client import GraphClient
from shared.ledger import LedgerWrite, WriteLedger
from shared.rollback.documents import DocumentRemover
from shared.settings import Settings
from tests.graph_client.conftest import client_for, graph, graph_with  # noqa: F401  (fixtures)

FOLDERS = ["Matters", "Matters/M-1", "Matters/M-1/Pleadings", "Matters/M-2"]


def _migrated(client: GraphClient) -> tuple[WriteLedger, WriteLedger]:
    """What a move leaves: our folders, three of our files (one without its done page), a person's file."""
    library = client.library()
    ensure_columns(client, library)
    folders = WriteLedger(Settings(), "d1", "sharepoint-folders")
    files = WriteLedger(Settings(), "d1", "sharepoint-files|documents-00000")
    folders.record("documents-00000", [LedgerWrite(f"folder:{path}", "intent", "", origin="created", target=path)
                                       for path in FOLDERS])
    ids = {path: client.ensure_folder(library.id, path).id for path in FOLDERS}
    for document, path, done in ((1, "Matters/M-1/a.pdf", True), (2, "Matters/M-1/Pleadings/b.pdf", False),
                                 (3, "Matters/M-2/c.pdf", True), (4, "Matters/M-1/d.pdf", False)):
        files.record("documents-00000", [LedgerWrite(f"doc-{document}", "intent", "", origin="created", target=path)])
        if document == 4:
            continue  # the worker died before the upload
        folder, name = path.rsplit("/", 1)
        item = client.upload(library.id, ids[folder], name, [b"%d" % document], 1).item
        client.set_fields(library.id, item.id, {"ClioDocumentId": str(document)})
        if done:
            files.record("documents-00000", [LedgerWrite(f"doc-{document}", "created", "sha", dataverse_id=item.id,
                                                         target=path)])
    client.upload(library.id, ids["Matters/M-2"], "notes.docx", [b"a person's notes"], 16)
    return folders, files


def _remove(client: GraphClient, folders: WriteLedger, files: WriteLedger, dry_run: bool) -> dict[str, str]:
    remover = DocumentRemover(client, client.library().id, dry_run)
    ours = {row.target for ledger in (folders, files) for row in ledger.rows().values() if row.target}
    lines = remover.files(list(files.rows().values())) + remover.folders(list(folders.rows().values()), ours)
    return {line.key: line.outcome for line in lines}


def _paths(client: GraphClient) -> set[str]:
    library = client.library()
    found, pending = set(), [("", client.root(library.id).id)]
    while pending:
        path, item_id = pending.pop()
        for child in client.children(library.id, item_id):
            found.add(f"{path}{child.name}")
            if child.is_folder:
                pending.append((f"{path}{child.name}/", child.id))
    return found


def test_our_files_and_empty_folders_go_and_a_persons_file_keeps_its_folders(
        storage_env: str, graph: RunningGraph, client_for: Callable[..., GraphClient]) -> None:  # noqa: F811
    client = client_for(graph)
    folders, files = _migrated(client)
    migrated = _paths(client)

    planned = _remove(client, folders, files, dry_run=True)
    assert _paths(client) == migrated
    assert planned == {"doc-1": "would-delete", "doc-2": "would-delete", "doc-3": "would-delete",
                       "doc-4": "already-done", "folder:Matters/M-1/Pleadings": "would-delete",
                       "folder:Matters/M-1": "would-delete", "folder:Matters/M-2": "kept", "folder:Matters": "kept"}

    done = _remove(client, folders, files, dry_run=False)
    assert done == {key: outcome.replace("would-delete", "deleted") for key, outcome in planned.items()}
    assert _paths(client) == {"Matters", "Matters/M-2", "Matters/M-2/notes.docx"}
    assert set(_remove(client, folders, files, dry_run=False).values()) == {"already-done", "kept"}
