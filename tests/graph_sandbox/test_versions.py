"""File versions: each replacement of a file's content (simple upload, upload session) and each edit of its fields
keeps the version before it, bytes included, newest first; folders have none; a delete, and the limit on versions
kept, remove the kept bytes."""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from tests.graph_sandbox.conftest import Sandbox, error_of


def versions(box: Sandbox, item_id: str) -> list[dict[str, Any]]:
    response = box.call("GET", f"drives/{box.drive_id}/items/{item_id}/versions")
    assert response.status_code == 200, response.text
    return list(response.json()["value"])


def test_each_replacement_keeps_the_version_before_it(sandbox: Sandbox) -> None:
    first = sandbox.put(sandbox.root_id, "brief.pdf", b"one").json()
    assert [(v["id"], v["size"]) for v in versions(sandbox, first["id"])] == [("1.0", 3)]
    sandbox.advance(60)
    assert sandbox.put(sandbox.root_id, "brief.pdf", b"second").status_code == 200
    sandbox.advance(60)
    url = sandbox.session(sandbox.root_id, "brief.pdf")
    assert sandbox.fragment(url, b"third!!", 0, 7).status_code == 200
    listed = versions(sandbox, first["id"])
    assert [(v["id"], v["size"]) for v in listed] == [("3.0", 7), ("2.0", 6), ("1.0", 3)]
    times = [v["lastModifiedDateTime"] for v in listed]
    assert times == sorted(times, reverse=True) and len(set(times)) == 3
    current = sandbox.call("GET", f"drives/{sandbox.drive_id}/items/{first['id']}").json()
    assert times[0] == current["lastModifiedDateTime"] and times[2] == first["lastModifiedDateTime"]
    item = sandbox.state.store.items[first["id"]]
    assert [version.path.read_bytes() for version in item.versions] == [b"second", b"one"]
    assert sandbox.state.content_path(item).read_bytes() == b"third!!"
    by_path = sandbox.call("GET", f"drives/{sandbox.drive_id}/root:/brief.pdf:/versions")
    assert by_path.json()["value"] == listed


def test_a_fields_edit_is_a_version_that_shares_the_bytes(sandbox: Sandbox) -> None:
    item_id = sandbox.put(sandbox.root_id, "a.txt", b"abc").json()["id"]
    fields = f"drives/{sandbox.drive_id}/items/{item_id}/listItem/fields"
    assert sandbox.call("PATCH", fields, json={"Title": "A"}).status_code == 200
    assert [(v["id"], v["size"]) for v in versions(sandbox, item_id)] == [("2.0", 3), ("1.0", 3)]
    item = sandbox.state.store.items[item_id]
    assert os.path.samefile(item.versions[0].path, sandbox.state.content_path(item))  # linked, not copied
    assert sandbox.put(sandbox.root_id, "a.txt", b"new content").status_code == 200
    assert [version.path.read_bytes() for version in item.versions] == [b"abc", b"abc"]
    assert sandbox.state.content_path(item).read_bytes() == b"new content"
    assert sandbox.call("PATCH", fields, json={}).status_code == 200  # nothing to change: no new version
    assert [v["id"] for v in versions(sandbox, item_id)] == ["3.0", "2.0", "1.0"]


def test_folders_have_none_and_a_delete_removes_the_kept_bytes(sandbox: Sandbox) -> None:
    folder = sandbox.folder("Matter")
    assert error_of(sandbox.call("GET", f"drives/{sandbox.drive_id}/items/{folder['id']}/versions")) == (
        400, "invalidRequest")
    item_id = sandbox.put(folder["id"], "x.bin", b"1").json()["id"]
    sandbox.put(folder["id"], "x.bin", b"22")
    kept = [version.path for version in sandbox.state.store.items[item_id].versions]
    assert len(kept) == 1 and kept[0].read_bytes() == b"1"
    assert sandbox.call("DELETE", f"drives/{sandbox.drive_id}/items/{folder['id']}").status_code == 204
    assert list((sandbox.state.storage_dir / "versions").iterdir()) == []
    assert error_of(sandbox.call("GET", f"drives/{sandbox.drive_id}/items/{item_id}/versions")) == (
        404, "itemNotFound")


def test_only_as_many_versions_as_configured_are_kept(sandbox_with: Callable[..., Sandbox]) -> None:
    assert sandbox_with().state.config.versions_kept == 500  # SharePoint's default
    box = sandbox_with(versions_kept=2)
    for size in range(1, 5):
        box.put(box.root_id, "v.txt", b"x" * size)
    item = box.state.item_at("v.txt")
    assert item is not None
    assert [(v["id"], v["size"]) for v in versions(box, item.id)] == [("4.0", 4), ("3.0", 3)]
    assert [path.name for path in (box.state.storage_dir / "versions").iterdir()] == [f"{item.id}.3"]
