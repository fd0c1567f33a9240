"""Simple upload: one PUT with the bytes; 201 new, 200 replaced (same item), conflictBehavior, the size limit."""
from __future__ import annotations

import os
from collections.abc import Callable

from shared.graph.quickxor import quick_xor_hash
from tests.graph_sandbox.conftest import Sandbox, error_of


def test_new_then_replaced_keeps_the_item(sandbox: Sandbox) -> None:
    folder = sandbox.folder("Docs")
    created = sandbox.put(folder["id"], "Engagement letter.pdf", b"first")
    assert created.status_code == 201
    item = created.json()
    assert item["size"] == 5 and item["file"]["mimeType"] == "application/pdf"
    assert item["file"]["hashes"]["quickXorHash"] == quick_xor_hash(b"first")
    replaced = sandbox.put(folder["id"], "Engagement letter.pdf", b"second version")
    assert replaced.status_code == 200 and replaced.json()["id"] == item["id"]
    assert replaced.json()["eTag"] != item["eTag"] and replaced.json()["cTag"] != item["cTag"]
    assert sandbox.state.content_path(sandbox.state.store.items[item["id"]]).read_bytes() == b"second version"
    by_id = sandbox.call("PUT", f"drives/{sandbox.drive_id}/items/{item['id']}/content", content=b"third")
    assert by_id.status_code == 200 and by_id.json()["size"] == 5


def test_conflict_behaviors(sandbox: Sandbox) -> None:
    sandbox.put(sandbox.root_id, "a.txt", b"one")
    assert error_of(sandbox.put(sandbox.root_id, "A.TXT", b"two", "fail")) == (409, "nameAlreadyExists")
    renamed = sandbox.put(sandbox.root_id, "a.txt", b"two", "rename")
    assert renamed.status_code == 201 and renamed.json()["name"] == "a 1.txt"
    assert sandbox.put(sandbox.root_id, "a.txt", b"three", "replace").status_code == 200
    assert error_of(sandbox.put(sandbox.root_id, "a.txt", b"x", "sideways"))[0] == 400


def test_by_path_below_the_root_and_a_missing_parent(sandbox: Sandbox) -> None:
    sandbox.folder("Matters")
    response = sandbox.call("PUT", f"drives/{sandbox.drive_id}/root:/Matters/note.txt:/content", content=b"n")
    assert response.status_code == 201 and sandbox.state.item_at("Matters/note.txt") is not None
    missing = sandbox.call("PUT", f"drives/{sandbox.drive_id}/root:/Nope/note.txt:/content", content=b"n")
    assert error_of(missing) == (404, "itemNotFound")
    assert error_of(sandbox.put(sandbox.root_id, "bad:name.txt", b"x"))[0] == 400
    folder_as_target = sandbox.call("PUT", f"drives/{sandbox.drive_id}/root:/Matters:/content", content=b"x")
    assert error_of(folder_as_target) == (409, "nameAlreadyExists")


def test_an_empty_file(sandbox: Sandbox) -> None:
    response = sandbox.put(sandbox.root_id, "empty.txt", b"")
    assert response.status_code == 201 and response.json()["size"] == 0
    assert response.json()["file"]["hashes"]["quickXorHash"] == quick_xor_hash(b"")


def test_limit_defaults_to_graph_documented_250_mb_and_is_enforced(sandbox_with: Callable[..., Sandbox]) -> None:
    assert sandbox_with().state.config.simple_upload_max_bytes == 250 * 1024 * 1024
    box = sandbox_with(simple_upload_max_bytes=4 * 1024 * 1024)
    exactly = os.urandom(4 * 1024 * 1024)
    assert box.put(box.root_id, "at-limit.bin", exactly).status_code == 201
    over = box.put(box.root_id, "over.bin", exactly + b"!")
    assert error_of(over) == (413, "maxFileSizeExceeded") and box.state.item_at("over.bin") is None
    assert list((box.state.storage_dir / "incoming").iterdir()) == []
