"""The list behind a library, its columns (built-in ones, text and number ones added; duplicates refused), and the
list item fields of files: checked strictly against the columns, kept when the content is replaced, gone with the
item; what each of these calls costs of the resource-unit budget."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.graph_sandbox.conftest import APP, Sandbox, error_of


def columns_path(box: Sandbox, reference: str | None = None) -> str:
    drive = box.state.drive()
    return f"sites/{drive.site_id}/lists/{reference or drive.list_id}/columns"


def fields_path(box: Sandbox, item_id: str) -> str:
    return f"drives/{box.drive_id}/items/{item_id}/listItem/fields"


def add_column(box: Sandbox, name: str, **facet: Any) -> dict[str, Any]:
    response = box.call("POST", columns_path(box), json={"name": name, **facet})
    assert response.status_code == 201, response.text
    return dict(response.json())


def column_names(box: Sandbox) -> list[str]:
    return [column["name"] for column in box.call("GET", columns_path(box)).json()["value"]]


def test_the_list_behind_the_library(sandbox: Sandbox) -> None:
    drive = sandbox.state.drive()
    listed = sandbox.call("GET", f"drives/{sandbox.drive_id}/list")
    assert listed.status_code == 200
    body = listed.json()
    assert body["id"] == drive.list_id and (body["name"], body["displayName"]) == ("Documents", "Documents")
    assert body["list"]["template"] == "documentLibrary" and body["parentReference"]["siteId"] == drive.site_id
    assert sandbox.call("GET", f"sites/{drive.site_id}/lists/{body['id']}").json() == body
    by_title = sandbox.call("GET", "sites/contoso.sharepoint.com:/sites/ClioMigration:/lists/documents")
    assert by_title.json()["id"] == body["id"]
    assert error_of(sandbox.call("GET", f"sites/{drive.site_id}/lists/Nope")) == (404, "itemNotFound")
    assert sandbox.call("POST", f"drives/{sandbox.drive_id}/list", json={}).status_code == 405


def test_built_in_columns_then_text_and_number_ones(sandbox: Sandbox) -> None:
    built_in = {column["name"]: column for column in sandbox.call("GET", columns_path(sandbox)).json()["value"]}
    assert {"FileLeafRef", "Title", "Created", "Modified"} <= set(built_in)
    assert built_in["Title"]["text"]["maxLength"] == 255 and built_in["Created"]["readOnly"] is True
    text = add_column(sandbox, "ClioDocumentId", displayName="Clio document id", text={"maxLength": 40})
    assert text["text"]["maxLength"] == 40 and text["displayName"] == "Clio document id" and text["id"]
    assert "number" not in text and text["readOnly"] is False
    default = add_column(sandbox, "ClioUrl", text={})
    assert default["text"]["maxLength"] == 255 and default["displayName"] == "ClioUrl"
    number = add_column(sandbox, "ClioVersion", number={"minimum": 0})
    assert number["number"]["minimum"] == 0 and "text" not in number
    assert column_names(sandbox)[-3:] == ["ClioDocumentId", "ClioUrl", "ClioVersion"]
    by_title = sandbox.call("GET", columns_path(sandbox, "Documents")).json()["value"]
    assert [column["name"] for column in by_title] == column_names(sandbox)


def test_a_duplicate_column_name_is_409(sandbox: Sandbox) -> None:
    add_column(sandbox, "ClioId", text={})
    before = column_names(sandbox)
    for name in ("ClioId", "clioid", "Title", "fileleafref"):
        refused = sandbox.call("POST", columns_path(sandbox), json={"name": name, "number": {}})
        assert error_of(refused) == (409, "nameAlreadyExists"), name
    assert column_names(sandbox) == before


@pytest.mark.parametrize("body", [
    {}, {"name": "NoType"}, {"name": "Both", "text": {}, "number": {}}, {"name": "Has space", "text": {}},
    {"name": "1st", "text": {}}, {"name": "Long", "text": {"maxLength": 256}},
    {"name": "Zero", "text": {"maxLength": 0}}, {"name": "Flag", "boolean": {}},
    {"name": "Note", "text": {"allowMultipleLines": True}}, {"name": "Odd", "text": {}, "colour": "red"},
    {"name": 5, "text": {}}, ["ClioId"]])
def test_a_bad_column_definition_is_400(sandbox: Sandbox, body: Any) -> None:
    assert error_of(sandbox.call("POST", columns_path(sandbox), json=body)) == (400, "invalidRequest")


def test_fields_are_set_and_read_back(sandbox: Sandbox) -> None:
    add_column(sandbox, "ClioDocumentId", text={"maxLength": 20})
    add_column(sandbox, "Pages", number={})
    item_id = sandbox.put(sandbox.root_id, "a.pdf", b"x").json()["id"]
    patched = sandbox.call("PATCH", fields_path(sandbox, item_id),
                           json={"ClioDocumentId": "1234", "Pages": "12", "Title": "Engagement letter"})
    assert patched.status_code == 200
    body = patched.json()
    assert (body["ClioDocumentId"], body["Pages"], body["Title"]) == ("1234", 12, "Engagement letter")
    assert body["FileLeafRef"] == "a.pdf" and body["_UIVersionString"] == "2.0" and body["@odata.etag"]
    assert sandbox.call("GET", fields_path(sandbox, item_id)).json() == body
    item = f"drives/{sandbox.drive_id}/items/{item_id}/listItem"
    expanded = sandbox.call("GET", item, params={"$expand": "fields"}).json()
    assert expanded["fields"] == body and expanded["id"] == body["id"]
    assert expanded["contentType"]["name"] == "Document"
    assert "fields" not in sandbox.call("GET", item).json()
    assert sandbox.call("GET", f"drives/{sandbox.drive_id}/root:/a.pdf:/ListItem/Fields").json() == body
    cleared = sandbox.call("PATCH", fields_path(sandbox, item_id), json={"Title": None, "Pages": 12.5}).json()
    assert "Title" not in cleared and cleared["Pages"] == 12.5 and cleared["ClioDocumentId"] == "1234"


def test_an_unknown_field_is_400_naming_it_and_nothing_changes(sandbox: Sandbox) -> None:
    add_column(sandbox, "ClioId", text={})
    item_id = sandbox.put(sandbox.root_id, "a.pdf", b"x").json()["id"]
    refused = sandbox.call("PATCH", fields_path(sandbox, item_id), json={"ClioId": "1", "ClioDocumentID": "2"})
    assert error_of(refused) == (400, "invalidRequest")
    assert refused.json()["error"]["message"] == "Field 'ClioDocumentID' is not recognized"
    assert error_of(sandbox.call("PATCH", fields_path(sandbox, item_id), json={"clioid": "1"}))[0] == 400
    fields = sandbox.call("GET", fields_path(sandbox, item_id)).json()
    assert "ClioId" not in fields and fields["_UIVersionString"] == "1.0"


def test_a_text_longer_than_its_column_allows_is_400(sandbox: Sandbox) -> None:
    add_column(sandbox, "ClioId", text={"maxLength": 10})
    item_id = sandbox.put(sandbox.root_id, "a.pdf", b"x").json()["id"]
    path = fields_path(sandbox, item_id)
    assert sandbox.call("PATCH", path, json={"ClioId": "x" * 10}).status_code == 200
    too_long = sandbox.call("PATCH", path, json={"ClioId": "y" * 11})
    assert error_of(too_long) == (400, "invalidRequest") and "'ClioId'" in too_long.json()["error"]["message"]
    assert error_of(sandbox.call("PATCH", path, json={"Title": "t" * 256})) == (400, "invalidRequest")
    assert sandbox.call("PATCH", path, json={"Title": "t" * 255}).status_code == 200
    assert sandbox.call("GET", path).json()["ClioId"] == "x" * 10


def test_wrong_types_read_only_columns_and_renames(sandbox: Sandbox) -> None:
    add_column(sandbox, "Pages", number={"minimum": 0, "maximum": 100})
    item_id = sandbox.put(sandbox.root_id, "a.pdf", b"x").json()["id"]
    path = fields_path(sandbox, item_id)
    for body in ({"Pages": "many"}, {"Pages": True}, {"Pages": 101}, {"Title": 5}, {"Created": "2020-01-01"},
                 {"_UIVersionString": "9.0"}, {"FileLeafRef": None}, {"FileLeafRef": "bad:name.pdf"}):
        assert error_of(sandbox.call("PATCH", path, json=body)) == (400, "invalidRequest"), body
    sandbox.put(sandbox.root_id, "taken.pdf", b"t")
    assert error_of(sandbox.call("PATCH", path, json={"FileLeafRef": "TAKEN.pdf"})) == (409, "nameAlreadyExists")
    renamed = sandbox.call("PATCH", path, json={"FileLeafRef": "renamed.pdf"})
    assert renamed.status_code == 200 and renamed.json()["FileLeafRef"] == "renamed.pdf"
    moved = sandbox.state.item_at("renamed.pdf")
    assert moved is not None and moved.id == item_id and sandbox.state.item_at("a.pdf") is None
    assert error_of(sandbox.call("GET", f"drives/{sandbox.drive_id}/root/listItem/fields")) == (404, "itemNotFound")
    folder = sandbox.folder("Matter")
    assert sandbox.call("PATCH", fields_path(sandbox, folder["id"]), json={"Title": "M"}).status_code == 200
    folder_item = sandbox.call("GET", f"drives/{sandbox.drive_id}/items/{folder['id']}/listItem").json()
    assert folder_item["contentType"]["name"] == "Folder"


def test_fields_survive_replacement_and_go_with_the_item(sandbox: Sandbox) -> None:
    add_column(sandbox, "ClioId", text={})
    item_id = sandbox.put(sandbox.root_id, "a.pdf", b"one").json()["id"]
    list_item_id = sandbox.call("PATCH", fields_path(sandbox, item_id), json={"ClioId": "42"}).json()["id"]
    assert sandbox.put(sandbox.root_id, "a.pdf", b"two").json()["id"] == item_id
    url = sandbox.session(sandbox.root_id, "a.pdf")
    assert sandbox.fragment(url, b"three", 0, 5).json()["id"] == item_id
    assert sandbox.call("GET", fields_path(sandbox, item_id)).json()["ClioId"] == "42"
    assert sandbox.call("DELETE", f"drives/{sandbox.drive_id}/items/{item_id}").status_code == 204
    assert error_of(sandbox.call("GET", fields_path(sandbox, item_id))) == (404, "itemNotFound")
    again = sandbox.put(sandbox.root_id, "a.pdf", b"one").json()["id"]
    fields = sandbox.call("GET", fields_path(sandbox, again)).json()
    assert "ClioId" not in fields and fields["id"] != list_item_id  # list item ids are not reused


def test_reads_cost_one_unit_and_writes_two(sandbox_with: Callable[..., Sandbox]) -> None:
    box = sandbox_with(resource_units_per_window=100)
    item_id = box.put(box.root_id, "a.pdf", b"x").json()["id"]
    calls: list[tuple[str, str, dict[str, Any], int]] = [
        ("GET", f"drives/{box.drive_id}/list", {}, 1), ("GET", columns_path(box), {}, 1),
        ("POST", columns_path(box), {"json": {"name": "ClioId", "text": {}}}, 2),
        ("PATCH", fields_path(box, item_id), {"json": {"ClioId": "1"}}, 2), ("GET", fields_path(box, item_id), {}, 1),
        ("GET", f"drives/{box.drive_id}/items/{item_id}/listItem", {}, 1),
        ("GET", f"drives/{box.drive_id}/items/{item_id}/versions", {}, 1)]
    for method, path, arguments, cost in calls:
        before = box.state.budget.used(APP.client_id)
        assert box.call(method, path, **arguments).status_code < 300, path
        assert box.state.budget.used(APP.client_id) - before == cost, (method, path)
