"""The mover against the Clio and Graph sandboxes: every document of a generated firm arrives with the same bytes
in its folder, with its Clio id, version, URL and SHA-256 in library columns and in the ledger; a second run
changes nothing and downloads nothing; failures are per document, with a reason; fragments and downloads that fail
are resumed or retried; all versions become SharePoint's version history; a file we did not write is never
overwritten."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sandboxes.clio.config import FaultRule
from sandboxes.graph.config import FragmentFault
from shared.clio.client import ClioClient
from shared.documents.models import DocumentTask
from shared.documents.mover import DocumentMover, ensure_columns
from shared.documents.names import numbered
from shared.documents.plan import DocumentPlan, DocumentPlanner
from shared.graph.client import GraphClient
from shared.ledger import WriteLedger
from shared.mapping.engine import CompiledMap
from shared.mapping.maps import load_map
from tests.documents.conftest import Stack, expected_sha256, file_sha256

Firm = tuple[Path, dict[str, Any]]


def plan_of(firm: dict[str, Any], stack: Stack) -> DocumentPlan:
    planner = DocumentPlanner(firm["folders"], firm["matters"], firm["contacts"], CompiledMap(load_map()).targets,
                              stack.settings.clio_api_base_url, "/sites/ClioMigration/Shared Documents", 10 ** 12)
    return planner.plan(firm["documents"])


@pytest.fixture
def clients(stack_with: Callable[..., Stack]) -> Iterator[Callable[[Stack], tuple[ClioClient, GraphClient, str]]]:
    made: list[Any] = []

    def make(stack: Stack) -> tuple[ClioClient, GraphClient, str]:
        clio, graph = ClioClient(stack.settings), GraphClient(stack.settings)
        made.extend([clio, graph])
        library = graph.library()
        ensure_columns(graph, library)
        return clio, graph, library.id

    yield make
    for client in made:
        client.close()


def mover(stack: Stack, clio: ClioClient, graph: GraphClient, drive: str, batch: str = "b0",
          all_versions: bool = False) -> DocumentMover:
    return DocumentMover(clio, graph, drive, WriteLedger(stack.settings, "mig", f"sharepoint-files|{batch}"),
                         WriteLedger(stack.settings, "mig", "sharepoint-folders"), batch, all_versions=all_versions)


def test_every_document_arrives_intact_and_a_second_run_changes_nothing(
        stack_with: Callable[..., Stack], tiny_firm: Firm, clients: Callable[..., Any]) -> None:
    stack = stack_with(tiny_firm[0])
    clio, graph, drive = clients(stack)
    plan = plan_of(tiny_firm[1], stack)
    assert len(plan.tasks) == len(tiny_firm[1]["documents"]) and plan.lines == []
    outcomes = mover(stack, clio, graph, drive).move(plan.tasks)
    assert [o.action for o in outcomes] == ["created"] * len(plan.tasks), [o.reason for o in outcomes]
    sizes = set()
    for task, outcome in zip(plan.tasks, outcomes, strict=True):
        stored = stack.graph.state.item_at(f"{task.folder}/{task.name}")
        assert stored is not None and stored.id == outcome.item_id
        expected = expected_sha256(task.version_id, task.size)
        assert outcome.sha256 == expected == file_sha256(stack.graph.state.content_path(stored))
        assert graph.fields(drive, stored.id).items() >= {
            "ClioDocumentId": str(task.document_id), "ClioVersionId": str(task.version_id),
            "ClioDocumentUrl": task.clio_url, "ClioSha256": expected}.items()
        sizes.add(task.size)
    # the edge sizes every firm starts with: empty, the simple-upload limit, one byte over, 320 KiB multiples, >250 MiB
    assert {0, 4 * 2 ** 20, 4 * 2 ** 20 + 1, 327_680 * 10} <= sizes and max(sizes) > 250 * 2 ** 20

    files = WriteLedger(stack.settings, "mig", "sharepoint-files|b0").rows()
    assert {key: (row.last_action, row.dataverse_id, row.target) for key, row in files.items()} == {
        f"doc-{t.document_id}": ("created", o.item_id, f"{t.folder}/{t.name}") for t, o in zip(plan.tasks, outcomes)}
    folders = {row.target for row in WriteLedger(stack.settings, "mig", "sharepoint-folders").rows().values()}
    made = {"/".join(t.folder.split("/")[:depth]) for t in plan.tasks for depth in range(1, t.folder.count("/") + 2)}
    assert folders == made  # every folder we created is in the ledger, and nothing else

    requests = clio.pacer.requests
    again = mover(stack, clio, graph, drive).move(plan.tasks)
    assert {o.action for o in again} == {"unchanged"}
    assert sum(o.clio_requests for o in again) == 0 and clio.pacer.requests == requests


def test_one_unreadable_document_fails_alone_with_its_reason(
        stack_with: Callable[..., Stack], tiny_firm: Firm, clients: Callable[..., Any]) -> None:
    stack = stack_with(tiny_firm[0])
    clio, graph, drive = clients(stack)
    tasks = [t for t in plan_of(tiny_firm[1], stack).tasks if t.size < 2 ** 20][:3]
    broken = tasks[1].model_copy(update={"version_id": 999_999_999})
    outcomes = mover(stack, clio, graph, drive).move([tasks[0], broken, tasks[2]])
    assert [o.action for o in outcomes] == ["created", "failed", "created"]
    assert outcomes[1].code == "UNREADABLE" and "404" in (outcomes[1].reason or "")
    assert stack.graph.state.item_at(f"{broken.folder}/{broken.name}") is None


def test_a_failed_fragment_resumes_its_upload_session(
        stack_with: Callable[..., Stack], tiny_firm: Firm, clients: Callable[..., Any]) -> None:
    stack = stack_with(tiny_firm[0], graph={"fragment_faults": [FragmentFault(fragment=3, kind="drop")]},
                       settings={"GRAPH_UPLOAD_FRAGMENT_BYTES": str(2 * 327_680)})
    clio, graph, drive = clients(stack)
    task = next(t for t in plan_of(tiny_firm[1], stack).tasks if t.size == 4 * 2 ** 20 + 1)  # 7 fragments
    [outcome] = mover(stack, clio, graph, drive).move([task])
    assert outcome.action == "created", outcome.reason
    assert outcome.resumed == 1 and outcome.clio_requests == 1  # resumed in the session: no second download
    assert outcome.sha256 == expected_sha256(task.version_id, task.size)


def test_a_dropped_download_is_downloaded_again(
        stack_with: Callable[..., Stack], tiny_firm: Firm, clients: Callable[..., Any]) -> None:
    stack = stack_with(tiny_firm[0], clio={"faults": [FaultRule(kind="drop", path=r"^/_files/", times=1)]})
    clio, graph, drive = clients(stack)
    task = next(t for t in plan_of(tiny_firm[1], stack).tasks if t.size == 4 * 2 ** 20 + 1)
    [outcome] = mover(stack, clio, graph, drive).move([task])
    assert outcome.action == "created", outcome.reason
    assert outcome.clio_requests == 2  # the dropped download, then the good one
    stored = stack.graph.state.item_at(outcome.path)
    assert stored is not None and file_sha256(stack.graph.state.content_path(stored)) == expected_sha256(
        task.version_id, task.size)


def test_all_versions_become_the_sharepoint_version_history(
        stack_with: Callable[..., Stack], tiny_firm: Firm, clients: Callable[..., Any]) -> None:
    stack = stack_with(tiny_firm[0])
    clio, graph, drive = clients(stack)
    versions: dict[int, list[dict[str, Any]]] = {}
    for version in tiny_firm[1]["document_versions"]:
        versions.setdefault(version["document_id"], []).append(version)
    task = next(t for t in plan_of(tiny_firm[1], stack).tasks if len(versions[t.document_id]) >= 3
                and t.size < 50 * 2 ** 20)
    [outcome] = mover(stack, clio, graph, drive, all_versions=True).move([task])
    assert outcome.action == "created" and outcome.versions == len(versions[task.document_id])
    history = [v.size for v in reversed(graph.versions(drive, outcome.item_id))]  # oldest first
    clio_sizes = [v["size"] for v in sorted(versions[task.document_id], key=lambda v: v["version_number"])]
    # setting the Clio columns afterwards is one more SharePoint version of the same bytes
    assert history[:len(clio_sizes)] == clio_sizes and set(history[len(clio_sizes):]) <= {task.size}
    assert outcome.sha256 == expected_sha256(task.version_id, task.size)


def test_a_file_we_did_not_write_is_kept_and_ours_goes_beside_it(
        stack_with: Callable[..., Stack], tiny_firm: Firm, clients: Callable[..., Any]) -> None:
    stack = stack_with(tiny_firm[0])
    clio, graph, drive = clients(stack)
    task: DocumentTask = next(t for t in plan_of(tiny_firm[1], stack).tasks if 0 < t.size < 2 ** 20)
    folder = graph.ensure_folder(drive, task.folder)
    theirs = graph.upload(drive, folder.id, task.name, [b"the firm's own file"], 19)
    moving = mover(stack, clio, graph, drive)
    [outcome] = moving.move([task])
    assert outcome.action == "created"
    assert outcome.path == f"{task.folder}/{numbered(task.name, f'Clio {task.document_id}')}"
    assert graph.item(drive, theirs.item.id).size == 19
    assert [line.code for line in moving.lines] == ["CONFLICT_EXISTING"]
    [again] = mover(stack, clio, graph, drive).move([task])
    assert again.action == "unchanged" and again.path == outcome.path
