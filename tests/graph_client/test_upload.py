"""Uploads: simple up to the limit, sessions above it in 320 KiB-multiple fragments, resumed after failures,
begun again when the session is lost, verified by size and quickXorHash, idempotent with replace."""
from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Iterator

import pytest

from localrun.graph_sandbox import RunningGraph
from sandboxes.graph import FragmentFault
from shared.graph.client import GraphClient
from shared.graph.errors import GraphConflict, GraphIntegrityError, GraphUploadError
from shared.graph.models import Drive
from shared.graph.quickxor import quick_xor_hash
from tests.graph_client.conftest import KIB320, SMALL_FRAGMENT, Generated, opener

FOUR_MIB = 4 * 1024 * 1024


def uploads(graph: RunningGraph) -> list[tuple[str, int]]:
    """(method, status) of every request to an upload URL."""
    return [(r.method, r.status) for r in graph.state.requests if r.path.startswith("/uploads/")]


def stored(graph: RunningGraph, path: str) -> bytes:
    item = graph.state.item_at(path)
    assert item is not None
    return graph.state.content_path(item).read_bytes()


def test_an_empty_file_and_a_small_one(client: GraphClient, library: Drive, graph: RunningGraph) -> None:
    folder = client.ensure_folder(library.id, "Matter 1")
    empty = client.upload(library.id, folder.id, "empty.txt", io.BytesIO(b""), 0)
    assert empty.method == "simple" and empty.item.size == 0 and empty.quick_xor_hash == quick_xor_hash(b"")
    assert empty.sha256 == hashlib.sha256(b"").hexdigest()
    small = client.upload(library.id, folder.id, "Letter #1 (final) 100%.docx", io.BytesIO(b"dear sir"), 8)
    assert stored(graph, "Matter 1/Letter #1 (final) 100%.docx") == b"dear sir" and small.requests == 1


def test_exactly_the_simple_limit_is_one_put_and_one_byte_more_a_session(
        client: GraphClient, library: Drive, graph: RunningGraph) -> None:
    assert client.simple_upload_max_bytes == FOUR_MIB
    data = os.urandom(FOUR_MIB + 1)
    at_limit = client.upload(library.id, client.root(library.id).id, "at.bin", io.BytesIO(data[:FOUR_MIB]), FOUR_MIB)
    assert at_limit.method == "simple" and uploads(graph) == []
    over = client.upload(library.id, client.root(library.id).id, "over.bin", io.BytesIO(data), len(data))
    assert over.method == "session" and over.item.size == len(data) and stored(graph, "over.bin") == data
    fragments = FOUR_MIB // SMALL_FRAGMENT + 1
    assert over.requests == fragments and uploads(graph) == [("PUT", 202)] * (fragments - 1) + [("PUT", 201)]


@pytest.mark.parametrize("size, fragments", [(SMALL_FRAGMENT, 1), (2 * SMALL_FRAGMENT, 2),
                                             (2 * SMALL_FRAGMENT + 1, 3), (SMALL_FRAGMENT + KIB320, 2)])
def test_fragment_boundaries(graph: RunningGraph, client_for: Callable[..., GraphClient], size: int,
                             fragments: int) -> None:
    client = client_for(graph, GRAPH_SIMPLE_UPLOAD_MAX_BYTES="0")
    drive = client.library()
    data = os.urandom(size)
    result = client.upload(drive.id, client.root(drive.id).id, "f.bin", iter([data[:1000], data[1000:]]), size)
    assert result.method == "session" and result.requests == fragments and stored(graph, "f.bin") == data


def test_uploading_again_replaces_the_same_item(client: GraphClient, library: Drive, graph: RunningGraph) -> None:
    folder = client.ensure_folder(library.id, "Matter 2")
    data = os.urandom(FOUR_MIB + 5)
    first = client.upload(library.id, folder.id, "deposition.pdf", io.BytesIO(data), len(data))
    second = client.upload(library.id, folder.id, "deposition.pdf", io.BytesIO(data), len(data))
    small = client.upload(library.id, folder.id, "deposition.pdf", io.BytesIO(b"v3"), 2)
    assert first.item.id == second.item.id == small.item.id
    assert [child.name for child in client.children(library.id, folder.id)] == ["deposition.pdf"]
    with pytest.raises(GraphConflict):
        client.upload(library.id, folder.id, "deposition.pdf", io.BytesIO(b"v4"), 2, conflict="fail")
    renamed = client.upload(library.id, folder.id, "deposition.pdf", io.BytesIO(data), len(data), conflict="rename")
    assert renamed.item.name == "deposition 1.pdf"


def test_a_refused_fragment_is_resumed_from_next_expected_ranges(
        graph_with: Callable[..., RunningGraph], client_for: Callable[..., GraphClient]) -> None:
    graph = graph_with(fragment_faults=[FragmentFault(fragment=3, status=500)])
    client = client_for(graph, GRAPH_SIMPLE_UPLOAD_MAX_BYTES="0")
    drive = client.library()
    data = os.urandom(4 * SMALL_FRAGMENT + 10)
    result = client.upload(drive.id, client.root(drive.id).id, "r.bin", io.BytesIO(data), len(data))
    assert stored(graph, "r.bin") == data and result.resumed == 1 and result.restarted == 0
    assert uploads(graph) == [("PUT", 202), ("PUT", 202), ("PUT", 500), ("GET", 200), ("PUT", 202), ("PUT", 202),
                              ("PUT", 201)]
    assert not any(r.authorization for r in graph.state.requests if r.path.startswith("/uploads/"))


def test_a_lost_answer_is_resumed_without_sending_the_fragment_again(
        graph_with: Callable[..., RunningGraph], client_for: Callable[..., GraphClient]) -> None:
    graph = graph_with(retry_after_seconds=1, fragment_faults=[FragmentFault(fragment=2, kind="drop"),
                                                               FragmentFault(fragment=3, status=503)])
    client = client_for(graph, GRAPH_SIMPLE_UPLOAD_MAX_BYTES="0")
    drive = client.library()
    data = os.urandom(3 * SMALL_FRAGMENT)
    chunks = (data[i:i + 1000] for i in range(0, len(data), 1000))  # one pass only: resumes from what it keeps
    result = client.upload(drive.id, client.root(drive.id).id, "d.bin", chunks, len(data))
    assert stored(graph, "d.bin") == data and result.resumed == 1
    assert uploads(graph) == [("PUT", 202), ("PUT", 202), ("GET", 200), ("PUT", 503), ("PUT", 201)]


def test_an_expired_session_is_begun_again(graph_with: Callable[..., RunningGraph],
                                           client_for: Callable[..., GraphClient]) -> None:
    graph = graph_with(upload_session_lifetime_seconds=60)
    client = client_for(graph, GRAPH_SIMPLE_UPLOAD_MAX_BYTES="0")
    drive = client.library()
    size = 3 * SMALL_FRAGMENT + 7
    opened: list[int] = []

    class Lapsing(Generated):
        def read(self, size: int = -1, /) -> bytes:
            if self.position == 2 * SMALL_FRAGMENT:  # the session lapses while the upload pauses here
                graph.state.clock.advance(120)
            return super().read(size)

    def open_at(offset: int) -> Generated:
        opened.append(offset)
        return (Lapsing if len(opened) == 1 else Generated)(size, 3, offset)

    result = client.upload(drive.id, client.root(drive.id).id, "x.bin", open_at, size)
    assert result.restarted == 1 and opened == [0, 0] and result.item.size == size
    assert uploads(graph)[2] == ("PUT", 404) and graph.state.sessions.live() == []


def test_a_one_pass_source_cannot_begin_again(graph_with: Callable[..., RunningGraph],
                                              client_for: Callable[..., GraphClient]) -> None:
    graph = graph_with()
    client = client_for(graph, GRAPH_SIMPLE_UPLOAD_MAX_BYTES="0")
    drive = client.library()
    data = os.urandom(3 * SMALL_FRAGMENT)

    def chunks() -> Iterator[bytes]:
        yield data[:SMALL_FRAGMENT]
        for session in graph.state.sessions.live():
            graph.state.sessions.end(session)  # cancelled behind the uploader's back
        yield data[SMALL_FRAGMENT:]

    with pytest.raises(GraphUploadError, match="cannot be read again"):
        client.upload(drive.id, client.root(drive.id).id, "y.bin", chunks(), len(data))


def test_a_source_shorter_than_announced_is_caught(client: GraphClient, library: Drive,
                                                   graph: RunningGraph) -> None:
    root = client.root(library.id).id
    with pytest.raises(GraphUploadError, match="ended at byte 3"):
        client.upload(library.id, root, "short.bin", io.BytesIO(b"abc"), 10)
    with pytest.raises(GraphUploadError, match="ended at byte"):
        client.upload(library.id, root, "short-session.bin", opener(FOUR_MIB), FOUR_MIB + 1)
    assert graph.state.item_at("short.bin") is None and graph.state.item_at("short-session.bin") is None


def test_a_hash_mismatch_fails_the_upload(graph: RunningGraph, client: GraphClient, library: Drive,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import shared.graph.upload as upload_module
    monkeypatch.setattr(upload_module, "_reported_hash", lambda item: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
    with pytest.raises(GraphIntegrityError, match="quickXorHash"):
        client.upload(library.id, client.root(library.id).id, "m.bin", io.BytesIO(b"data"), 4)


def test_300_mb_streams_with_flat_memory(graph: RunningGraph, client_for: Callable[..., GraphClient]) -> None:
    import threading

    import psutil
    client = client_for(graph, fragment=16 * KIB320)  # the default 5 MiB
    drive = client.library()
    size = 300 * 1000 * 1000
    process = psutil.Process()
    baseline = process.memory_info().rss
    peak = baseline
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, process.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        result = client.upload(drive.id, client.root(drive.id).id, "big.bin", opener(size, seed=9), size)
    finally:
        done.set()
        sampler.join()
    assert result.method == "session" and result.item.size == size and result.requests == -(-size // (16 * KIB320))
    item = graph.state.item_at("big.bin")
    assert item is not None and graph.state.content_path(item).stat().st_size == size
    assert peak - baseline < 120 * 1024 * 1024, f"memory grew by {(peak - baseline) / 2**20:.0f} MiB"
