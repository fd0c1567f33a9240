"""Finding the library, folders (idempotent), listing, deleting, tokens, Retry-After and retries."""
from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from localrun.graph_sandbox import RunningGraph
from sandboxes.graph import FaultRule
from shared.graph.client import GraphClient, retry_after
from shared.graph.errors import GraphAuthError, GraphConflict, GraphNotFound
from shared.graph.models import Drive

import httpx


def test_the_library_from_the_settings(client: GraphClient, graph: RunningGraph) -> None:
    drive = client.library()
    assert drive.id == graph.state.drive().id and drive.name == "Documents"
    assert client.root(drive.id).is_folder
    site = client.site("contoso.sharepoint.com", "/sites/ClioMigration")
    with pytest.raises(GraphNotFound):
        client.drive(site.id, "Nope")
    with pytest.raises(GraphNotFound):
        client.site("contoso.sharepoint.com", "/sites/Elsewhere")


def test_ensure_folder_creates_each_missing_level_once(client: GraphClient, library: Drive,
                                                       graph: RunningGraph) -> None:
    first = client.ensure_folder(library.id, "Matters/00012 Smith v. Jones #2/Pleadings")
    assert first.name == "Pleadings" and graph.state.item_at("Matters/00012 Smith v. Jones #2/Pleadings")
    posts = sum(1 for r in graph.state.requests if r.method == "POST" and r.path.startswith("/v1.0/"))
    assert posts == 3
    again = client.ensure_folder(library.id, "/Matters/00012 Smith v. Jones #2/Pleadings/")
    deeper = client.ensure_folder(library.id, "Matters/00012 Smith v. Jones #2/Pleadings/2024")
    assert again.id == first.id and deeper.parent is not None and deeper.parent.id == first.id
    assert sum(1 for r in graph.state.requests if r.method == "POST" and r.path.startswith("/v1.0/")) == posts + 1
    assert client.ensure_folder(library.id, "").id == client.root(library.id).id


def test_a_file_where_a_folder_is_needed_is_a_conflict(client: GraphClient, library: Drive) -> None:
    matters = client.ensure_folder(library.id, "Matters")
    client.upload(library.id, matters.id, "Notes", iter([b"x"]), 1)
    with pytest.raises(GraphConflict):
        client.ensure_folder(library.id, "Matters/Notes/2024")
    with pytest.raises(GraphConflict):
        client.ensure_folder(library.id, "Matters/Notes")


def test_children_follow_next_links_and_delete_is_idempotent(client: GraphClient, library: Drive) -> None:
    parent = client.ensure_folder(library.id, "Many")
    for number in range(5):
        client.ensure_folder(library.id, f"Many/{number}")
    assert [child.name for child in client.children(library.id, parent.id, page_size=2)] == list("01234")
    assert client.item_at(library.id, "Many/3") is not None and client.item_at(library.id, "Many/9") is None
    assert client.delete(library.id, parent.id) is True
    assert client.delete(library.id, parent.id) is False
    assert client.item_at(library.id, "Many") is None


def test_one_token_serves_many_calls_and_a_bad_secret_fails_typed(
        graph: RunningGraph, client_for: Callable[..., GraphClient]) -> None:
    client = client_for(graph)
    for _ in range(3):
        client.library()
    token_posts = [r for r in graph.state.requests if r.path.endswith("/oauth2/v2.0/token")]
    assert len(token_posts) == 1
    assert all(r.authorization for r in graph.state.requests if r.path.startswith("/v1.0/"))
    with pytest.raises(GraphAuthError):
        client_for(graph, GRAPH_CLIENT_SECRET="wrong").library()


def test_429_waits_out_retry_after_from_the_header(graph_with: Callable[..., RunningGraph],
                                                   client_for: Callable[..., GraphClient]) -> None:
    graph = graph_with(resource_units_per_window=5, throttle_window_seconds=1)
    client = client_for(graph)
    drive = client.library()  # 2 units: the site and its drives
    started = time.monotonic()
    roots = [client.root(drive.id) for _ in range(4)]  # 1 unit each: the fourth goes over
    assert len(roots) == 4 and graph.state.budget.throttled == 1 and client.gate.throttled == 1
    assert [r.status for r in graph.state.requests if r.path.startswith("/v1.0")].count(429) == 1
    assert time.monotonic() - started >= 1.0  # the sandbox said "Retry-After: 1"; the client waited it out


def test_503_with_retry_after_and_dropped_connections_are_retried(
        graph_with: Callable[..., RunningGraph], client_for: Callable[..., GraphClient]) -> None:
    graph = graph_with(retry_after_seconds=1, faults=[
        FaultRule(kind="status", status=503, path="/drives$", times=1),
        FaultRule(kind="drop", path="/root$", method="GET", times=1)])
    client = client_for(graph)
    drive = client.library()
    assert client.root(drive.id).is_folder
    statuses = [(r.path.rsplit("/", 1)[-1], r.status) for r in graph.state.requests if r.path.startswith("/v1.0")]
    assert statuses.count(("drives", 503)) == 1 and client.gate.throttled == 1
    assert [s for p, s in statuses if p == "root"] == [200, 200]  # the first one's answer was cut off


def test_retry_after_as_seconds_or_http_date() -> None:
    assert retry_after(httpx.Response(429, headers={"Retry-After": "7"})) == 7.0
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    assert 25 <= (retry_after(httpx.Response(503, headers={"Retry-After": later})) or 0) <= 31
    assert retry_after(httpx.Response(503)) is None
