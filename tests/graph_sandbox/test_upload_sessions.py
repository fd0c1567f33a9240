"""Upload sessions: creation, the fragment rules, resuming from nextExpectedRanges, cancelling, expiry, and the
pre-authenticated upload URL that refuses an Authorization header."""
from __future__ import annotations

import os
from collections.abc import Callable

from shared.graph.quickxor import quick_xor_hash
from tests.graph_sandbox.conftest import CONFLICT, KIB320, Sandbox, error_of


def test_fragments_in_order_then_the_file(sandbox: Sandbox) -> None:
    data = os.urandom(2 * KIB320 + 1234)
    url = sandbox.session(sandbox.root_id, "brief.pdf")
    assert url.startswith("https://testserver/uploads/")
    first = sandbox.fragment(url, data[:KIB320], 0, len(data))
    assert first.status_code == 202 and first.json()["nextExpectedRanges"] == [f"{KIB320}-"]
    assert "expirationDateTime" in first.json()
    assert sandbox.fragment(url, data[KIB320:2 * KIB320], KIB320, len(data)).status_code == 202
    last = sandbox.fragment(url, data[2 * KIB320:], 2 * KIB320, len(data))
    assert last.status_code == 201
    assert last.json()["size"] == len(data) and last.json()["file"]["hashes"]["quickXorHash"] == quick_xor_hash(data)
    item = sandbox.state.store.items[last.json()["id"]]
    assert sandbox.state.content_path(item).read_bytes() == data
    assert error_of(sandbox.http.get(url)) == (404, "itemNotFound")  # a completed session is gone
    again = sandbox.session(sandbox.root_id, "brief.pdf")
    replaced = sandbox.fragment(again, b"short", 0, 5)
    assert replaced.status_code == 200 and replaced.json()["id"] == item.id and item.size == 5


def test_the_fragment_rules(sandbox_with: Callable[..., Sandbox]) -> None:
    box = sandbox_with(fragment_max_bytes=2 * KIB320)
    data = os.urandom(3 * KIB320)
    url = box.session(box.root_id, "big.bin")
    not_multiple = box.fragment(url, data[:KIB320 - 1], 0, len(data))
    assert error_of(not_multiple) == (400, "invalidRequest")
    too_big = box.fragment(url, data[:2 * KIB320], 0, len(data))
    assert too_big.status_code == 413
    skipped = box.fragment(url, data[KIB320:2 * KIB320], KIB320, len(data))
    assert error_of(skipped) == (416, "invalidRange") and skipped.json()["nextExpectedRanges"] == ["0-"]
    assert box.fragment(url, data[:KIB320], 0, len(data)).status_code == 202
    overlap = box.fragment(url, data[:KIB320], 0, len(data))
    assert error_of(overlap) == (416, "invalidRange") and overlap.json()["nextExpectedRanges"] == [f"{KIB320}-"]
    other_total = box.fragment(url, data[KIB320:2 * KIB320], KIB320, len(data) + 1)
    assert error_of(other_total) == (400, "invalidRequest")
    no_range = box.http.put(url, content=data[KIB320:2 * KIB320])
    assert error_of(no_range) == (400, "invalidRequest")
    lying_length = box.fragment(url, data[KIB320:2 * KIB320], KIB320, len(data),
                                **{"Content-Range": f"bytes {KIB320}-{2 * KIB320}/{len(data)}"})
    assert lying_length.status_code == 400
    status = box.http.get(url).json()
    assert status["nextExpectedRanges"] == [f"{KIB320}-"]  # nothing above moved it on
    assert box.fragment(url, data[KIB320:2 * KIB320], KIB320, len(data)).status_code == 202
    assert box.fragment(url, data[2 * KIB320:], 2 * KIB320, len(data)).status_code == 201


def test_the_upload_url_refuses_an_authorization_header(sandbox: Sandbox) -> None:
    url = sandbox.session(sandbox.root_id, "a.bin")
    bearer = {"Authorization": f"Bearer {sandbox.token()}"}
    assert error_of(sandbox.fragment(url, b"abc", 0, 3, **bearer))[0] == 401
    assert sandbox.http.get(url, headers=bearer).status_code == 401
    assert sandbox.fragment(url, b"abc", 0, 3).status_code == 201
    assert error_of(sandbox.http.put("/uploads/guessed", content=b"abc",
                                     headers={"Content-Range": "bytes 0-2/3"})) == (404, "itemNotFound")


def test_status_cancel_and_expiry(sandbox: Sandbox) -> None:
    lifetime = sandbox.state.config.upload_session_lifetime_seconds
    data = os.urandom(2 * KIB320)
    url = sandbox.session(sandbox.root_id, "x.bin")
    sandbox.advance(lifetime * 0.75)
    assert sandbox.fragment(url, data[:KIB320], 0, len(data)).status_code == 202  # extends the expiry
    sandbox.advance(lifetime * 0.75)
    assert sandbox.http.get(url).json()["nextExpectedRanges"] == [f"{KIB320}-"]
    sandbox.advance(lifetime * 0.5)
    assert error_of(sandbox.fragment(url, data[KIB320:], KIB320, len(data))) == (404, "itemNotFound")
    assert sandbox.state.sessions.live() == [] and list((sandbox.state.storage_dir / "sessions").iterdir()) == []
    cancelled = sandbox.session(sandbox.root_id, "y.bin")
    assert sandbox.fragment(cancelled, data[:KIB320], 0, len(data)).status_code == 202
    assert sandbox.http.delete(cancelled).status_code == 204
    assert sandbox.http.get(cancelled).status_code == 404 and sandbox.state.item_at("y.bin") is None


def test_session_properties_must_be_wrapped_in_item(sandbox: Sandbox) -> None:
    path = f"drives/{sandbox.drive_id}/items/{sandbox.root_id}:/a.bin:/createUploadSession"
    assert error_of(sandbox.call("POST", path, json={CONFLICT: "fail", "name": "a.bin"}))[0] == 400
    assert error_of(sandbox.call("POST", path, json={"item": {"name": "b.bin"}}))[0] == 400
    assert sandbox.call("POST", path).status_code == 200  # no body at all is fine
    missing_parent = f"drives/{sandbox.drive_id}/root:/Nope/a.bin:/createUploadSession"
    assert error_of(sandbox.call("POST", missing_parent)) == (404, "itemNotFound")


def test_fail_conflict_is_found_at_completion_and_the_session_stays(sandbox: Sandbox) -> None:
    sandbox.put(sandbox.root_id, "taken.txt", b"old")
    url = sandbox.session(sandbox.root_id, "taken.txt", conflict="fail")
    assert error_of(sandbox.fragment(url, b"new", 0, 3)) == (409, "nameAlreadyExists")
    taken = sandbox.state.item_at("taken.txt")
    assert taken is not None and sandbox.state.content_path(taken).read_bytes() == b"old"
    assert sandbox.http.get(url).status_code == 200  # kept until it expires
    renamed = sandbox.session(sandbox.root_id, "taken.txt", conflict="rename")
    assert sandbox.fragment(renamed, b"new", 0, 3).json()["name"] == "taken 1.txt"
