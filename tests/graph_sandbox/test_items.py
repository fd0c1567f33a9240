"""Items by id and by path, children with paging, folder creation under each conflictBehavior, deletes."""
from __future__ import annotations

from collections.abc import Callable

from tests.graph_sandbox.conftest import CONFLICT, Sandbox, error_of


def test_item_by_id_and_by_path_with_its_driveitem_shape(sandbox: Sandbox) -> None:
    matters = sandbox.folder("Matters")
    smith = sandbox.folder("Smith v Jones #12", matters["id"])
    by_path = sandbox.call("GET", f"drives/{sandbox.drive_id}/root:/Matters/Smith v Jones %2312")
    assert by_path.status_code == 200 and by_path.json()["id"] == smith["id"]
    item = sandbox.call("GET", f"drives/{sandbox.drive_id}/items/{smith['id']}").json()
    assert item["parentReference"]["id"] == matters["id"]
    assert item["parentReference"]["path"] == f"/drives/{sandbox.drive_id}/root:/Matters"
    assert item["folder"] == {"childCount": 0} and item["eTag"] and item["cTag"] and item["createdDateTime"]
    assert item["webUrl"].endswith("/Documents/Matters/Smith%20v%20Jones%20%2312")
    root = sandbox.call("GET", f"drives/{sandbox.drive_id}/root").json()
    assert "root" in root and root["folder"]["childCount"] == 1
    assert sandbox.call("GET", f"drives/{sandbox.drive_id}/items/{matters['id']}:/Smith v Jones %2312:").json()[
        "id"] == smith["id"]
    assert error_of(sandbox.call("GET", f"drives/{sandbox.drive_id}/root:/Matters/Nope")) == (404, "itemNotFound")
    assert error_of(sandbox.call("GET", f"drives/{sandbox.drive_id}/items/01NOPE")) == (404, "itemNotFound")


def test_children_come_in_pages_linked_by_next_link(sandbox: Sandbox) -> None:
    for number in range(7):
        sandbox.folder(f"Folder {number}")
    response = sandbox.call("GET", f"drives/{sandbox.drive_id}/items/{sandbox.root_id}/children",
                            params={"$top": "3"})
    names: list[str] = []
    pages = 0
    while True:
        pages += 1
        body = response.json()
        names += [child["name"] for child in body["value"]]
        if "@odata.nextLink" not in body:
            break
        response = sandbox.http.get(body["@odata.nextLink"], headers={"Authorization": f"Bearer {sandbox.token()}"})
    assert pages == 3 and names == [f"Folder {n}" for n in range(7)]
    assert sandbox.call("GET", f"drives/{sandbox.drive_id}/root/children").json()["value"][0]["name"] == "Folder 0"
    bad = sandbox.call("GET", f"drives/{sandbox.drive_id}/root/children", params={"$skiptoken": "garbage"})
    assert error_of(bad)[0] == 400


def test_folder_conflicts_fail_replace_or_rename(sandbox: Sandbox) -> None:
    first = sandbox.folder("Pleadings")
    children = f"drives/{sandbox.drive_id}/root/children"
    again = sandbox.call("POST", children, json={"name": "pleadings", "folder": {}, CONFLICT: "fail"})
    assert error_of(again) == (409, "nameAlreadyExists")
    assert sandbox.call("POST", children, json={"name": "Pleadings", "folder": {}}).status_code == 409  # default
    renamed = sandbox.call("POST", children, json={"name": "Pleadings", "folder": {}, CONFLICT: "rename"})
    assert renamed.status_code == 201 and renamed.json()["name"] == "Pleadings 1"
    replaced = sandbox.call("POST", children, json={"name": "Pleadings", "folder": {}, CONFLICT: "replace"})
    assert replaced.status_code == 201 and replaced.json()["id"] != first["id"]
    assert error_of(sandbox.call("POST", children, json={"name": "x", "folder": {}, CONFLICT: "merge"}))[0] == 400


def test_names_sharepoint_refuses_and_bodies_without_a_folder_facet(sandbox: Sandbox) -> None:
    children = f"drives/{sandbox.drive_id}/root/children"
    for name in ('a"b', "a:b", "a*b", "a?b", "a<b", "a|b", " lead", "trail ", ""):
        assert error_of(sandbox.call("POST", children, json={"name": name, "folder": {}})) == (400, "invalidRequest")
    assert sandbox.call("POST", children, json={"name": "x"}).status_code == 400
    assert sandbox.call("POST", children, content=b"not json").status_code == 400


def test_delete_is_recursive_and_removes_the_bytes(sandbox: Sandbox) -> None:
    matter = sandbox.folder("Matter")
    inner = sandbox.folder("Inner", matter["id"])
    put = sandbox.put(inner["id"], "a.txt", b"abc")
    stored = sandbox.state.content_path(sandbox.state.store.items[put.json()["id"]])
    assert stored.read_bytes() == b"abc"
    assert sandbox.call("DELETE", f"drives/{sandbox.drive_id}/items/{matter['id']}").status_code == 204
    assert not stored.exists() and sandbox.state.item_at("Matter") is None
    assert sandbox.state.store.items.get(put.json()["id"]) is None
    assert error_of(sandbox.call("DELETE", f"drives/{sandbox.drive_id}/items/{matter['id']}"))[0] == 404
    assert sandbox.call("DELETE", f"drives/{sandbox.drive_id}/root").status_code == 403


def test_files_live_in_the_configured_folder(sandbox_with: Callable[..., Sandbox], tmp_path: object) -> None:
    from pathlib import Path
    folder = Path(str(tmp_path)) / "graph-files"
    box = sandbox_with(storage_dir=str(folder))
    response = box.put(box.root_id, "kept.bin", b"\x00\x01")
    assert (folder / "items" / response.json()["id"]).read_bytes() == b"\x00\x01"


def test_delete_with_if_match_deletes_only_the_version_read(sandbox: Sandbox) -> None:
    folder = sandbox.folder("Letters")
    read = sandbox.put(folder["id"], "a.txt", b"one").json()
    item = f"drives/{sandbox.drive_id}/items/{read['id']}"
    assert sandbox.put(folder["id"], "a.txt", b"two", conflict="replace").status_code == 200  # someone's edit
    assert error_of(sandbox.call("DELETE", item, headers={"If-Match": read["eTag"]})) == (412, "resourceModified")
    assert error_of(sandbox.call("DELETE", item, headers={"If-Match": read["cTag"]})) == (412, "resourceModified")
    assert sandbox.state.item_at("Letters/a.txt") is not None
    now = sandbox.call("GET", item).json()
    assert sandbox.call("DELETE", item, headers={"If-Match": now["cTag"]}).status_code == 204
    assert sandbox.state.item_at("Letters/a.txt") is None
    current = sandbox.call("GET", f"drives/{sandbox.drive_id}/items/{folder['id']}").json()
    assert sandbox.call("DELETE", f"drives/{sandbox.drive_id}/items/{folder['id']}",
                        headers={"If-Match": current["eTag"]}).status_code == 204
