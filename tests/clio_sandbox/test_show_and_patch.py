"""Single records: ETag/Last-Modified, 304s, PATCH with If-Match (clio.md §5 [ETAG]), versions, who_am_i."""
from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.clio_sandbox.conftest import Sandbox
from tests.clio_sandbox.spec_validation import validate_against


def patch(sandbox: Sandbox, path: str, body: Any, **headers: str) -> httpx.Response:
    response = sandbox.client.patch(path, json=body, headers=headers, params={"fields": "id,etag,description,status"})
    if response.status_code == 200:
        validate_against("Matter_Show" if "matters" in path else "Contact_Show", response.json())
    return response


def test_show_carries_etag_and_last_modified(sandbox: Sandbox) -> None:
    response = sandbox.get("/api/v4/matters/4.json", params={"fields": "id,etag,updated_at"})
    record = response.json()["data"]
    assert response.headers["ETag"] == record["etag"]
    assert response.headers["Last-Modified"] == "Mon, 01 Jan 2024 14:04:00 GMT"


def test_conditional_get_is_304_until_the_record_changes(sandbox: Sandbox) -> None:
    first = sandbox.get("/api/v4/matters/4.json")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    same = sandbox.get("/api/v4/matters/4.json", headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.content == b"" and "X-RateLimit-Remaining" in same.headers
    assert sandbox.get("/api/v4/matters/4.json", headers={"If-Modified-Since": modified}).status_code == 304
    sandbox.state.clock.advance(5)
    sandbox.state.update_record("matters", 4, {"description": "changed in Clio"})
    changed = sandbox.get("/api/v4/matters/4.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert sandbox.get("/api/v4/matters/4.json", headers={"If-Modified-Since": modified}).status_code == 200


def test_unknown_record_is_404(sandbox: Sandbox) -> None:
    response = sandbox.get("/api/v4/contacts/424242.json")
    assert response.status_code == 404 and response.json()["error"]["type"]


def test_patch_updates_and_bumps_etag(sandbox: Sandbox) -> None:
    before = sandbox.get("/api/v4/matters/5.json").headers["ETag"]
    response = patch(sandbox, "/api/v4/matters/5.json", {"data": {"description": "New", "status": "closed"}},
                     **{"If-Match": before})
    assert response.status_code == 200
    assert response.json()["data"]["description"] == "New" and response.json()["data"]["status"] == "Closed"
    assert response.headers["ETag"] != before
    assert sandbox.get("/api/v4/matters/5.json").headers["ETag"] == response.headers["ETag"]


def test_patch_with_stale_if_match_is_412(sandbox: Sandbox) -> None:
    stale = sandbox.get("/api/v4/contacts/1.json").headers["ETag"]
    sandbox.state.update_record("contacts", 1, {"title": "Dr"})
    response = patch(sandbox, "/api/v4/contacts/1.json", {"data": {"title": "Mr"}}, **{"If-Match": stale})
    assert response.status_code == 412 and "X-RateLimit-Limit" in response.headers
    assert sandbox.state.store.get("contacts", 1)["title"] == "Dr"  # type: ignore[index]


@pytest.mark.parametrize("body", [
    {"data": {"description": 42}},
    {"data": {"status": "archived"}},
    {"data": {"no_such_field": "x"}},
    {"data": {"client": {"id": 999}}},
    {"description": "missing data envelope"},
])
def test_patch_with_bad_values_is_422(sandbox: Sandbox, body: Any) -> None:
    assert patch(sandbox, "/api/v4/matters/5.json", body).status_code == 422


def test_patch_relinks_an_association(sandbox: Sandbox) -> None:
    response = sandbox.client.patch("/api/v4/matters/5.json", json={"data": {"client": {"id": 3}}},
                                    params={"fields": "client_id,client{id,name}"})
    assert response.json()["data"] == {"client_id": 3, "client": {"id": 3, "name": "name 3"}}


def test_patch_custom_field_value_with_documented_composite_id(sandbox: Sandbox) -> None:
    body = {"data": {"custom_field_values": [{"id": "text_line-5", "value": "Updated value"}]}}
    response = sandbox.client.patch("/api/v4/matters/5.json", json=body,
                                    params={"fields": "custom_field_values{id,value}"})
    assert response.status_code == 200
    assert response.json()["data"]["custom_field_values"] == [{"id": "text_line-5", "value": "Updated value"}]


def test_writes_are_only_offered_where_implemented(sandbox: Sandbox) -> None:
    assert sandbox.client.patch("/api/v4/bills/1.json", json={"data": {"subject": "x"}}).status_code == 404
    assert sandbox.client.delete("/api/v4/users/1.json").status_code == 404
    assert sandbox.client.post("/api/v4/notes.json", json={"data": {"subject": "x"}}).status_code == 404


def test_document_versions_index(sandbox: Sandbox) -> None:
    response = sandbox.get("/api/v4/documents/1/versions.json", params={"fields": "id,document_id,size"})
    assert [v["document_id"] for v in response.json()["data"]] == [1, 1]
    assert sandbox.get("/api/v4/documents/99/versions.json").status_code == 404


def test_who_am_i_is_the_authorizing_user(sandbox: Sandbox) -> None:
    me = sandbox.get("/api/v4/users/who_am_i.json", params={"fields": "id,name"})
    assert me.json()["data"] == {"id": 1, "name": "name 1"}
