"""The document plan over a generated firm and over hand-made oddities: every document either gets a task with a
SharePoint path under its record's folder (the Clio folder tree kept), or a report line with its reason."""
from __future__ import annotations

from typing import Any

from firmgen import iter_records
from shared.documents.plan import DocumentPlanner
from shared.mapping.engine import CompiledMap
from shared.mapping.maps import load_map

CLIO = "https://app.clio.com/api/v4"


def _planner(records: dict[str, list[dict[str, Any]]], compiled: CompiledMap, max_bytes: int = 10 ** 12,
             library: str = "/sites/ClioMigration/Shared Documents") -> DocumentPlanner:
    return DocumentPlanner(records.get("folders", []), records.get("matters", []), records.get("contacts", []),
                           compiled.targets, CLIO, library, max_bytes)


def _firm(seed: int, size: str) -> dict[str, list[dict[str, Any]]]:
    records: dict[str, list[dict[str, Any]]] = {}
    for kind, record in iter_records(seed, size):
        records.setdefault(kind, []).append(record)
    return records


def test_every_document_of_a_firm_has_a_path_under_its_matter_folder() -> None:
    firm = _firm(11, "small")
    case_area = firm["practice_areas"][0]["id"]
    compiled = CompiledMap(load_map(), {"case_practice_areas": [case_area]})
    plan = _planner(firm, compiled).plan(firm["documents"])
    assert len(plan.tasks) + len({l.document_id for l in plan.lines if l.severity == "error"}) == len(firm["documents"])
    folders = {str(f["id"]): f for f in firm["folders"]}
    matters = {str(m["id"]): m for m in firm["matters"]}
    by_id = {d["id"]: d for d in firm["documents"]}
    for task in plan.tasks:
        document = by_id[task.document_id]
        matter = matters[str(document["matter"]["id"])]
        assert task.folder.startswith(f"Matters/{matter['display_number']}")
        names = []
        parent = folders[str(document["parent"]["id"])]
        while not parent.get("root") and str(parent["matter"]["id"]) == str(matter["id"]) and \
                str(parent["parent"]["id"]) in folders and not folders[str(parent["parent"]["id"])].get("root"):
            names.append(parent["name"])
            parent = folders[str(parent["parent"]["id"])]
        assert task.folder == "/".join([f"Matters/{matter['display_number']}", *reversed(names)])
        assert task.version_id == document["latest_document_version"]["id"]
        assert task.size == document["latest_document_version"]["size"]
        assert task.clio_url == f"{CLIO}/documents/{task.document_id}"
    paths = [f"{t.folder}/{t.name}".casefold() for t in plan.tasks]
    assert len(paths) == len(set(paths))
    placed = {folder.entity_sets[0] for folder in plan.folders.values()}
    assert placed == {"opportunities", "incidents"}
    assert {folder.path for folder in plan.folders.values()} == {"/".join(t.folder.split("/")[:2]) for t in plan.tasks}


def _document(document_id: int, name: str, **extra: Any) -> dict[str, Any]:
    version = {"id": document_id * 10, "size": 10, "fully_uploaded": True, "version_number": 1}
    return {"id": document_id, "name": name, "matter": {"id": 1, "display_number": "00001-Law"},
            "parent": {"id": 100}, "latest_document_version": version, **extra}


def test_oddities_are_reported_not_dropped() -> None:
    compiled = CompiledMap(load_map())
    folders = [{"id": 99, "name": "Documents", "root": True},
               {"id": 100, "name": "00001", "root": False, "parent": {"id": 99}, "matter": {"id": 1}},
               {"id": 101, "name": "Plead:ings", "root": False, "parent": {"id": 100}, "matter": {"id": 1}}]
    matters = [{"id": 1, "display_number": "00001-Law", "practice_area": None}]
    documents = [
        _document(1, "Letter.pdf"),
        _document(2, "letter.PDF"),  # SharePoint compares names case-insensitively
        _document(3, "Big.pdf", latest_document_version={"id": 30, "size": 5000, "fully_uploaded": True}),
        _document(4, "Half.pdf", latest_document_version={"id": 40, "size": 5, "fully_uploaded": False}),
        _document(5, "Gone.pdf", deleted_at="2026-01-01T00:00:00Z"),
        _document(6, "None.pdf", latest_document_version=None),
        _document(7, "Nested?.pdf", parent={"id": 101}),
        _document(8, "Lost.pdf", parent={"id": 555}),
        _document(9, "Nowhere.pdf", matter=None),
        _document(10, "Plead_ings", parent={"id": 100}),  # the name the renamed folder took
    ]
    plan = _planner({"folders": folders, "matters": matters}, compiled, max_bytes=1000).plan(documents)
    tasks = {t.document_id: t for t in plan.tasks}
    codes = {(l.document_id, l.code) for l in plan.lines}
    assert tasks[1].folder == "Matters/00001-Law" and tasks[1].name == "Letter.pdf"
    assert tasks[2].name == "letter (Clio 2).PDF" and (2, "DUPLICATE_NAME") in codes
    assert {(3, "TOO_LARGE"), (4, "UNREADABLE"), (5, "DELETED_IN_CLIO"), (6, "NO_VERSION")} <= codes
    assert 3 not in tasks and 4 not in tasks and 5 not in tasks and 6 not in tasks
    assert tasks[7].folder == "Matters/00001-Law/Plead_ings" and tasks[7].name == "Nested_.pdf"
    assert (7, "RENAMED") in codes
    assert tasks[8].folder == "Matters/00001-Law" and (8, "FOLDER_NOT_EXTRACTED") in codes
    assert tasks[9].folder == "Unfiled/00001" and (9, "UNFILED") in codes  # its Clio folder path is kept
    assert tasks[10].name == "Plead_ings (Clio 10)" and (10, "DUPLICATE_NAME") in codes
    assert list(plan.folders) == ["matter-1"] and plan.folders["matter-1"].entity_sets == ["opportunities"]


def test_long_paths_are_shortened_or_reported() -> None:
    compiled = CompiledMap(load_map())
    matters = [{"id": 1, "display_number": "00001-Law"}]
    long_library = "/sites/x/" + "L" * 300
    plan = _planner({"matters": matters}, compiled, library=long_library).plan(
        [_document(1, "A" * 120 + ".pdf", parent=None)])
    assert len(f"{long_library}/{plan.tasks[0].folder}/{plan.tasks[0].name}") <= 400
    assert plan.tasks[0].name.endswith(".pdf") and "(Clio 1)" in plan.tasks[0].name
    plan = _planner({"matters": matters}, compiled, library="/sites/x/" + "L" * 380).plan(
        [_document(1, "Letter.pdf", parent=None)])
    assert plan.tasks == [] and plan.lines[-1].code == "PATH_TOO_LONG"


def test_batches_are_bounded_by_count_and_bytes() -> None:
    compiled = CompiledMap(load_map())
    sizes = [10, 10, 10, 500, 10, 10]
    documents = [_document(n + 1, f"D{n}.pdf", parent=None,
                           latest_document_version={"id": n + 100, "size": size, "fully_uploaded": True})
                 for n, size in enumerate(sizes)]
    plan = _planner({"matters": [{"id": 1, "display_number": "1"}]}, compiled).plan(documents)
    batches = plan.batches(max_count=2, max_bytes=100)
    assert [[t.size for t in batch] for batch in batches] == [[10, 10], [10], [500], [10, 10]]
